// Diagnose benchmark (issue: runbook diagnostics, performance). Against the healthy
// sandbox with latencyMs 20 it measures, in one run:
//   - the guide's health-check.sh (its 5 kubectl calls): the baseline;
//   - the whole `roadside diagnose` process (start-up included);
//   - the engine alone in a running process (the app's case);
//   - API requests per run, and the floor: distinct reads ÷ concurrency × latency;
//   - a bare `roadside --help`.
// Prints figures beside the goals; it is not a timed test.
//
//   npm run build && node bench/diagnose.bench.mjs        (RUNS=9: two passes of 5 runs each by default)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS ?? 9);
const LATENCY_MS = 20;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const jiti = createJiti(import.meta.url);

if (!existsSync(join(root, 'out/main/cli.js'))) {
  console.error('Build first: npm run build');
  process.exit(2);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// The sandbox runs in a process of its own, as a real cluster is elsewhere: the engine measured
// in this process does not pay for the sandbox's work.
function startSandboxProcess(scenario, latencyMs, kubeconfigOut) {
  const child = spawn(process.execPath, [join(root, 'bench/sandbox-process.mjs'), scenario, String(latencyMs), kubeconfigOut], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolveStart, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code}) before listening`)));
    child.stdout.once('data', () =>
      resolveStart({
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', done);
            child.stdin.end();
          }),
      }),
    );
  });
}

function runOnce(cmd, args, env) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (status) => resolveRun({ status, stdout, stderr }));
  });
}

async function timeCommand(cmd, args, env) {
  const samples = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    last = await runOnce(cmd, args, env);
    samples.push(performance.now() - t0);
    if (last.status !== 0 && last.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${last.status}: ${last.stderr}`);
  }
  return { ms: median(samples), last };
}

function kubectlBinary() {
  const onPath = execFileSync('bash', ['-lc', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  const real = join(dirname(realpathSync(onPath)), 'kubectl.1.31');
  return existsSync(real) ? real : onPath;
}

const { runChecks } = await jiti.import(join(root, 'src/main/checks/engine.ts'));
const { ClusterContext } = await jiti.import(join(root, 'src/main/checks/cluster-context.ts'));
const { KubeConfig } = await import('@kubernetes/client-node');

const dir = mkdtempSync(join(tmpdir(), 'roadside-bench-diagnose-'));
const kubeconfig = join(dir, 'kubeconfig.yaml');
const sandbox = await startSandboxProcess('healthy', LATENCY_MS, kubeconfig);

try {
  // 1. The guide's health-check.sh, with a real kubectl.
  const kubectl = kubectlBinary();
  const script = join(dir, 'health-check.sh');
  writeFileSync(
    script,
    `#!/bin/bash
K="${kubectl} --kubeconfig ${kubeconfig}"
echo "=== Traffic System Health Check ==="
echo "1. Checking pods..."; $K get pods -n traffic-system
echo "2. Checking services..."; $K get svc -n traffic-system
echo "3. Checking storage..."; $K get pvc -n traffic-system
echo "4. Checking resources..."; $K top pods -n traffic-system
echo "5. Checking recent events..."; $K get events -n traffic-system --sort-by='.lastTimestamp' | tail -20
`,
  );
  const env = { ROADSIDE_HOME: join(dir, 'home'), KUBECONFIG: '' };
  const diagnoseArgs = [join(root, 'bin/roadside.js'), 'diagnose', '--kubeconfig', kubeconfig, '--context', 'roadside-sandbox', '--json', '--concurrency', String(CONCURRENCY)];
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const engineRun = () =>
    runChecks({
      contextName: 'roadside-sandbox',
      namespace: 'traffic-system',
      concurrency: CONCURRENCY,
      context: (signal) => new ClusterContext({ kubeConfig: kc, namespace: 'traffic-system', signal }),
    });
  // One warm-up of each, not counted: the first kubectl and node starts read from disk.
  await runOnce('bash', [script], {});
  await runOnce(process.execPath, diagnoseArgs, env);
  await engineRun();

  // Two passes of three blocks: 1. health-check.sh with a real kubectl (the baseline), 2. the
  // whole roadside diagnose process, 3. the engine alone in this process, run after run as the
  // desktop app runs it. The second pass evens out a busy spell of the machine.
  const samples = { baseline: [], cli: [], engine: [] };
  let cliResult;
  let engineResult;
  const perBlock = Math.ceil(RUNS / 2);
  for (let pass = 1; pass <= 2; pass++) {
    process.stderr.write(`… pass ${pass}/2\n`);
    for (let i = 0; i < perBlock; i++) {
      const t0 = performance.now();
      const b = await runOnce('bash', [script], {});
      samples.baseline.push(performance.now() - t0);
      if (b.status !== 0) throw new Error(`health-check.sh exited ${b.status}: ${b.stderr}`);
    }
    for (let i = 0; i < perBlock; i++) {
      const t0 = performance.now();
      const c = await runOnce(process.execPath, diagnoseArgs, env);
      samples.cli.push(performance.now() - t0);
      if (c.status !== 0 && c.status !== 1) throw new Error(`roadside diagnose exited ${c.status}: ${c.stderr}`);
      cliResult = JSON.parse(c.stdout);
    }
    for (let i = 0; i < perBlock; i++) {
      const t0 = performance.now();
      engineResult = await engineRun();
      samples.engine.push(performance.now() - t0);
    }
  }
  const baseline = { ms: median(samples.baseline) };
  const cli = { ms: median(samples.cli) };
  const engineMs = median(samples.engine);

  // 4. The floor: every distinct read once, CONCURRENCY at a time, each costing the latency.
  const floorMs = (engineResult.requests / CONCURRENCY) * LATENCY_MS;

  // 5. A bare --help.
  const help = await timeCommand(process.execPath, [join(root, 'bin/roadside.js'), '--help'], env);

  const f = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
  const ok = (b) => (b ? 'met' : 'NOT met');
  console.log(`\nroadside diagnose benchmark — healthy sandbox, latencyMs ${LATENCY_MS}, concurrency ${CONCURRENCY}, ${2 * Math.ceil(RUNS / 2)} runs each in two passes (median)\n`);
  console.log(`  health-check.sh (5 kubectl calls, baseline)   ${f(baseline.ms)}`);
  console.log(`  roadside diagnose (whole CLI process)         ${f(cli.ms)}   ${(cli.ms / baseline.ms).toFixed(2)}× baseline   goal ≤ 1.0×: ${ok(cli.ms <= baseline.ms)}`);
  console.log(`  engine in a running process                   ${f(engineMs)}   ${(engineMs / baseline.ms).toFixed(2)}× baseline   goal < 0.3×: ${ok(engineMs < 0.3 * baseline.ms)}`);
  console.log(`  floor (reads ÷ concurrency × latency)         ${f(floorMs)}   engine = ${(engineMs / floorMs).toFixed(2)}× floor       goal ≤ 2×: ${ok(engineMs <= 2 * floorMs)}`);
  console.log(`  API requests per run                          ${String(engineResult.requests).padStart(6)}      (${cliResult.findings.length} checks; CLI run: ${cliResult.requests})`);
  console.log(`  roadside --help                               ${f(help.ms)}   goal < 300 ms: ${ok(help.ms < 300)}`);
  const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`;
  console.log(`  spread: baseline ${range(samples.baseline)}, CLI ${range(samples.cli)}, engine ${range(samples.engine)}`);
  console.log(`  findings: ${JSON.stringify(engineResult.summary)}\n`);
} finally {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}
