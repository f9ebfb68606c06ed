export { createRedactor, formatForFile } from './redactor';
export type { DocumentFormat, RedactionPreview, Redactor, RedactorOptions } from './redactor';
export { RedactionLedger } from './ledger';
export type { RedactionsJson, RedactionsJsonFile } from './ledger';
export { classifyKeyName, splitKeyName, isNonSecretValue } from './keyNames';
export { truncationMarker, DEFAULT_MAX_LINE_BYTES } from './lineStream';
export { REDACTION_RULES, findTokenSpans } from './types';
export type {
  FileRedactionDecision,
  ObjectRedactionResult,
  RedactionCounts,
  RedactionRule,
  RedactionSpan,
  TextRedactionResult,
} from './types';
