import { PassThrough, type Transform } from 'node:stream';
import { stringify as stringifyYaml } from 'yaml';
import { RedactionLedger } from './ledger';
import { LineRedactor } from './lineRedactor';
import { DEFAULT_MAX_LINE_BYTES, LineRedactionStream } from './lineStream';
import { redactJsonSource, redactStructuredValue, redactYamlSource, type ScalarRedaction } from './structured';
import { compileCustomRules, createLineRules, type LineRules } from './textRules';
import { createTokenizer, type Tokenizer } from './tokens';
import {
  addCount,
  findTokenSpans,
  type FileRedactionDecision,
  type ObjectRedactionResult,
  type RedactionCounts,
  type RedactionRule,
  type RedactionSpan,
  type TextRedactionResult,
} from './types';

export interface RedactorOptions {
  /** Per-bundle HMAC key; random when omitted. Never written anywhere. */
  key?: Buffer;
  /** Exact strings the engineer wants hidden (rule `custom`). */
  customLiterals?: string[];
  /** Regex sources the engineer wants hidden (rule `custom`); a named group `secret` limits hiding to that part. */
  customPatterns?: string[];
  /** Log lines longer than this many bytes are cut in streams (default 1 MiB). */
  maxLineBytes?: number;
}

export type DocumentFormat = 'text' | 'yaml' | 'json';

export interface RedactionPreview {
  text: string;
  spans: RedactionSpan[];
  counts: RedactionCounts;
}

export interface Redactor {
  readonly ledger: RedactionLedger;
  tokenFor(rule: RedactionRule, value: string): string;
  /** Logs, Markdown, HTML, any text: line-by-line rules plus multi-line PEM/YAML blocks. */
  redactText(text: string, file?: string): TextRedactionResult;
  /**
   * YAML or JSON source (JSON is read as YAML; multi-document allowed), Kubernetes-aware;
   * only hidden scalars change. Source that doesn't parse gets the text rules instead.
   */
  redactDocument(text: string, file?: string): TextRedactionResult;
  /** Picks redactDocument for .yaml/.yml/.json and redactText for anything else. */
  redactFileContent(file: string, text: string): TextRedactionResult;
  /** A parsed value (Kubernetes object or List, kubeconfig, incident data), Kubernetes-aware; returns a new value. */
  redactObject<T>(value: T, file?: string): ObjectRedactionResult<T>;
  /** Bytes in, redacted bytes out, line by line; counts go to the ledger as lines pass. */
  redactLineStream(file: string): Transform;
  /** The redacted output and where its tokens stand, for the UI; does not touch the ledger. */
  preview(input: unknown, format?: DocumentFormat): RedactionPreview;
  /** The engineer's explicit, recorded choice to write one file unredacted. */
  exemptFile(file: string, reason: string, decidedBy?: string): void;
}

export function formatForFile(file: string): DocumentFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  return 'text';
}

export function createRedactor(opts: RedactorOptions = {}): Redactor {
  const tokenizer: Tokenizer = createTokenizer(opts.key);
  const custom = { literals: opts.customLiterals ?? [], patterns: opts.customPatterns ?? [] };
  const rulesByEncoding: Record<'utf8' | 'latin1', LineRules> = {
    utf8: createLineRules(compileCustomRules(custom, 'utf8')),
    latin1: createLineRules(compileCustomRules(custom, 'latin1')),
  };
  const ledger = new RedactionLedger();
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;

  const newLineRedactor = (onRedact: (rule: RedactionRule) => void): LineRedactor => {
    const engine: LineRedactor = new LineRedactor(
      { findMatches: (line: string) => rulesByEncoding[engine.encoding].findMatches(line) },
      tokenizer,
      'utf8',
      onRedact,
    );
    return engine;
  };

  const scanText = (text: string, counts: RedactionCounts): string => {
    const engine = newLineRedactor((rule) => addCount(counts, rule));
    const out: string[] = [];
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        out.push(engine.push(text.slice(start), ''));
        break;
      }
      out.push(engine.push(text.slice(start, nl), '\n'));
      start = nl + 1;
    }
    out.push(engine.end());
    return out.join('');
  };

  const scalarRedaction = (counts: RedactionCounts): ScalarRedaction => ({
    hide(rule, value) {
      addCount(counts, rule);
      return tokenizer.tokenFor(rule, value);
    },
    scanText: (text) => scanText(text, counts),
  });

  const redactDocumentText = (text: string, counts: RedactionCounts): string =>
    redactJsonSource(text, scalarRedaction(counts), counts) ?? redactYamlSource(text, scalarRedaction(counts)) ?? scanText(text, counts);

  const begin = (file: string | undefined): FileRedactionDecision => {
    if (file === undefined) return { redaction: 'applied' };
    const decision = ledger.decisionFor(file);
    if (decision.redaction === 'applied') ledger.noteFile(file);
    return decision;
  };

  const finishText = (file: string | undefined, text: string, counts: RedactionCounts, decision: FileRedactionDecision): TextRedactionResult => {
    if (file !== undefined) ledger.recordCounts(file, counts);
    return { text, spans: findTokenSpans(text), counts, decision };
  };

  const redactor: Redactor = {
    ledger,
    tokenFor: (rule, value) => tokenizer.tokenFor(rule, value),

    redactText(text, file) {
      const decision = begin(file);
      if (decision.redaction === 'exempted') return { text, spans: [], counts: {}, decision };
      const counts: RedactionCounts = {};
      return finishText(file, scanText(text, counts), counts, decision);
    },

    redactDocument(text, file) {
      const decision = begin(file);
      if (decision.redaction === 'exempted') return { text, spans: [], counts: {}, decision };
      const counts: RedactionCounts = {};
      return finishText(file, redactDocumentText(text, counts), counts, decision);
    },

    redactFileContent(file, text) {
      const format = formatForFile(file);
      return format === 'text' ? redactor.redactText(text, file) : redactor.redactDocument(text, file);
    },

    redactObject<T>(value: T, file?: string): ObjectRedactionResult<T> {
      const decision = begin(file);
      if (decision.redaction === 'exempted') return { value, counts: {}, decision };
      const counts: RedactionCounts = {};
      const redacted = redactStructuredValue(value, scalarRedaction(counts)) as T;
      if (file !== undefined) ledger.recordCounts(file, counts);
      return { value: redacted, counts, decision };
    },

    redactLineStream(file) {
      const decision = begin(file);
      if (decision.redaction === 'exempted') return new PassThrough();
      const engine = newLineRedactor((rule) => ledger.record(file, rule));
      return new LineRedactionStream(engine, maxLineBytes);
    },

    preview(input, format = typeof input === 'string' ? 'text' : 'yaml') {
      const counts: RedactionCounts = {};
      const source = typeof input === 'string' ? input : stringifyYaml(input);
      const text = format === 'text' ? scanText(source, counts) : redactDocumentText(source, counts);
      return { text, spans: findTokenSpans(text), counts };
    },

    exemptFile(file, reason, decidedBy) {
      ledger.exempt(file, reason, decidedBy);
    },
  };
  return redactor;
}
