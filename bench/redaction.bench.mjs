// Redaction engine benchmark: throughput of the log stream (MB/s) over a realistic
// traffic-system log, redactText throughput, and peak RSS while 1 GB is streamed.
// Prints figures; it is not a timed test.
//
//   node bench/redaction.bench.mjs                 (about 30–60 s on 2 cores)
//   STREAM_MB=200 node bench/redaction.bench.mjs   (quicker look)
//
// The engine is TypeScript; this script bundles it with vite (a dev dependency) into a
// temporary folder and runs it under plain Node. The 1 GB run happens in a fresh child
// process so its RSS is not mixed with the bundling step.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STREAM_MB = Number(process.env.STREAM_MB ?? 1024);
const THROUGHPUT_MB = Number(process.env.THROUGHPUT_MB ?? 256);

async function bundleRedaction(outDir) {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: projectRoot,
    logLevel: 'silent',
    build: {
      ssr: join(projectRoot, 'src/main/report/redaction/index.ts'),
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'node20',
      rollupOptions: { output: { format: 'es', entryFileNames: 'redaction.mjs' } },
    },
    ssr: { noExternal: true },
  });
  return pathToFileURL(join(outDir, 'redaction.mjs')).href;
}

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsIm5hbWUiOiJvcGVyYWRvciJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  ...Array.from({ length: 25 }, (_, i) => 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0' + i),
  '-----END RSA PRIVATE KEY-----',
].join('\n');

/** One realistic line of a traffic-system namespace log (Django, nginx, PostgreSQL, MinIO, ML service). */
function logLine(i) {
  const t = `2026-11-29T10:${String(Math.floor(i / 60000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z`;
  switch (i % 10) {
    case 0:
      return `${t} INFO django.server "GET /api/v1/infractions/?page=${i % 50}&camera=cam-${i % 64} HTTP/1.1" 200 ${1000 + (i % 9000)}`;
    case 1:
      return `10.244.${i % 4}.${i % 250} - - [29/Nov/2026:10:15:02 +0000] "POST /api/v1/detections HTTP/1.1" 201 87 "-" "python-requests/2.31" 734 0.0${i % 90} [traffic-system-traffic-system-backend-8000] [] 10.244.1.12:8000 87 0.0${i % 90} 201 ${(i * 2654435761 >>> 0).toString(16)}`;
    case 2:
      return `${t} [${1000 + (i % 500)}] LOG:  duration: ${(i % 700) / 10} ms  statement: SELECT id, plate, camera_id FROM infractions WHERE created_at > now() - interval '5 minutes'`;
    case 3:
      return `${t} INFO ml-service inference model=yolov8n-plates batch=${1 + (i % 16)} gpu=0 latency_ms=${20 + (i % 60)} frame_sha256=2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae`;
    case 4:
      return `API: PutObject(bucket=traffic-evidence, object=2026/11/29/cam-${i % 64}/frame-${i}.jpg) Time: 10:15:02 UTC RemoteHost: 10.244.1.12 Host: traffic-system-minio:9000 RequestID: 17B${i.toString(16).toUpperCase()}`;
    case 5:
      return `${t} WARNING django.request Not Found: /api/v1/cameras/${i % 999}/status request_id=7f3b2a1c-9e8d-4c6b-a5f4-${String(i).padStart(12, '0')}`;
    case 6:
      return `${t} INFO celery.worker Task traffic.tasks.process_frame[${(i * 40503).toString(16)}] succeeded in ${(i % 300) / 100}s: None`;
    case 7:
      if (i % 70 === 7) return `${t} DEBUG auth headers={'Authorization': 'Bearer ${JWT}', 'X-Request-Id': '${i}'}`;
      if (i % 70 === 17) return `${t} ERROR db OperationalError: could not connect: postgresql://trafficuser:Xk9vPq2LmW7tRz4N@traffic-system-postgresql:5432/trafficdb`;
      return `${t} INFO gunicorn.access 10.244.0.1 "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"`;
    case 8:
      if (i % 50_000 === 8) return `${t} DEBUG loaded signing key\n${PEM}`;
      return `I1129 10:15:04.${String(i % 1000000).padStart(6, '0')}       7 controller.go:190] "Backend successfully reloaded" ingress="traffic-system/traffic-system"`;
    default:
      if (i % 90 === 9) return `${t} DEBUG settings MINIO_SECRET_KEY=Mn1oR00tPa55-8KxV2qZ api_key=tk_live_51Hh8QpR2kLmN3oP4qR5sT6uV7wX8yZ9`;
      return `${t} INFO traffic.pipeline camera=cam-${i % 64} plate=${1000 + (i % 9000)}-BCD confidence=0.9${i % 10} speed_kmh=${40 + (i % 80)} limit_kmh=50`;
  }
}

