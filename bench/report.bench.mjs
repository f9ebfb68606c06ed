// Escalation bundle benchmark: the healthy sandbox grown to 200 pods, each with a log of
// LINES lines (~200 bytes a line), bundled from a live API. Prints wall time and the
// builder's peak memory; it is not a timed test.
//
//   node bench/report.bench.mjs                 (40 MB case, then the 1 GB case)
//   CASES=small node bench/report.bench.mjs     (only the 40 MB case)
//
// The sandbox runs in its own process (it holds every log line in memory), the builder in
// another, so the builder's peak RSS is its own. The TypeScript sources are bundled with
// vite into node_modules/.cache so their packages resolve from the project.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(projectRoot, 'node_modules/.cache/roadside-report-bench');
const PODS = 200;
const CASES = (process.env.CASES ?? 'small,large').split(',');
const LINES = { small: 1000, large: 25_000 };

async function bundleSources() {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: projectRoot,
    logLevel: 'silent',
    build: {
      ssr: true,
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'node20',
      rollupOptions: {
        input: {
          report: join(projectRoot, 'src/main/report/index.ts'),
          sandbox: join(projectRoot, 'src/main/sandbox/server.ts'),
          scenarios: join(projectRoot, 'src/main/sandbox/scenarios.ts'),
          incidents: join(projectRoot, 'src/main/incidents/index.ts'),
          contract: join(projectRoot, 'src/shared/contract.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].mjs' },
      },
    },
  });
  return (name) => pathToFileURL(join(outDir, `${name}.mjs`)).href;
}

const SANDBOX_SCRIPT = (mod, lines, kubeconfig) => `
import { writeFileSync } from 'node:fs';
const { loadScenario } = await import(${JSON.stringify(mod('scenarios'))});
const { startSandbox } = await import(${JSON.stringify(mod('sandbox'))});
const snapshot = await loadScenario('healthy');
const ns = 'traffic-system';
const template = snapshot.objects.find((o) => o.kind === 'Pod' && o.metadata.name.startsWith('traffic-system-backend'));
const existing = snapshot.objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === ns).length;
for (let i = existing; i < ${PODS}; i++) {
  const pod = structuredClone(template);
  pod.metadata.name = 'traffic-system-worker-' + i.toString(36).padStart(5, '0');
  delete pod.metadata.uid;
  pod.spec.containers = [pod.spec.containers[0]];
  pod.status.containerStatuses = [{ ...pod.status.containerStatuses[0], restartCount: 0 }];
  snapshot.objects.push(pod);
}
const pods = snapshot.objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === ns);
snapshot.logs = snapshot.logs.filter((l) => l.namespace !== ns);
const start = Date.now() - ${lines} * 1000;
const pad = 'x'.repeat(60);
for (const pod of pods) {
  const lines = new Array(${lines});
  for (let i = 0; i < ${lines}; i++) {
    const t = new Date(start + i * 1000).toISOString();
    lines[i] = i % 500 === 7
      ? t + ' [ERROR] django.db: connection to postgresql://trafficuser:Xk9vPq2LmW7tRz4N@traffic-system-postgresql:5432/trafficdb failed after ' + i + ' ms ' + pad
      : t + ' [INFO] django.request: "GET /api/v1/infractions/' + i + '/?page=2 HTTP/1.1" 200 5123 user=operador-' + (i % 17) + ' latency_ms=' + (i % 97) + ' ' + pad;
  }
  for (const c of pod.spec.containers) snapshot.logs.push({ namespace: ns, pod: pod.metadata.name, container: c.name, previous: false, lines: c === pod.spec.containers[0] ? lines : lines.slice(0, 10) });
}
const sandbox = await startSandbox({ snapshot, port: 0 });
writeFileSync(${JSON.stringify(kubeconfig)}, sandbox.kubeconfigYaml({ contextName: 'bench', namespace: ns }));
console.log('READY ' + pods.length);
process.on('SIGTERM', async () => { await sandbox.stop(); process.exit(0); });
`;

const BUILDER_SCRIPT = (mod, dataDir, kubeconfig, out) => `
const { buildBundle } = await import(${JSON.stringify(mod('report'))});
const { IncidentStore } = await import(${JSON.stringify(mod('incidents'))});
const { DEFAULT_SETTINGS } = await import(${JSON.stringify(mod('contract'))});
const { KubeConfig } = await import('@kubernetes/client-node');
const store = IncidentStore.open(${JSON.stringify(dataDir)}, { author: 'bench' });
const incident = store.createIncident({ title: 'Benchmark incident', severity: 'SEV2', context: 'bench', namespace: 'traffic-system', description: 'bench' });
store.close();
const kc = new KubeConfig();
kc.loadFromFile(${JSON.stringify(kubeconfig)});
let peak = 0;
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
const before = process.memoryUsage().rss;
const t0 = performance.now();
const result = await buildBundle(
  { dataDir: ${JSON.stringify(dataDir)}, version: 'bench', settings: () => DEFAULT_SETTINGS, kubeConfigFor: () => ({ name: 'bench', kc }) },
  { incidentId: incident.id, live: true, logs: {}, redaction: { customLiterals: [], customPatterns: [], exemptions: [] } },
  ${JSON.stringify(out)},
  { recordInTimeline: false },
);
const wallMs = performance.now() - t0;
clearInterval(sampler);
console.log(JSON.stringify({ wallMs, files: result.files, size: result.size, redacted: result.redactedValues, rssBefore: before, peakSampled: peak, maxRss: process.resourceUsage().maxRSS * 1024 }));
`;

function run(script, cwd, onLine) {
  // Beside the bundled modules, so their bare imports resolve from the project.
  const file = join(outDir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const child = spawn(process.execPath, ['--max-old-space-size=8192', ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), file], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    onLine?.(out);
  });
  const done = new Promise((res, rej) => child.on('exit', (code) => (code === 0 || child.killed ? res(out) : rej(new Error(`child exited ${code}: ${out}`)))));
  return { child, done };
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MB`;

async function main() {
  const mod = await bundleSources();
  const work = mkdtempSync(join(tmpdir(), 'roadside-report-bench-'));
  try {
    for (const name of CASES) {
      const lines = LINES[name];
      const kubeconfig = join(work, `${name}-kubeconfig.yaml`);
      let ready;
      const readyP = new Promise((r) => (ready = r));
      const sandbox = run(SANDBOX_SCRIPT(mod, lines, kubeconfig), work, (out) => out.includes('READY') && ready());
      await Promise.race([readyP, sandbox.done]);
      try {
        const dataDir = join(work, `${name}-data`);
        mkdirSync(dataDir);
        const out = join(work, `${name}.zip`);
        const builder = run(BUILDER_SCRIPT(mod, dataDir, kubeconfig, out), work);
        const r = JSON.parse((await builder.done).trim().split('\n').pop());
        const logBytes = PODS * lines * 200;
        console.log(
          `${name}: ${PODS} pods × ${lines} lines (~${mb(logBytes)} of logs) → ${r.files} files, zip ${mb(statSync(out).size)}, ${r.redacted} values redacted\n` +
            `  wall time ${(r.wallMs / 1000).toFixed(2)} s (goal < 3 s)   builder peak RSS ${mb(r.maxRss)} (sampled ${mb(r.peakSampled)}, at start ${mb(r.rssBefore)}; goal < 300 MB)`,
        );
      } finally {
        sandbox.child.kill('SIGTERM');
        await sandbox.done.catch(() => undefined);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
