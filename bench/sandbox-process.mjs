// Serves a built-in scenario from its own process for the benchmarks, so the engine measured
// in the benchmark's process does not also pay for the sandbox's work (a real cluster is remote).
//   node bench/sandbox-process.mjs SCENARIO LATENCY_MS KUBECONFIG_OUT
// Prints one JSON line {url} once listening; stops when its stdin closes or on SIGTERM.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [scenarioName = 'healthy', latency = '0', kubeconfigOut] = process.argv.slice(2);
const jiti = createJiti(import.meta.url);
const { loadScenario } = await jiti.import(join(root, 'src/main/sandbox/scenarios.ts'));
const { startSandbox } = await jiti.import(join(root, 'src/main/sandbox/server.ts'));

const snapshot = await loadScenario(scenarioName);
snapshot.scenario.latencyMs = Number(latency);
const sandbox = await startSandbox({ snapshot, port: 0 });
if (kubeconfigOut) writeFileSync(kubeconfigOut, sandbox.kubeconfigYaml({ contextName: 'roadside-sandbox', namespace: 'traffic-system' }));
const stop = async () => {
  await sandbox.stop();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.stdout.write(`${JSON.stringify({ url: sandbox.url, requests: sandbox.requestCount() })}\n`);
