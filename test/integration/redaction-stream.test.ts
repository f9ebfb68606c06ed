import { Readable, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { createRedactor, truncationMarker } from '../../src/main/report/redaction';

/**
 * A 50 MB log generated on the fly goes through the streaming redactor into a sink that
 * keeps nothing: resident memory must not grow with the log, secrets must not come out,
 * long lines must be cut. (bench/redaction.bench.mjs does the same for 1 GB.)
 */

const TOTAL_BYTES = 50 * 1024 * 1024;
const DB_PASSWORD = 'Xk9vPq2LmW7tRz4N';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiIsImV4cCI6MTg5MzQ1NjAwMH0.c2lnbmF0dXJlLTEyMzQ1Njc4OTA';
const PEM_BODY = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0';
const LONG_LINE_BYTES = 3 * 1024 * 1024;

function* logChunks(): Generator<Buffer> {
  let produced = 0;
  let i = 0;
  let batch: string[] = [];
  let batchBytes = 0;
  while (produced < TOTAL_BYTES) {
    i++;
    let line: string;
    if (i % 997 === 0) line = `2026-11-29T10:15:04.${i % 1000}Z ERROR db connect postgresql://trafficuser:${DB_PASSWORD}@traffic-system-postgresql:5432/trafficdb`;
    else if (i % 1009 === 0) line = `2026-11-29T10:15:04Z DEBUG auth headers {'Authorization': 'Bearer ${JWT}'}`;
    else if (i % 50_021 === 0) line = `2026-11-29T10:15:04Z DEBUG key:\n-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`;
    else if (i % 150_001 === 0) line = 'huge ' + 'a1b2c3d4 '.repeat(LONG_LINE_BYTES / 9);
    else line = `10.244.0.${i % 255} - - [29/Nov/2026:10:15:02 +0000] "GET /api/v1/infractions/?page=${i % 40} HTTP/1.1" 200 ${i % 9000} "-" "Mozilla/5.0" 512 0.012 [traffic-system-traffic-system-backend-8000] 10.244.1.12:8000 req=${i.toString(16)}`;
    batch.push(line);
    batchBytes += line.length + 1;
    if (batchBytes >= 64 * 1024) {
      const chunk = Buffer.from(batch.join('\n') + '\n');
      produced += chunk.length;
      yield chunk;
      batch = [];
      batchBytes = 0;
    }
  }
}

// A collectable heap makes "live memory" a steady figure to compare; RSS alone moves with GC timing.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function liveBytes(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

describe('streaming redaction of a large log', () => {
  test('50 MB pass through with bounded memory; secrets hidden; long lines cut', async () => {
    const redactor = createRedactor();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const live: number[] = [];
    const checkpoints = [0.1, 0.5, 0.9].map((f) => f * TOTAL_BYTES);
    let bytesOut = 0;
    let leaked = 0;
    let markers = 0;
    let tail = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        bytesOut += chunk.length;
        const text = tail + chunk.toString('utf8');
        if (text.includes(DB_PASSWORD) || text.includes(JWT) || text.includes(PEM_BODY)) leaked++;
        markers += text.split('[line truncated by Roadside: ').length - 1;
        tail = text.slice(-200);
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        if (live.length < checkpoints.length && bytesOut >= checkpoints[live.length]) live.push(liveBytes());
        cb();
      },
    });
    await pipeline(Readable.from(logChunks()), redactor.redactLineStream('logs/traffic-system/backend.log'), sink);
    const mb = (n: number) => n / (1024 * 1024);
    console.log(
      `streamed ${mb(bytesOut).toFixed(0)} MB: RSS growth ${mb(rssPeak - rssBefore).toFixed(1)} MB, ` +
        `live memory at 10/50/90%: ${live.map((b) => mb(b).toFixed(1)).join(' / ')} MB`,
    );

    expect(leaked).toBe(0);
    expect(bytesOut).toBeGreaterThan(TOTAL_BYTES * 0.9);
    const counts = redactor.ledger.countsFor('logs/traffic-system/backend.log');
    expect(counts['url-password']).toBeGreaterThan(100);
    expect(counts.jwt).toBeGreaterThan(100);
    expect(counts['private-key']).toBeGreaterThan(0);
    expect(markers).toBeGreaterThan(0);
    // Keeping the log or its output would add ~40 MB of live memory between the 10% and 90% marks.
    expect(live).toHaveLength(3);
    expect(mb(live[2] - live[0])).toBeLessThan(8);
    // RSS also carries GC headroom (young generation, freed buffers not yet returned): a coarse bound.
    expect(mb(rssPeak - rssBefore)).toBeLessThan(160);
  });

  test('the marker tells how many bytes were dropped', async () => {
    const redactor = createRedactor({ maxLineBytes: 100 });
    const line = 'x '.repeat(100);
    const out: Buffer[] = [];
    await pipeline(Readable.from([Buffer.from(line + '\nnext\n')]), redactor.redactLineStream('a.log'), async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) out.push(c);
    });
    expect(Buffer.concat(out).toString()).toBe('x '.repeat(50) + truncationMarker(100) + '\nnext\n');
  });
});
