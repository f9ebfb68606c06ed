// The runbook checks of sections storage, auth, network, monitoring and cluster against the
// real sandbox API server: each built-in scenario's own expectations for these checks must hold.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnoseResult, Section } from '../../src/shared/checks';
import { ClusterContext } from '../../src/main/checks/cluster-context';
import { runChecks } from '../../src/main/checks/engine';
import { KubeProbePodRunner } from '../../src/main/checks/probe-pod';
import { networkChecks } from '../../src/main/checks/runbook/network';
import { authChecks } from '../../src/main/checks/runbook/auth';
import { clusterChecks } from '../../src/main/checks/runbook/cluster';
import { monitoringChecks } from '../../src/main/checks/runbook/monitoring';
import { storageChecks } from '../../src/main/checks/runbook/storage';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import type { Snapshot } from '../../src/main/sandbox/snapshot-types';
import { ForbiddenError } from '../../src/main/checks/types';

const SECTIONS: Section[] = ['storage', 'auth', 'network', 'monitoring', 'cluster'];
const MINE = /^(storage|auth|network|monitoring|cluster)\./;
const REGISTRY = [...storageChecks, ...authChecks, ...networkChecks, ...monitoringChecks, ...clusterChecks];
const NS = 'traffic-system';
const DNS_PROBE = 'network.dns-probe';
/** A user the healthy backend knows (its access log shows them working). */
const USERNAME = 'operador.lopez';

interface ScenarioRun {
  snapshot: Snapshot;
  result: DiagnoseResult;
  /** The opt-in DNS probe, run with a context that can create pods. */
  dnsProbe?: { status: string; message: string };
}


async function diagnose(name: string): Promise<ScenarioRun> {
  const snapshot = await loadScenario(name);
  const sandbox: RunningSandbox = await startSandbox({ snapshot, port: 0, podReadyDelayMs: 50 });
  try {
    // The scenario's first user (rbac-forbidden: the L1 token) is the kubeconfig's.
    const kc = new KubeConfig();
    kc.loadFromString(sandbox.kubeconfigYaml({ namespace: NS }));
    const result = await runChecks({
      context: (signal) => new ClusterContext({ kubeConfig: kc, namespace: NS, signal }),
      contextName: 'roadside-sandbox',
      namespace: NS,
      sections: SECTIONS,
      registry: REGISTRY,
      params: { username: USERNAME },
      timeoutMs: 20_000,
    });
    let dnsProbe: ScenarioRun['dnsProbe'];
    if (snapshot.scenario.expect.some((e) => e.check === DNS_PROBE)) {
      const check = networkChecks.find((c) => c.id === DNS_PROBE)!;
      const outcome = await check.run(new ClusterContext({ kubeConfig: kc, namespace: NS }));
      dnsProbe = { status: outcome.status, message: outcome.message };
    }
    return { snapshot, result, dnsProbe };
  } finally {
    await sandbox.stop();
  }
}

function explain(run: ScenarioRun): string {
  return [...run.result.findings.map((f) => `${f.check}: ${f.status} — ${f.message}`), ...(run.dnsProbe ? [`${DNS_PROBE}: ${run.dnsProbe.status} — ${run.dnsProbe.message}`] : [])].join('\n');
}

const SCENARIOS = ['healthy', 'disk-full', 'minio-errors', 'jwt-clock-skew', 'rbac-forbidden', 'coredns-down', 'network-policy-deny', 'prometheus-targets-down'];

describe('storage, auth, network, monitoring and cluster checks against the sandbox', () => {
  const runs = new Map<string, ScenarioRun>();

  beforeAll(async () => {
    for (const name of SCENARIOS) runs.set(name, await diagnose(name));
  }, 180_000);

  afterAll(() => runs.clear());

  for (const name of SCENARIOS) {
    it(`${name}: the scenario's expectations for these sections hold`, () => {
      const run = runs.get(name)!;
      expect(run.result.unreachable).toBeUndefined();
      const expectations = run.snapshot.scenario.expect.filter((e) => MINE.test(e.check));
      expect(expectations.length, `${name} names no expectation for these sections`).toBeGreaterThan(0);
      const statusOf = (id: string) => (id === DNS_PROBE ? run.dnsProbe?.status : run.result.findings.find((f) => f.check === id)?.status);
      const actual = Object.fromEntries(expectations.map((e) => [e.check, statusOf(e.check)]));
      const wanted = Object.fromEntries(expectations.map((e) => [e.check, e.status]));
      expect(actual, explain(run)).toEqual(wanted);
    });
  }

  it('disk-full: the full volume is named with its usage, and the remediation can expand it', () => {
    const f = runs.get('disk-full')!.result.findings.find((x) => x.check === 'storage.pvc-usage')!;
    expect(f.message).toMatch(/\d+\.\d% full/);
    expect(f.evidence.some((e) => e.kind === 'metric' && e.value >= 95)).toBe(true);
  });

  it('network-policy-deny: the blocked pair and the blocking policy are named', () => {
    const f = runs.get('network-policy-deny')!.result.findings.find((x) => x.check === 'network.policies')!;
    expect(f.message).toMatch(/→ .* blocked by /);
  });

  it('jwt-clock-skew: both clocks are in the evidence', () => {
    const f = runs.get('jwt-clock-skew')!.result.findings.find((x) => x.check === 'auth.clock-skew')!;
    const text = f.evidence.map((e) => ('text' in e ? e.text : '')).join('\n');
    expect(text).toMatch(/container: \d+/);
    expect(text).toMatch(/local: +\d+/);
  });

  it('rbac-forbidden: skipped findings name the verb and resource they needed', () => {
    const f = runs.get('rbac-forbidden')!.result.findings.find((x) => x.check === 'auth.jwt-secret')!;
    expect(f.status).toBe('skipped');
    expect(f.message).toMatch(/not allowed to (get|list) secrets/);
  });

  it('no finding carries the JWT secret value', () => {
    for (const run of runs.values()) {
      const secret = run.snapshot.objects.find((o: any) => o.kind === 'Secret' && o.metadata?.name === 'traffic-system-secrets') as any;
      const value = secret?.data?.['django-secret-key'];
      if (!value) continue;
      const text = JSON.stringify(run.result.findings);
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value, 'base64').toString('utf8'));
    }
  });
});

