import { classifyKeyName, isNonSecretValue } from './keyNames';
import type { RedactionRule } from './types';

/** One value to hide inside a line: [start, end) in the line; the token is derived from that text. */
export interface LineMatch {
  start: number;
  end: number;
  rule: RedactionRule;
  /** Write the token in double quotes: it replaces a plain YAML scalar, where a bare `[...]` would read as a list. */
  quote?: boolean;
}

export interface CustomRules {
  literals: string[];
  patterns: string[];
}

/**
 * Compiled single-line rules. Everything here looks at one line at a time; multi-line
 * constructs (PEM blocks, YAML block scalars under sensitive keys) are the job of the
 * line redactor, which keeps state between lines.
 */
export interface LineRules {
  findMatches(line: string): LineMatch[];
}

const PEM_ONE_LINE = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----[\s\S]*?-----END \1PRIVATE KEY\2-----/g;
// A BEGIN header followed by key material on the same line but no END (a truncated key in a JSON string).
const PEM_ONE_LINE_UNTERMINATED = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\[nr]|[A-Za-z0-9+/=:,\- \t])*/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const AUTHORIZATION_HEADER =
  /\b(?:proxy-)?authorization(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["'])?(?:(?:bearer|basic|token|digest|negotiate|apikey|aws4-hmac-sha256)[ \t]+)?([^\s"'`,;\\]+)/gi;
const BEARER = /\bBearer[ \t]+([A-Za-z0-9\-._~+/]{16,}=*)/g;
const BASIC = /\bBasic[ \t]+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/g;
const URL_USERINFO = /\b[a-zA-Z][a-zA-Z0-9+.-]{1,30}:\/\/[^\s:@/?#"'<>]*:([^\s@/?#"'<>]+)@/g;
const SLACK_WEBHOOK = /\bhooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/-]+)/g;
const SERVICE_TOKEN =
  /\b(?:xox[abposr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36})\b/g;
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}\b/g;
const LAST_APPLIED =
  /kubectl\.kubernetes\.io\/last-applied-configuration(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\"((?:[^"\\\r\n]|\\(?!")[^\r\n])*)\\"|"((?:[^"\\\r\n]|\\.)*)"|'((?:[^'\r\n]|'')*)'|([^\s|>][^\r\n]*?))[ \t]*\r?$/g;
const LAST_APPLIED_QUOTED =
  /kubectl\.kubernetes\.io\/last-applied-configuration(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\"((?:[^"\\\r\n]|\\(?!")[^\r\n])*)\\"|"((?:[^"\\\r\n]|\\.)*)")/g;

// SQL: ALTER USER x WITH PASSWORD 'v', CREATE USER x IDENTIFIED BY 'v'
const SQL_PASSWORD = /\b(?:password|identified by)[ \t]+(?:E?'((?:[^'\\\r\n]|''|\\.)*)'|"([^"\r\n]*)")/gi;
// An env entry written on one line: {"name": "POSTGRES_PASSWORD", "value": "..."} or {name: X, value: y}
const INLINE_ENV_ENTRY =
  /(["']?)name\1[ \t]*[:=][ \t]*(["']?)([A-Za-z_][A-Za-z0-9_.\-]*)\2[ \t]*,[ \t]*(["']?)value\4[ \t]*[:=][ \t]*(?:"((?:[^"\\\r\n]|\\.)*)"|'([^'\r\n]*)'|([^\s,}]+))/g;

const KEY_VALUE_PREFILTER = /pass|pwd|secret|token|key|cred|auth|root.?user|\bpw\b/i;
const AUTHORIZATION_HINT = /authorization|bearer|basic/i;
const KEY_VALUE = new RegExp(
  [
    '(?<![A-Za-z0-9_.\\-])(?:--)?',
    '(\\\\?["\']|&quot;)?', // 1: quote before the key
    '([A-Za-z_][A-Za-z0-9_.\\-]*)', // 2: key
    '(?:\\\\?["\']|&quot;)?',
    '[ \\t]*([:=])[ \\t]*', // 3: separator
    '(?:',
    '\\\\"((?:[^"\\\\\\r\\n]|\\\\(?!")[^\\r\\n])*)\\\\"', // 4: \"value\" inside a JSON string
    '|"((?:[^"\\\\\\r\\n]|\\\\.)*)"', // 5
    "|'((?:[^'\\\\\\r\\n]|\\\\.)*)'", // 6
    '|&quot;(.*?)&quot;', // 7
    '|([^\\s"\'`,;&<>]+)', // 8: unquoted
    ')',
  ].join(''),
  'g',
);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function looksLikeProseWord(v: string): boolean {
  return v.length <= 24 && /^[A-Za-z][a-z]*[.!?]?$/.test(v);
}

