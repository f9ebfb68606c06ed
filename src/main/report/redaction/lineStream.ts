import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import type { LineRedactor } from './lineRedactor';

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

export function truncationMarker(droppedBytes: number): string {
  return ` …[line truncated by Roadside: ${droppedBytes} bytes]`;
}

/** Bytes where a long line may be cut without splitting a word (or a secret) in two. */
function isCutPoint(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x2c || byte === 0x3b || byte === 0x22 || byte === 0x27 || byte === 0x0d;
}

/**
 * Redacts a log as it streams: bytes in, redacted bytes out, one line at a time.
 * Memory stays bounded by the longest kept line (maxLineBytes) plus one chunk: a longer
 * line keeps its first part (cut at a word boundary, so no secret is split and left
 * half-visible) and the rest is dropped and replaced by a marker. Text that is valid UTF-8
 * is handled as such; other bytes are handled as Latin-1, so they pass through unchanged.
 */
export class LineRedactionStream extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private droppedBytes = 0;
  private dropping = false;

  constructor(
    private readonly engine: LineRedactor,
    private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
  ) {
    super();
  }

  override _transform(chunk: Buffer | string, encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
      const out: string[] = [];
      const outBuffers: Buffer[] = [];
      const flushOut = () => {
        if (out.length > 0) {
          outBuffers.push(Buffer.from(out.join(''), this.engine.encoding));
          out.length = 0;
        }
      };
      let pos = 0;

      if (this.dropping) {
        const nl = buf.indexOf(NEWLINE);
        if (nl < 0) {
          this.droppedBytes += buf.length;
          callback();
          return;
        }
        this.droppedBytes += nl;
        outBuffers.push(Buffer.from(truncationMarker(this.droppedBytes) + '\n', 'utf8'));
        this.dropping = false;
        this.droppedBytes = 0;
        pos = nl + 1;
      }

      if (this.pendingBytes > 0) {
        const nl = buf.indexOf(NEWLINE, pos);
        if (nl < 0) {
          this.addPending(buf.subarray(pos));
          if (this.pendingBytes > this.maxLineBytes) outBuffers.push(this.cutPendingLine());
          this.pushAll(outBuffers);
          callback();
          return;
        }
        const line = Buffer.concat([...this.pending, buf.subarray(pos, nl)]);
        this.pending = [];
        this.pendingBytes = 0;
        outBuffers.push(this.redactLineBuffer(line, '\n'));
        pos = nl + 1;
      }

      const lastNl = buf.lastIndexOf(NEWLINE);
      if (lastNl >= pos) {
        const block = buf.subarray(pos, lastNl + 1);
        if (block.length <= this.maxLineBytes && isUtf8(block)) {
          this.engine.encoding = 'utf8';
          this.redactDecodedLines(block.toString('utf8'), out);
          flushOut();
        } else {
          let start = 0;
          while (start < block.length) {
            const nl = block.indexOf(NEWLINE, start);
            outBuffers.push(this.redactLineBuffer(block.subarray(start, nl), '\n'));
            start = nl + 1;
          }
        }
        pos = lastNl + 1;
      }

      if (pos < buf.length) {
        this.addPending(buf.subarray(pos));
        if (this.pendingBytes > this.maxLineBytes) outBuffers.push(this.cutPendingLine());
      }
      this.pushAll(outBuffers);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      const outBuffers: Buffer[] = [];
      if (this.dropping) {
        outBuffers.push(Buffer.from(truncationMarker(this.droppedBytes), 'utf8'));
        this.dropping = false;
      } else if (this.pendingBytes > 0) {
        const line = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        outBuffers.push(this.redactLineBuffer(line, ''));
      }
      const rest = this.engine.end();
      if (rest) outBuffers.push(Buffer.from(rest, this.engine.encoding));
      this.pushAll(outBuffers);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  private pushAll(buffers: Buffer[]): void {
    if (buffers.length === 1) this.push(buffers[0]);
    else if (buffers.length > 1) this.push(Buffer.concat(buffers));
  }

  private addPending(part: Buffer): void {
    if (part.length === 0) return;
    // Copy: the caller may reuse its chunk buffer.
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
  }

  private redactDecodedLines(text: string, out: string[]): void {
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      out.push(this.engine.push(text.slice(start, nl), '\n'));
      start = nl + 1;
    }
  }

  private redactLineBuffer(line: Buffer, eol: string): Buffer {
    if (line.length > this.maxLineBytes) {
      const kept = this.keptPart(line);
      const redacted = this.redactOneLine(line.subarray(0, kept), '');
      const marker = Buffer.from(truncationMarker(line.length - kept) + eol, 'utf8');
      return Buffer.concat([redacted, marker]);
    }
    return this.redactOneLine(line, eol);
  }

  private redactOneLine(line: Buffer, eol: string): Buffer {
    this.engine.encoding = isUtf8(line) ? 'utf8' : 'latin1';
    const text = line.toString(this.engine.encoding);
    return Buffer.from(this.engine.push(text, eol), this.engine.encoding);
  }

  /** A line grew past the limit before its newline arrived: write its kept part now, drop the rest as it comes. */
  private cutPendingLine(): Buffer {
    const line = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const kept = this.keptPart(line);
    this.dropping = true;
    this.droppedBytes = line.length - kept;
    return this.redactOneLine(line.subarray(0, kept), '');
  }

  private keptPart(line: Buffer): number {
    let cut = Math.min(this.maxLineBytes, line.length);
    while (cut > 0 && !isCutPoint(line[cut - 1])) cut--;
    return cut;
  }
}