describe('probe pods against the sandbox', () => {
  let sandbox: RunningSandbox;
  let kc: KubeConfig;

  beforeAll(async () => {
    sandbox = await startSandbox({ snapshot: await loadScenario('healthy'), port: 0, podReadyDelayMs: 200 });
    kc = new KubeConfig();
    kc.loadFromString(sandbox.kubeconfigYaml({ namespace: NS }));
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
  });

  async function probePodsLeft(): Promise<string[]> {
    const { CoreV1Api } = await import('@kubernetes/client-node');
    const list = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS, labelSelector: 'roadside.io/probe=true' });
    return list.items.map((p) => p.metadata!.name!);
  }

  it('runs nslookup in a busybox pod, returns its log and deletes the pod', async () => {
    const r = await new KubeProbePodRunner(kc, NS).runProbePod({ namePrefix: 'roadside-dns-probe', image: 'busybox:1.36', command: ['nslookup', 'kubernetes.default'], timeoutMs: 10_000 });
    expect(r.phase).toBe('Succeeded');
    expect(r.timedOut).toBe(false);
    expect(r.logs).toContain('kubernetes.default.svc.cluster.local');
    expect(r.podName).toMatch(/^roadside-dns-probe-[0-9a-f]{6}$/);
    expect(r.cleanupError).toBeUndefined();
    expect(await probePodsLeft()).toEqual([]);
  });

  it('gives up at its timeout and still deletes the pod', async () => {
    // A cluster where the pod never gets going within the probe's time, however busy this machine is.
    const slow = await startSandbox({ snapshot: await loadScenario('healthy'), port: 0, podReadyDelayMs: 60_000 });
    try {
      const slowKc = new KubeConfig();
      slowKc.loadFromString(slow.kubeconfigYaml({ namespace: NS }));
      const r = await new KubeProbePodRunner(slowKc, NS).runProbePod({ namePrefix: 'roadside-slow-probe', image: 'busybox:1.36', command: ['nslookup', 'kubernetes.default'], timeoutMs: 300 });
      expect(r.timedOut).toBe(true);
      expect(r.phase).toBe('Pending');
      const { CoreV1Api } = await import('@kubernetes/client-node');
      const left = await slowKc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS, labelSelector: 'roadside.io/probe=true' });
      expect(left.items).toEqual([]);
    } finally {
      await slow.stop();
    }
  });

  it('deletes the pod when the run is cancelled while waiting', async () => {
    const controller = new AbortController();
    const running = new KubeProbePodRunner(kc, NS).runProbePod({
      namePrefix: 'roadside-cancelled-probe',
      image: 'busybox:1.36',
      command: ['nslookup', 'kubernetes.default'],
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    // Cancel once the pod exists.
    for (let i = 0; i < 100 && (await probePodsLeft()).length === 0; i++) await new Promise((r) => setImmediate(r));
    controller.abort(new Error('cancelled by the engineer'));
    await expect(running).rejects.toThrow('cancelled by the engineer');
    expect(await probePodsLeft()).toEqual([]);
  });

  it('reports a forbidden pod creation as ForbiddenError (rbac-forbidden’s L1 token)', async () => {
    const limited = await startSandbox({ snapshot: await loadScenario('rbac-forbidden'), port: 0 });
    try {
      const l1 = new KubeConfig();
      l1.loadFromString(limited.kubeconfigYaml({ namespace: NS }));
      const err = await new KubeProbePodRunner(l1, NS).runProbePod({ namePrefix: 'roadside-dns-probe', image: 'busybox:1.36', command: ['nslookup', 'kubernetes.default'] }).catch((e) => e);
      expect(err).toBeInstanceOf(ForbiddenError);
      expect(err).toMatchObject({ verb: 'create', resource: 'pods' });
    } finally {
      await limited.stop();
    }
  });
});