/** About 8 MB of log in 64 KiB chunks, reused to feed as many bytes as asked. */
function buildChunkPool() {
  const chunks = [];
  let lines = [];
  let size = 0;
  let total = 0;
  for (let i = 0; total < 8 * 1024 * 1024; i++) {
    const line = logLine(i);
    lines.push(line);
    size += line.length + 1;
    if (size >= 64 * 1024) {
      const chunk = Buffer.from(lines.join('\n') + '\n');
      chunks.push(chunk);
      total += chunk.length;
      lines = [];
      size = 0;
    }
  }
  return chunks;
}

function* feed(pool, totalBytes) {
  let sent = 0;
  for (let i = 0; sent < totalBytes; i++) {
    const chunk = pool[i % pool.length];
    sent += chunk.length;
    yield chunk;
  }
}

async function streamOnce(mod, pool, totalBytes, onChunk = () => {}) {
  const redactor = mod.createRedactor();
  let out = 0;
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.length;
      onChunk();
      cb();
    },
  });
  const start = performance.now();
  await pipeline(Readable.from(feed(pool, totalBytes)), redactor.redactLineStream('logs/traffic-system/all.log'), sink);
  return { seconds: (performance.now() - start) / 1000, out, counts: redactor.ledger.countsFor('logs/traffic-system/all.log') };
}

const mb = (n) => n / (1024 * 1024);

async function childStream(moduleUrl, totalMb) {
  const mod = await import(moduleUrl);
  const pool = buildChunkPool();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  };
  const timer = setInterval(sample, 50);
  const result = await streamOnce(mod, pool, totalMb * 1024 * 1024, sample);
  clearInterval(timer);
  sample();
  process.stdout.write(JSON.stringify({ ...result, baseline, peak, totalMb }) + '\n');
}

async function main() {
  if (process.argv[2] === '--child-stream') {
    await childStream(process.argv[3], Number(process.argv[4]));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'roadside-redaction-bench-'));
  try {
    const moduleUrl = await bundleRedaction(dir);
    const mod = await import(moduleUrl);
    const pool = buildChunkPool();
    console.log(`Redaction benchmark (Node ${process.version}); log pool ${mb(pool.reduce((a, c) => a + c.length, 0)).toFixed(1)} MB, lines like logLine() in this file`);

    await streamOnce(mod, pool, 32 * 1024 * 1024); // warm-up
    const t = await streamOnce(mod, pool, THROUGHPUT_MB * 1024 * 1024);
    console.log(`stream: ${mb(t.out).toFixed(0)} MB in ${t.seconds.toFixed(2)} s = ${(mb(t.out) / t.seconds).toFixed(1)} MB/s; hidden: ${JSON.stringify(t.counts)}`);

    const text = Buffer.concat(pool).toString('utf8');
    const redactor = mod.createRedactor();
    const start = performance.now();
    const redacted = redactor.redactText(text).text;
    const s = (performance.now() - start) / 1000;
    console.log(`redactText: ${mb(Buffer.byteLength(text)).toFixed(1)} MB in ${s.toFixed(2)} s = ${(mb(Buffer.byteLength(text)) / s).toFixed(1)} MB/s`);

    // Over-redaction: lines changed that hold none of the planted secrets (PEM blocks collapse, so compare outside them).
    const planted = [JWT, 'Xk9vPq2LmW7tRz4N', 'Mn1oR00tPa55-8KxV2qZ', 'tk_live_51Hh8QpR2kLmN3oP4qR5sT6uV7wX8yZ9'];
    const withoutPem = (t) => t.replace(/DEBUG loaded signing key\n(?:-----BEGIN RSA PRIVATE KEY-----[\s\S]*?-----END RSA PRIVATE KEY-----|\[REDACTED:private-key:[0-9a-f]{6}\])/g, 'PEM');
    const inLines = withoutPem(text).split('\n');
    const outLines = withoutPem(redacted).split('\n');
    let secretLines = 0;
    let overRedacted = 0;
    let missed = 0;
    for (let i = 0; i < inLines.length; i++) {
      const hasSecret = planted.some((p) => inLines[i].includes(p));
      if (hasSecret) secretLines++;
      if (!hasSecret && inLines[i] !== outLines[i]) overRedacted++;
      if (planted.some((p) => outLines[i]?.includes(p))) missed++;
    }
    console.log(`over-redaction: ${overRedacted} of ${inLines.length - secretLines} lines without secrets changed; ${missed} of ${secretLines} lines with secrets still show one`);

    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child-stream', moduleUrl, String(STREAM_MB)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    const code = await new Promise((res) => child.on('close', res));
    if (code !== 0) throw new Error(`child exited with ${code}`);
    const r = JSON.parse(output.trim().split('\n').pop());
    console.log(
      `stream ${r.totalMb} MB in a fresh process: ${r.seconds.toFixed(1)} s (${(mb(r.out) / r.seconds).toFixed(1)} MB/s), ` +
        `RSS baseline ${mb(r.baseline).toFixed(0)} MB, peak ${mb(r.peak).toFixed(0)} MB (growth ${mb(r.peak - r.baseline).toFixed(0)} MB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