function looksLikeBasicCredential(b64: string): boolean {
  const decoded = Buffer.from(b64, 'base64').toString('latin1');
  return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decoded);
}

export function compileCustomRules(custom: CustomRules, encoding: 'utf8' | 'latin1'): RegExp[] {
  const out: RegExp[] = [];
  const literals = custom.literals
    .filter((l) => l.length > 0)
    .map((l) => (encoding === 'latin1' ? Buffer.from(l, 'utf8').toString('latin1') : l))
    .sort((a, b) => b.length - a.length);
  if (literals.length > 0) out.push(new RegExp(literals.map(escapeRegExp).join('|'), 'g'));
  for (const source of custom.patterns) out.push(compileCustomPattern(source));
  return out;
}

/** Engineer-supplied regex sources. A named group `secret` limits hiding to that part. */
export function compileCustomPattern(source: string): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(source, 'gd');
  } catch (err) {
    throw new Error(`custom redaction pattern is not a valid regular expression: ${(err as Error).message}`);
  }
  if (new RegExp(source).test('')) throw new Error('custom redaction pattern matches the empty string');
  return re;
}

/** exec() loop over a shared global regex; String#matchAll would clone the regex for every line. */
function forEachMatch(re: RegExp, line: string, fn: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    if (m[0].length === 0) re.lastIndex++;
    fn(m);
  }
}

