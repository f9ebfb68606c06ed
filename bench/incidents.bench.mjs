// Incident store benchmark: one incident with 100,000 timeline entries and 2,000
// attachments. Prints figures beside the goals; it is not a timed test.
//
//   node bench/incidents.bench.mjs            (about 30–60 s on 2 cores)
//   ENTRIES=20000 ATTACHMENTS=400 node bench/incidents.bench.mjs   (quicker look)
//
// The store is TypeScript; this script bundles it with vite (a dev dependency)
// into a temporary folder and runs it under plain Node, as the CLI would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildIncidentStoreBundle } from '../test/integration/fixtures/incidents-bundle.mjs';

const ENTRIES = Number(process.env.ENTRIES ?? 100_000);
const ATTACHMENTS = Number(process.env.ATTACHMENTS ?? 2_000);
const RUNS = 30;

const WORDS = (
  'pod backend frontend postgres postgresql minio prometheus ingress nginx helm release gpu ml service inference ' +
  'timeout latency connection refused reset dns resolve crashloopbackoff oomkilled evicted pending node disk ' +
  'pressure memory cpu throttling replica scale rollout rollback deployment statefulset volume pvc bound ' +
  'certificate expired jwt token unauthorized forbidden networkpolicy egress queue celery worker redis slow query ' +
  'index vacuum lock deadlock checkpoint wal backup restore bucket upload camera infraction plate detection ' +
  'verificar revisar reinicio conexión base datos lenta almacenamiento lleno escalar réplica'
).split(' ');

