// Container logs as `kubectl logs --timestamps` returns them, and the k-way merge that
// turns one stream per container into one stream ordered by time.
//
// The API server puts an RFC 3339 timestamp with up to nine fraction digits before every
// line. Date.parse keeps milliseconds only, so a line's key is (ms, the nanoseconds below
// the millisecond). A line without a timestamp (a snapshot's log written by hand, text a
// runtime did not stamp) continues the line before it: it travels with that line as one
// record, so a multi-line stack trace is never split by another pod's lines.

export interface TimedLine {
  /** The timestamp as the server wrote it. */
  time?: string;
  /** Epoch milliseconds; NaN when the line has no timestamp. */
  ms: number;
  /** Nanoseconds below the millisecond (0–999999). */
  ns: number;
  text: string;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})(?: |$)/;

export function parseLogLine(raw: string): TimedLine {
  const m = TIMESTAMP.exec(raw);
  if (!m) return { ms: Number.NaN, ns: 0, text: raw };
  const fraction = (m[2] ?? '').padEnd(9, '0');
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) return { ms: Number.NaN, ns: 0, text: raw };
  const time = raw.slice(0, m[0].trimEnd().length);
  return { time, ms: base + Number(fraction.slice(0, 3)), ns: Number(fraction.slice(3)), text: raw.slice(m[0].length) };
}

/** Splits a chunked body into lines; keeps a partial last line until the next chunk. */
export class LineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    return parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p));
  }

  /** The partial line at the end of the body, if any. */
  end(): string[] {
    const last = this.rest;
    this.rest = '';
    return last ? [last.endsWith('\r') ? last.slice(0, -1) : last] : [];
  }
}

export function parseLogText(text: string): TimedLine[] {
  const splitter = new LineSplitter();
  return [...splitter.push(text), ...splitter.end()].map(parseLogLine);
}

export interface StreamLines {
  stream: number;
  lines: TimedLine[];
}

export interface MergedLine {
  stream: number;
  time?: string;
  text: string;
  ms: number;
  ns: number;
}

interface Cursor {
  input: number;
  /** Start of the current record in input.lines. */
  pos: number;
  /** One past its end. */
  end: number;
  ms: number;
  ns: number;
}

/** Where the record that starts at `pos` ends: after the untimestamped lines that follow it. */
function recordEnd(lines: TimedLine[], pos: number): number {
  let end = pos + 1;
  while (end < lines.length && Number.isNaN(lines[end].ms)) end++;
  return end;
}

function less(a: Cursor, b: Cursor): boolean {
  if (a.ms !== b.ms) return a.ms < b.ms;
  if (a.ns !== b.ns) return a.ns < b.ns;
  return a.input < b.input;
}

class CursorHeap {
  private readonly items: Cursor[] = [];

  get size(): number {
    return this.items.length;
  }

  push(c: Cursor): void {
    const items = this.items;
    items.push(c);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): Cursor | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < items.length && less(items[l], items[min])) min = l;
        if (r < items.length && less(items[r], items[min])) min = r;
        if (min === i) break;
        [items[i], items[min]] = [items[min], items[i]];
        i = min;
      }
    }
    return top;
  }
}

/**
 * Merges per-container line lists into one list ordered by timestamp: O(L log N) for L lines
 * in N streams. Each stream keeps its own order; equal timestamps keep the order of `inputs`.
 * Lines before a stream's first timestamp take that timestamp (or sort first if it has none).
 */
export function mergeByTime(inputs: StreamLines[]): MergedLine[] {
  const heap = new CursorHeap();
  const total = inputs.reduce((n, s) => n + s.lines.length, 0);
  const out: MergedLine[] = new Array(total);
  let n = 0;

  const cursorAt = (input: number, pos: number): Cursor | undefined => {
    const lines = inputs[input].lines;
    if (pos >= lines.length) return undefined;
    const end = recordEnd(lines, pos);
    let head = lines[pos];
    if (Number.isNaN(head.ms)) {
      // Leading untimestamped lines: sort them with the stream's first timestamped line.
      const first = lines.slice(end).find((l) => !Number.isNaN(l.ms));
      head = first ?? { ms: -Infinity, ns: 0, text: '' };
    }
    return { input, pos, end, ms: head.ms, ns: head.ns };
  };

  inputs.forEach((_, i) => {
    const c = cursorAt(i, 0);
    if (c) heap.push(c);
  });
  while (heap.size) {
    const c = heap.pop()!;
    const { stream, lines } = inputs[c.input];
    for (let i = c.pos; i < c.end; i++) {
      const l = lines[i];
      out[n++] = { stream, text: l.text, ms: Number.isNaN(l.ms) ? c.ms : l.ms, ns: Number.isNaN(l.ms) ? c.ns : l.ns, ...(l.time ? { time: l.time } : {}) };
    }
    const next = cursorAt(c.input, c.end);
    if (next) heap.push(next);
  }
  return out;
}

/** Compares two line keys. */
export function compareKeys(a: { ms: number; ns: number }, b: { ms: number; ns: number }): number {
  return a.ms !== b.ms ? (a.ms < b.ms ? -1 : 1) : a.ns - b.ns;
}
