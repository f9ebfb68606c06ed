import { createHmac, randomBytes } from 'node:crypto';
import type { RedactionRule } from './types';

/**
 * Stable per-bundle tokens: `[REDACTED:<rule>:<6 hex>]`, the hex being the start of
 * HMAC-SHA256(bundle key, value bytes). The rule is not part of the MAC, so one password
 * seen as a Secret value and inside a DSN in a log carries the same hex in both places.
 * The key lives only in memory and is never written.
 */
export interface Tokenizer {
  tokenFor(rule: RedactionRule, value: string | Buffer, encoding?: 'utf8' | 'latin1'): string;
}

export function createTokenizer(key: Buffer = randomBytes(32)): Tokenizer {
  if (key.length < 16) throw new Error('redaction key must be at least 16 bytes');
  const secretKey = Buffer.from(key);
  return {
    tokenFor(rule, value, encoding = 'utf8') {
      // Trailing newlines are not part of a secret (`echo pass | base64` adds one).
      const bytes = typeof value === 'string' ? Buffer.from(value.replace(/(?:\r?\n)+$/, ''), encoding) : value;
      const hex = createHmac('sha256', secretKey).update(bytes).digest('hex').slice(0, 6);
      return `[REDACTED:${rule}:${hex}]`;
    },
  };
}
