/** Names under which hidden values are counted; each appears in tokens and in redactions.json. */
export const REDACTION_RULES = [
  'secret-data',
  'password',
  'credential',
  'url-password',
  'jwt',
  'authorization',
  'private-key',
  'aws-access-key-id',
  'aws-secret-access-key',
  'minio',
  'slack-webhook',
  'service-token',
  'kubeconfig',
  'last-applied-configuration',
  'custom',
] as const;

export type RedactionRule = (typeof REDACTION_RULES)[number];

/** A hidden stretch of the *output* text (where its token now stands). */
export interface RedactionSpan {
  start: number;
  end: number;
  rule: RedactionRule;
}

export type RedactionCounts = Partial<Record<RedactionRule, number>>;

/** What was decided for one written file: redacted, or explicitly exempted by the engineer. */
export type FileRedactionDecision =
  | { redaction: 'applied' }
  | { redaction: 'exempted'; reason: string; decidedBy?: string };

export interface TextRedactionResult {
  text: string;
  spans: RedactionSpan[];
  counts: RedactionCounts;
  decision: FileRedactionDecision;
}

export interface ObjectRedactionResult<T = unknown> {
  value: T;
  counts: RedactionCounts;
  decision: FileRedactionDecision;
}

export function addCount(counts: RedactionCounts, rule: RedactionRule, n = 1): void {
  counts[rule] = (counts[rule] ?? 0) + n;
}

export function mergeCounts(into: RedactionCounts, from: RedactionCounts): void {
  for (const [rule, n] of Object.entries(from) as [RedactionRule, number][]) addCount(into, rule, n);
}

const TOKEN_PATTERN = /\[REDACTED:([a-z0-9-]+):[0-9a-f]{6}\]/g;

/** Where tokens stand in a redacted text; used for previews. */
export function findTokenSpans(text: string): RedactionSpan[] {
  const spans: RedactionSpan[] = [];
  for (const m of text.matchAll(TOKEN_PATTERN)) {
    spans.push({ start: m.index, end: m.index + m[0].length, rule: m[1] as RedactionRule });
  }
  return spans;
}
