// The runbook checks of sections connectivity, database and performance against the real
// sandbox API server: each built-in scenario's own expectations for these checks must hold.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnoseResult, Section } from '../../src/shared/checks';
import { ClusterContext } from '../../src/main/checks/cluster-context';
import { runChecks } from '../../src/main/checks/engine';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import type { Snapshot } from '../../src/main/sandbox/snapshot-types';

const SECTIONS: Section[] = ['connectivity', 'database', 'performance'];
const MINE = /^(connectivity|database|performance)\./;
const NS = 'traffic-system';

interface ScenarioRun {
  snapshot: Snapshot;
  result: DiagnoseResult;
  sandboxRequests: number;
}

async function diagnose(name: string): Promise<ScenarioRun> {
  const snapshot = await loadScenario(name);
  const sandbox: RunningSandbox = await startSandbox({ snapshot, port: 0 });
  try {
    const kc = new KubeConfig();
    kc.loadFromString(sandbox.kubeconfigYaml({ namespace: NS }));
    const before = sandbox.requestCount();
    const result = await runChecks({
      context: (signal) => new ClusterContext({ kubeConfig: kc, namespace: NS, signal }),
      contextName: 'roadside-sandbox',
      namespace: NS,
      sections: SECTIONS,
      timeoutMs: 20_000,
    });
    return { snapshot, result, sandboxRequests: sandbox.requestCount() - before };
  } finally {
    await sandbox.stop();
  }
}

function statusOf(result: DiagnoseResult, id: string): string | undefined {
  return result.findings.find((f) => f.check === id)?.status;
}

function explain(result: DiagnoseResult): string {
  return result.findings.map((f) => `${f.check}: ${f.status} — ${f.message}`).join('\n');
}

const SCENARIOS = ['healthy', 'backend-502', 'postgres-down', 'ml-service-saturated', 'db-slow-queries', 'tls-expiring'];

describe('runbook checks against the sandbox', () => {
  const runs = new Map<string, ScenarioRun>();

  beforeAll(async () => {
    for (const name of SCENARIOS) runs.set(name, await diagnose(name));
  }, 120_000);

  afterAll(() => runs.clear());

  for (const name of SCENARIOS) {
    it(`${name}: the scenario's expectations for connectivity, database and performance hold`, () => {
      const { snapshot, result } = runs.get(name)!;
      expect(result.unreachable).toBeUndefined();
      const expectations = snapshot.scenario.expect.filter((e) => MINE.test(e.check));
      expect(expectations.length, `${name} names no expectation for these sections`).toBeGreaterThan(0);
      const actual = Object.fromEntries(expectations.map((e) => [e.check, statusOf(result, e.check)]));
      const wanted = Object.fromEntries(expectations.map((e) => [e.check, e.status]));
      expect(actual, explain(result)).toEqual(wanted);
    });
  }

  it('healthy: every check of these sections runs and none fails or errors', () => {
    const { result } = runs.get('healthy')!;
    expect(result.findings).toHaveLength(17);
    const bad = result.findings.filter((f) => f.status === 'fail' || f.status === 'error');
    expect(bad, explain(result)).toEqual([]);
    expect(result.score.overall).toBe(100);
    expect(result.summary.pass).toBe(17);
  });

  it('counts the API requests it made as the API server does, reading each list once', () => {
    const { result, sandboxRequests } = runs.get('healthy')!;
    expect(result.requests).toBeGreaterThan(0);
    expect(result.requests).toBe(sandboxRequests);
    // 17 checks share one read cache: far fewer requests than a read per check and resource.
    expect(result.requests).toBeLessThan(60);
  });

  it('backend-502: the finding names CrashLoopBackOff and offers the backend restart', () => {
    const { result } = runs.get('backend-502')!;
    const pods = result.findings.find((f) => f.check === 'connectivity.pods-healthy')!;
    expect(pods.message).toMatch(/traffic-system-backend-\S+ CrashLoopBackOff/);
    expect(pods.actions).toContain('rollout-restart:backend');
    expect(pods.kubectl).toContain('kubectl get pods -n traffic-system');
    const endpoints = result.findings.find((f) => f.check === 'connectivity.service-endpoints')!;
    expect(endpoints.message).toMatch(/traffic-system-backend has no ready endpoints/);
  });

  it('ml-service-saturated: GPU readings come from nvidia-smi through exec', () => {
    const { result } = runs.get('ml-service-saturated')!;
    const gpu = result.findings.find((f) => f.check === 'performance.ml-service-gpu')!;
    expect(gpu.message).toMatch(/Tesla T4\) at 100% utilization/);
    expect(gpu.evidence.some((e) => e.kind === 'output' && e.command.includes('nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total'))).toBe(true);
  });

  it('tls-expiring: the certificate read from the secret expires within days, and no key material is in the finding', () => {
    const { result } = runs.get('tls-expiring')!;
    const tls = result.findings.find((f) => f.check === 'connectivity.tls-certificates')!;
    expect(tls.message).toMatch(/expires in [0-5] days/);
    const text = JSON.stringify(tls);
    expect(text).not.toMatch(/BEGIN|LS0tLS1/);
  });

  it('backend health goes through port-forward and reports the HTTP status and latency', () => {
    const { result } = runs.get('healthy')!;
    const health = result.findings.find((f) => f.check === 'connectivity.backend-health')!;
    expect(health.message).toMatch(/answered HTTP 200 in \d+ ms/);
    expect(health.evidence.some((e) => e.kind === 'output' && e.text.includes('"status": "ok"'))).toBe(true);
  });
});
