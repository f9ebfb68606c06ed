import { REDACTION_RULES, addCount, mergeCounts, type FileRedactionDecision, type RedactionCounts, type RedactionRule } from './types';

export interface RedactionsJsonFile {
  file: string;
  redaction: 'applied' | 'exempted';
  reason?: string;
  decidedBy?: string;
  counts: RedactionCounts;
  total: number;
}

/** The content of a bundle's `redactions.json`: how many values were hidden, per file and rule; never the values. */
export interface RedactionsJson {
  format: 'roadside-redactions/1';
  tokenFormat: string;
  rules: RedactionRule[];
  files: RedactionsJsonFile[];
  totals: RedactionCounts;
  total: number;
}

interface FileEntry {
  decision: FileRedactionDecision;
  counts: RedactionCounts;
}

function sumCounts(counts: RedactionCounts): number {
  return Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
}

function sortedCounts(counts: RedactionCounts): RedactionCounts {
  const out: RedactionCounts = {};
  for (const rule of REDACTION_RULES) if (counts[rule]) out[rule] = counts[rule];
  return out;
}

/** Accumulates, for every file written into a bundle, the redaction decision and counts per rule. */
export class RedactionLedger {
  private readonly files = new Map<string, FileEntry>();

  private entry(file: string): FileEntry {
    let e = this.files.get(file);
    if (!e) {
      e = { decision: { redaction: 'applied' }, counts: {} };
      this.files.set(file, e);
    }
    return e;
  }

  /** Note that a file is being written with redaction applied (listed even when nothing was hidden). */
  noteFile(file: string): void {
    this.entry(file);
  }

  record(file: string, rule: RedactionRule, n = 1): void {
    addCount(this.entry(file).counts, rule, n);
  }

  recordCounts(file: string, counts: RedactionCounts): void {
    mergeCounts(this.entry(file).counts, counts);
  }

  /**
   * Record the engineer's explicit choice to write a file without redaction. Must come
   * before anything of that file is redacted, and needs a reason, which goes into redactions.json.
   */
  exempt(file: string, reason: string, decidedBy?: string): void {
    if (!reason || reason.trim().length === 0) throw new Error(`exempting ${file} from redaction needs a reason`);
    const existing = this.files.get(file);
    if (existing && existing.decision.redaction === 'applied' && sumCounts(existing.counts) > 0) {
      throw new Error(`${file} has already been written with redaction applied`);
    }
    this.files.set(file, { decision: { redaction: 'exempted', reason: reason.trim(), ...(decidedBy ? { decidedBy } : {}) }, counts: {} });
  }

  decisionFor(file: string): FileRedactionDecision {
    return this.files.get(file)?.decision ?? { redaction: 'applied' };
  }

  countsFor(file: string): RedactionCounts {
    return sortedCounts(this.files.get(file)?.counts ?? {});
  }

  totals(): RedactionCounts {
    const totals: RedactionCounts = {};
    for (const e of this.files.values()) mergeCounts(totals, e.counts);
    return sortedCounts(totals);
  }

  toJSON(): RedactionsJson {
    const files = [...this.files.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([file, e]): RedactionsJsonFile => ({
        file,
        redaction: e.decision.redaction,
        ...(e.decision.redaction === 'exempted' ? { reason: e.decision.reason, ...(e.decision.decidedBy ? { decidedBy: e.decision.decidedBy } : {}) } : {}),
        counts: sortedCounts(e.counts),
        total: sumCounts(e.counts),
      }));
    const totals = this.totals();
    return {
      format: 'roadside-redactions/1',
      tokenFormat: '[REDACTED:<rule>:<first 6 hex of HMAC-SHA256(per-bundle key, value)>]',
      rules: [...REDACTION_RULES],
      files,
      totals,
      total: sumCounts(totals),
    };
  }

  /** The text of redactions.json. */
  serialize(): string {
    return JSON.stringify(this.toJSON(), null, 2) + '\n';
  }
}