let seed = 42;
function random() {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const sentence = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');

function makeEntry(i, baseMs) {
  const at = baseMs + i * 1000;
  switch (i % 5) {
    case 0:
    case 1:
      return { kind: 'note', at, body: `## ${sentence(4)}\n\n${sentence(25)}\n\n- ${sentence(8)}\n- ${sentence(8)}` };
    case 2:
      return {
        kind: 'finding',
        at,
        data: { checkId: `database.${pick(WORDS)}`, status: pick(['pass', 'warn', 'fail']), message: sentence(14), command: 'kubectl get pods -n traffic-system' },
      };
    case 3:
      return {
        kind: 'action',
        at,
        data: { actionId: 'scale-deployment', target: 'deployment/traffic-system-backend', before: { replicas: 2 }, after: { replicas: 4 }, result: 'succeeded' },
        body: sentence(10),
      };
    default:
      return { kind: 'diagnostic-run', at, data: { summary: sentence(8), counts: { pass: 10, warn: 2, fail: 1, error: 0, skipped: 3 } } };
  }
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

function time(fn) {
  const start = performance.now();
  const result = fn();
  return [performance.now() - start, result];
}

function measure(fn, runs = RUNS) {
  const first = time(fn)[0];
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(time(fn)[0]);
  return { first, ...stats(samples) };
}

const root = mkdtempSync(join(tmpdir(), 'roadside-incidents-bench-'));
try {
  const bundleUrl = await buildIncidentStoreBundle(join(root, 'bundle'));
  const { IncidentStore } = await import(bundleUrl);
  const dataDir = join(root, 'data');

  // ---- seed ----
  let store = IncidentStore.open(dataDir, { author: 'bench' });
  const seedStart = performance.now();
  for (let i = 0; i < 20; i++) {
    const other = store.createIncident({ title: `Older incident ${i}: ${sentence(4)}`, severity: 'SEV3', namespace: 'traffic-system' });
    store.addEntries(other.id, Array.from({ length: 200 }, (_, j) => makeEntry(j, Date.parse('2024-01-01T00:00:00Z'))));
  }
  const incident = store.createIncident({
    title: 'Backend 502s after GPU node drain',
    severity: 'SEV1',
    context: 'prod-eu',
    namespace: 'traffic-system',
    description: 'Ingress returns 502 for /api/infractions; ML inference timeouts.',
    startedAt: '2024-06-01T08:00:00Z',
  });
  const base = Date.parse('2024-06-01T08:00:00Z');
  for (let done = 0; done < ENTRIES; done += 10_000) {
    const count = Math.min(10_000, ENTRIES - done);
    store.addEntries(incident.id, Array.from({ length: count }, (_, j) => makeEntry(done + j, base)));
  }
  const entriesSeeded = performance.now() - seedStart;
  const attachStart = performance.now();
  for (let i = 0; i < ATTACHMENTS; i++) {
    const large = i % 100 === 0; // 1 in 100 above the inline threshold, stored as a file
    const binary = i % 10 === 5;
    const size = large ? 300 * 1024 : 1024 + Math.floor(random() * 8 * 1024);
    const data = binary
      ? Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)))
      : Buffer.from(Array.from({ length: Math.ceil(size / 60) }, (_, line) => `${line} ${sentence(8)}`).join('\n').slice(0, size));
    await store.addAttachment(incident.id, {
      name: binary ? `capture-${i}.bin` : `backend-${i}.log`,
      mediaType: binary ? 'application/octet-stream' : 'text/plain',
      data,
      caption: `kubectl logs excerpt ${i}`,
      at: base + i * 50_000 + 500,
    });
  }
  const attachmentsSeeded = performance.now() - attachStart;
  store.close();

  // ---- measure ----
  const [openQuickMs, checked] = time(() => IncidentStore.open(dataDir, { author: 'bench', verify: 'quick' }));
  checked.close();
  const [openMs, reopened] = time(() => IncidentStore.open(dataDir, { author: 'bench' }));
  store = reopened;

  const newest = measure(() => store.openIncident(incident.id, { limit: 200 }));
  const pageCheck = store.openIncident(incident.id, { limit: 200 });
  let cursor = pageCheck.timeline.next;
  const deepPage = measure(() => {
    const page = store.listEntries(incident.id, { limit: 200, after: cursor });
    cursor = page.next ?? pageCheck.timeline.next;
    return page;
  });
  const around = measure(() => store.listEntries(incident.id, { limit: 200, around: base + Math.floor(ENTRIES / 3) * 1000 }));
  const pinned = measure(() => store.listEntries(incident.id, { limit: 200, kinds: ['finding'] }));
  const ftsSelective = measure(() => store.search('deadlock checkpoint', { incidentId: incident.id }));
  const ftsCommon = measure(() => store.search('postgres', { incidentId: incident.id }));
  const ftsPrefix = measure(() => store.search('crashloop', {}));
  const ftsAttachment = measure(() => store.search('"celery worker"', { incidentId: incident.id, limit: 20 }));
  // The store checkpoints the WAL about a second after writes; between batches that
  // pause is given, as between two refreshes, and the checkpoint is timed on its own.
  const appendSamples = [];
  const checkpointSamples = [];
  for (let round = 0; round < 5; round++) {
    const batch = Array.from({ length: 10_000 }, (_, j) => makeEntry(ENTRIES + round * 10_000 + j, base));
    appendSamples.push(time(() => store.addEntries(incident.id, batch))[0]);
    checkpointSamples.push(time(() => store.checkpoint())[0]);
  }
  const checkpoint = { first: checkpointSamples[0], ...stats(checkpointSamples.slice(1)) };
  const append = { first: appendSamples[0], ...stats(appendSamples.slice(1)) };
  const single = measure(() => store.addEntry(incident.id, { kind: 'note', body: sentence(20) }), 50);
  const hits = store.search('deadlock checkpoint', { incidentId: incident.id }).length;
  const count = store.getIncident(incident.id).entryCount;
  store.close();

  const fmt = (ms) => (ms === undefined ? '' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
  const rows = [
    ['open incident + newest 200 entries', 10, newest],
    ['full-text query, 2 words (incident)', 20, ftsSelective],
    ['full-text query, common word', 20, ftsCommon],
    ['full-text prefix query, all incidents', 20, ftsPrefix],
    ['full-text phrase query', 20, ftsAttachment],
    ['append 10,000 entries, one batch', 150, append],
    ['next page by cursor (200)', undefined, deepPage],
    ['jump to a time (200 around)', undefined, around],
    ['filter by kind (200 findings)', undefined, pinned],
    ['append 1 entry (fsync per commit)', undefined, single],
    ['WAL checkpoint after a 10,000 batch', undefined, checkpoint],
  ];
  console.log(`\nIncident store benchmark — ${count.toLocaleString('en')} entries, ${ATTACHMENTS.toLocaleString('en')} attachments in the incident`);
  console.log(`seeded entries in ${fmt(entriesSeeded)} ms, attachments in ${fmt(attachmentsSeeded)} ms; ${hits} hits for the 2-word query`);
  console.log(`open store: ${fmt(openMs)} ms (default checks), ${fmt(openQuickMs)} ms with verify: 'quick' (reads every page)\n`);
  const header = ['operation', 'goal ms', 'median', 'p95', 'first', 'verdict'];
  const table = rows.map(([name, goal, s]) => [
    name,
    goal === undefined ? '—' : `< ${goal}`,
    fmt(s.median),
    fmt(s.p95),
    fmt(s.first),
    goal === undefined ? '' : s.median < goal ? 'ok' : 'OVER',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  console.log(`\n(ms; median and p95 of ${RUNS} runs after a first run; append: median of 4 after the first)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
