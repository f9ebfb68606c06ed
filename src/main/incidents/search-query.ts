// What an engineer types in the search box → an FTS5 MATCH expression. Free text
// never reaches FTS5's own syntax (a stray quote or "AND(" would be a syntax
// error): words become quoted terms, "quoted phrases" stay phrases, and the
// last word matches as a prefix so results follow the typing.
import type { SnippetPart } from '../../shared/incidents';

const WORD = /[\p{L}\p{N}\p{M}_]+/gu;

export function toFtsMatch(text: string): string | null {
  const parts: string[] = [];
  const phrasePattern = /"([^"]*)"/g;
  for (const match of text.matchAll(phrasePattern)) {
    const words = match[1].match(WORD);
    if (words) parts.push(`"${words.join(' ')}"`);
  }
  const words = text.replace(phrasePattern, ' ').match(WORD) ?? [];
  const endsInWord = /[\p{L}\p{N}\p{M}_]$/u.test(text);
  words.forEach((word, index) => parts.push(index === words.length - 1 && endsInWord ? `"${word}"*` : `"${word}"`));
  return parts.length > 0 ? parts.join(' ') : null;
}

/** Markers snippet() puts around matches; control characters never appear in indexed text as such. */
export const MATCH_START = '\u0002';
export const MATCH_END = '\u0003';

/** A snippet with internal markers → parts, and the display string with « ». */
export function splitSnippet(raw: string): { snippet: string; parts: SnippetPart[] } {
  const parts: SnippetPart[] = [];
  let match = false;
  let current = '';
  for (const char of raw) {
    if (char === MATCH_START || char === MATCH_END) {
      if (current) parts.push({ text: current, match });
      current = '';
      match = char === MATCH_START;
    } else {
      current += char;
    }
  }
  if (current) parts.push({ text: current, match });
  const snippet = parts.map((part) => (part.match ? `«${part.text}»` : part.text)).join('');
  return { snippet, parts };
}

const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * A snippet made in JS for long texts (attachment text, huge notes): FTS5's
 * snippet() weighs every match against every other, which takes seconds on a
 * 256 KiB log that repeats the searched word thousands of times. Words are
 * compared as the index compares them (case and accents folded), the last one as a prefix.
 */
export function snippetFromText(text: string, query: string, context = 60): string | null {
  const phraseFree = query.replace(/"/g, ' ');
  const terms = (phraseFree.match(TOKEN) ?? []).map(fold);
  if (terms.length === 0) return null;
  const lastIsPrefix = /[\p{L}\p{N}\p{M}_]$/u.test(query);
  const matches = (token: string) => {
    const folded = fold(token);
    return terms.some((term, index) => folded === term || (lastIsPrefix && index === terms.length - 1 && folded.startsWith(term)));
  };
  let first: RegExpExecArray | null = null;
  TOKEN.lastIndex = 0;
  for (let found = TOKEN.exec(text); found; found = TOKEN.exec(text)) {
    if (matches(found[0])) {
      first = found;
      break;
    }
  }
  if (!first) return null;
  const start = Math.max(0, first.index - context);
  const end = Math.min(text.length, first.index + first[0].length + context * 2);
  const window = text.slice(start, end).replace(/\s+/g, ' ');
  const marked = window.replace(TOKEN, (token) => (matches(token) ? `${MATCH_START}${token}${MATCH_END}` : token));
  return `${start > 0 ? '…' : ''}${marked}${end < text.length ? '…' : ''}`;
}