// Every rule below needs one of these somewhere in the line; most log lines have none.
const ANY_RULE_HINT =
  /PRIVATE KEY|last-applied-configuration|eyJ|:\/\/|authori[sz]ation|bearer|basic|pass|pwd|secret|token|key|cred|auth|root.?user|\bpw\b|xox[abposr]-|gh[pousr]_|github_pat_|glpat-|npm_|\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)|identified by|name['"]?[ \t]*[:=]/i;

export function createLineRules(custom: RegExp[]): LineRules {
  return {
    findMatches(line) {
      const found: LineMatch[] = [];
      const add = (start: number, end: number, rule: RedactionRule, quote?: boolean) => {
        if (end > start) found.push(quote ? { start, end, rule, quote } : { start, end, rule });
      };
      // For patterns whose secret group ends the match, its start is end - length.
      const addTail = (m: RegExpExecArray, group: string, rule: RedactionRule) => {
        const end = m.index + m[0].length;
        add(end - group.length, end, rule);
      };
      const addWhole = (rule: RedactionRule) => (m: RegExpExecArray) => add(m.index, m.index + m[0].length, rule);

      for (const re of custom) {
        forEachMatch(re, line, (m) => {
          const secret = m.indices?.groups?.secret;
          if (secret) add(secret[0], secret[1], 'custom');
          else add(m.index, m.index + m[0].length, 'custom');
        });
      }
      if (!ANY_RULE_HINT.test(line)) return found;

      if (line.includes('PRIVATE KEY')) {
        forEachMatch(PEM_ONE_LINE, line, addWhole('private-key'));
        forEachMatch(PEM_ONE_LINE_UNTERMINATED, line, addWhole('private-key'));
      }
      if (line.includes('last-applied-configuration')) {
        for (const re of [LAST_APPLIED_QUOTED, LAST_APPLIED]) {
          forEachMatch(re, line, (m) => {
            const value = m[1] ?? m[2] ?? m[3] ?? m[4];
            if (value === undefined || value.length === 0) return;
            const start = m.index + m[0].lastIndexOf(value);
            add(start, start + value.length, 'last-applied-configuration');
          });
        }
      }
      if (line.includes('eyJ')) forEachMatch(JWT, line, addWhole('jwt'));
      forEachMatch(AWS_ACCESS_KEY_ID, line, addWhole('aws-access-key-id'));
      forEachMatch(SERVICE_TOKEN, line, addWhole('service-token'));
      if (line.includes('://')) {
        forEachMatch(URL_USERINFO, line, (m) => {
          const password = m[1];
          if (isNonSecretValue(password)) return;
          const end = m.index + m[0].length - 1; // before '@'
          add(end - password.length, end, 'url-password');
        });
        if (line.includes('hooks.slack.com')) forEachMatch(SLACK_WEBHOOK, line, (m) => addTail(m, m[1], 'slack-webhook'));
      }
      if (AUTHORIZATION_HINT.test(line)) {
        forEachMatch(AUTHORIZATION_HEADER, line, (m) => {
          if (!isNonSecretValue(m[1])) addTail(m, m[1], 'authorization');
        });
        forEachMatch(BEARER, line, (m) => addTail(m, m[1], 'authorization'));
        forEachMatch(BASIC, line, (m) => {
          if (looksLikeBasicCredential(m[1])) addTail(m, m[1], 'authorization');
        });
      }
      if (KEY_VALUE_PREFILTER.test(line)) {
        findKeyValues(line, add);
        forEachMatch(SQL_PASSWORD, line, (m) => {
          const value = m[1] ?? m[2];
          if (isNonSecretValue(value)) return;
          const end = m.index + m[0].length - 1; // before the closing quote
          add(end - value.length, end, 'password');
        });
      }
      if (line.includes('name') && line.includes('value')) {
        forEachMatch(INLINE_ENV_ENTRY, line, (m) => {
          const rule = classifyKeyName(m[3], { bareKeyIsSensitive: true });
          const value = m[5] ?? m[6] ?? m[7];
          if (!rule || isNonSecretValue(value)) return;
          const end = m.index + m[0].length - (m[7] === undefined ? 1 : 0);
          add(end - value.length, end, rule);
        });
      }
      return found;
    },
  };
}

function findKeyValues(line: string, add: (start: number, end: number, rule: RedactionRule, quote?: boolean) => void): void {
  KEY_VALUE.lastIndex = 0;
  // Tokens already in the line (`[REDACTED:password:1a2b3c]`) read like key: value; they are never rescanned.
  const tokens = line.includes('[REDACTED:') ? [...line.matchAll(/\[REDACTED:[a-z0-9-]+:[0-9a-f]{6}\]/g)].map((t) => [t.index, t.index + t[0].length]) : [];
  let m: RegExpExecArray | null;
  while ((m = KEY_VALUE.exec(line)) !== null) {
    const at = m.index;
    const inToken = tokens.find(([from, to]) => at >= from && at < to);
    if (inToken) {
      KEY_VALUE.lastIndex = inToken[1];
      continue;
    }
    const key = m[2];
    const rule = KEY_VALUE_PREFILTER.test(key) ? classifyKeyName(key) : null;
    if (!rule) {
      // Not a secret's key, but its value may hold one (`env: POSTGRES_PASSWORD=…`): scan on from the separator.
      const keyEnd = m[0].indexOf(key) + key.length;
      KEY_VALUE.lastIndex = m.index + m[0].indexOf(m[3], keyEnd) + 1;
      continue;
    }
    const separator = m[3];
    let value = m[4] ?? m[5] ?? m[6] ?? m[7] ?? m[8] ?? '';
    const unquoted = m[8] !== undefined;
    let end = m.index + m[0].length;
    if (m[8] === undefined) end -= m[4] !== undefined ? 2 : m[7] !== undefined ? 6 : 1; // closing quote
    let start = end - value.length;
    const startsYamlLine = m[1] === undefined && /^[ \t]*(?:-[ \t]+)?$/.test(line.slice(0, m.index));
    if (unquoted) {
      if (/^[{[(|>]/.test(value)) continue;
      if (separator === ':' && startsYamlLine) {
        // `password: two words  # comment` at the start of a YAML-ish line: the value runs to the end.
        const rest = line.slice(start).replace(/[ \t]+#.*$/, '').replace(/[ \t\r]+$/, '');
        value = rest;
        end = start + rest.length;
      } else {
        const trimmed = value.replace(/[)}\]>]+$/, '');
        end -= value.length - trimmed.length;
        value = trimmed;
      }
      if (separator === ':' && rule === 'credential' && !startsYamlLine && looksLikeProseWord(value)) continue;
      start = end - value.length;
    }
    if (isNonSecretValue(value)) continue;
    if (rule === 'credential' && /^\d{1,9}$/.test(value)) continue; // max_tokens=4096
    add(start, end, rule, unquoted && separator === ':' && startsYamlLine);
  }
}

/** Keep the widest non-overlapping matches, earliest first. */
export function resolveOverlaps(matches: LineMatch[]): LineMatch[] {
  if (matches.length <= 1) return matches;
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: LineMatch[] = [];
  let lastEnd = -1;
  for (const m of sorted) {
    if (m.start >= lastEnd) {
      kept.push(m);
      lastEnd = m.end;
    } else if (m.end > lastEnd && kept.length > 0) {
      // Partial overlap: widen the kept match so nothing of either value is left visible.
      const prev = kept[kept.length - 1];
      prev.end = m.end;
      lastEnd = m.end;
    }
  }
  return kept;
}
