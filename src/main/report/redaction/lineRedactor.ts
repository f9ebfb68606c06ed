import { classifyKeyName, isNonSecretValue } from './keyNames';
import { resolveOverlaps, type LineRules } from './textRules';
import type { Tokenizer } from './tokens';
import type { RedactionRule } from './types';

/** Multi-line values (a PEM block, a YAML block scalar) are buffered up to this size, then hidden as they are. */
export const MAX_BUFFERED_BLOCK_CHARS = 1024 * 1024;
const MAX_PEM_LINES = 1000;

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----/;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
// `password: |`, `- token: >-`, `kubectl.kubernetes.io/last-applied-configuration:` (value on the next lines)
const BLOCK_START = /^([ \t]*(?:-[ \t]+)?)(\\?["']?)([A-Za-z_][A-Za-z0-9_.\-/]*)\2[ \t]*:[ \t]*([|>][-+0-9]*)?[ \t]*(?:#.*)?\r?$/;
// An env entry in YAML text: `- name: POSTGRES_PASSWORD` then `  value: ...` on the next line.
const ENV_NAME_LINE = /^[ \t]*(?:-[ \t]+)?name:[ \t]*(["']?)([A-Za-z_][A-Za-z0-9_.\-]*)\1[ \t]*\r?$/;
const ENV_VALUE_LINE = /^([ \t]*(?:-[ \t]+)?value:[ \t]*)(["']?)(.*?)\2([ \t]*(?:#.*)?\r?)$/;
const LAST_APPLIED_AT_LINE_END = /kubectl\.kubernetes\.io\/last-applied-configuration:[ \t]*(?:[|>][-+0-9]*)?[ \t]*\r?$/;

interface PendingPem {
  prefix: string;
  parts: string[];
  chars: number;
  lastEol: string;
}

interface PendingBlock {
  keyColumn: number;
  rule: RedactionRule;
  lines: { text: string; eol: string }[];
  chars: number;
}

/**
 * Redacts text line by line, keeping just enough state to hide multi-line values:
 * a PEM private key block is collapsed to one token; the indented lines of a block
 * scalar under a sensitive key (or of a last-applied-configuration annotation) become
 * one indented token line. Used for both whole texts and log streams, so both give the
 * same output for the same input.
 */
export class LineRedactor {
  private pem: PendingPem | null = null;
  private block: PendingBlock | null = null;
  private envNameRule: RedactionRule | null = null;

  constructor(
    private readonly rules: LineRules,
    private readonly tokenizer: Tokenizer,
    public encoding: 'utf8' | 'latin1',
    private readonly onRedact: (rule: RedactionRule) => void,
  ) {}

  /** Feed one line (without its terminator) and its terminator ('\n' or '' for a last line); returns output to write now. */
  push(line: string, eol: string): string {
    if (this.pem) return this.continuePem(line, eol);
    if (this.block) {
      if (this.belongsToBlock(line)) {
        this.block.lines.push({ text: line, eol });
        this.block.chars += line.length + eol.length;
        return this.block.chars > MAX_BUFFERED_BLOCK_CHARS ? this.finishBlock() : '';
      }
      return this.finishBlock() + this.pushFresh(line, eol);
    }
    return this.pushFresh(line, eol);
  }

  /** Flush what is still buffered at the end of the input. */
  end(): string {
    if (this.pem) return this.finishPem('', this.pem.lastEol);
    if (this.block) return this.finishBlock();
    return '';
  }

  /** Redact a single line with no cross-line state. */
  redactLine(line: string): string {
    const matches = resolveOverlaps(this.rules.findMatches(line));
    if (matches.length === 0) return line;
    let out = '';
    let pos = 0;
    for (const m of matches) {
      const token = this.hide(m.rule, line.slice(m.start, m.end));
      out += line.slice(pos, m.start) + (m.quote ? `"${token}"` : token);
      pos = m.end;
    }
    return out + line.slice(pos);
  }

  private hide(rule: RedactionRule, value: string): string {
    this.onRedact(rule);
    return this.tokenizer.tokenFor(rule, value, this.encoding);
  }

  private pushFresh(line: string, eol: string): string {
    if (line.includes('PRIVATE KEY')) {
      const begin = PEM_BEGIN.exec(line);
      if (begin && !PEM_END.test(line.slice(begin.index)) && /^[\s"'\\|,]*$/.test(line.slice(begin.index + begin[0].length))) {
        this.pem = { prefix: this.redactLine(line.slice(0, begin.index)), parts: [line.slice(begin.index)], chars: line.length, lastEol: eol };
        return '';
      }
    }
    const envRule = this.envNameRule;
    this.envNameRule = null;
    if (envRule) {
      const m = ENV_VALUE_LINE.exec(line);
      if (m && !isNonSecretValue(m[3]) && !/^[|>]/.test(m[3])) {
        const quote = m[2] || '"';
        return m[1] + quote + this.hide(envRule, m[3]) + quote + m[4] + eol;
      }
    }
    const out = this.redactLine(line) + eol;
    this.maybeStartBlock(line);
    const envName = line.includes('name:') ? ENV_NAME_LINE.exec(line) : null;
    if (envName) this.envNameRule = classifyKeyName(envName[2], { bareKeyIsSensitive: true });
    return out;
  }

  private continuePem(line: string, eol: string): string {
    const pem = this.pem!;
    const end = PEM_END.exec(line);
    if (end) {
      const cut = end.index + end[0].length;
      pem.parts.push(line.slice(0, cut));
      return this.finishPem(this.redactLine(line.slice(cut)), eol);
    }
    pem.parts.push(line);
    pem.chars += line.length + 1;
    pem.lastEol = eol;
    if (pem.chars > MAX_BUFFERED_BLOCK_CHARS || pem.parts.length > MAX_PEM_LINES) return this.finishPem('', eol);
    return '';
  }

  private finishPem(suffix: string, eol: string): string {
    const pem = this.pem!;
    this.pem = null;
    return pem.prefix + this.hide('private-key', pem.parts.join('\n')) + suffix + eol;
  }

  private maybeStartBlock(line: string): void {
    if (!line.includes(':')) return;
    const lastApplied = line.includes('last-applied-configuration') ? LAST_APPLIED_AT_LINE_END.exec(line) : null;
    if (lastApplied) {
      this.block = { keyColumn: lastApplied.index, rule: 'last-applied-configuration', lines: [], chars: 0 };
      return;
    }
    if (!line.includes('|') && !line.includes('>')) return;
    const m = BLOCK_START.exec(line);
    if (!m || !m[4]) return;
    const rule = classifyKeyName(m[3]);
    if (rule) this.block = { keyColumn: m[1].length, rule, lines: [], chars: 0 };
  }

  private belongsToBlock(line: string): boolean {
    if (/^[ \t]*\r?$/.test(line)) return true;
    const indent = /^[ \t]*/.exec(line)![0].length;
    return indent > this.block!.keyColumn;
  }

  private finishBlock(): string {
    const block = this.block!;
    this.block = null;
    let lastContent = block.lines.length - 1;
    while (lastContent >= 0 && /^[ \t]*\r?$/.test(block.lines[lastContent].text)) lastContent--;
    if (lastContent < 0) return block.lines.map((l) => l.text + l.eol).join('');
    const content = block.lines.slice(0, lastContent + 1);
    const firstContent = content.find((l) => !/^[ \t]*\r?$/.test(l.text))!;
    const indent = /^[ \t]*/.exec(firstContent.text)![0];
    const value = content.map((l) => l.text.slice(Math.min(indent.length, /^[ \t]*/.exec(l.text)![0].length))).join('\n');
    const cr = content[lastContent].text.endsWith('\r') ? '\r' : '';
    let out = indent + this.hide(block.rule, value.replace(/\r$/, '')) + cr + content[lastContent].eol;
    for (const l of block.lines.slice(lastContent + 1)) out += l.text + l.eol;
    return out;
  }
}
