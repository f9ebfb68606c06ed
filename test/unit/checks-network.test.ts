import { describe, expect, it } from 'vitest';
import { networkChecks } from '../../src/main/checks/runbook/network';
import type { ProbePodResult, ProbePodRunner, ProbePodSpec } from '../../src/main/checks/probe-pod';
import { ForbiddenError, type KObject } from '../../src/main/checks/types';
import { FakeCluster, type FakeClusterSpec } from '../support/fake-cluster';
import {
  NOW,
  NS,
  backendPod,
  checkOf,
  component,
  frontendPod,
  minioPod,
  mlPod,
  namespaceObject,
  networkPolicy,
  pod,
  postgresPod,
  prometheusPod,
  systemServices,
} from './checks-sections-fixtures';

const cluster = (spec: FakeClusterSpec) => new FakeCluster({ now: NOW, ...spec });

function corednsPod(name: string, ready = true): KObject {
  return pod({ name, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, containers: [{ name: 'coredns' }], ready, waitingReason: ready ? undefined : 'CrashLoopBackOff' });
}

describe('network.coredns', () => {
  const check = checkOf(networkChecks, 'network.coredns');
  const pods = [corednsPod('coredns-a'), corednsPod('coredns-b')];

  it('passes with ready pods and clean logs, reading kube-system', async () => {
    const ctx = cluster({ objects: { pods }, logs: { 'kube-system/coredns-a/coredns': '[INFO] plugin/reload: Running configuration\n' } });
    const r = await check.run(ctx);
    expect(r.status).toBe('pass');
    expect(ctx.calls).toContain('list pods kube-system');
    expect(ctx.calls.some((c) => c.startsWith('logs kube-system/coredns-a/coredns'))).toBe(true);
  });

  it('warns for a few upstream errors and fails for many', async () => {
    const line = '[ERROR] plugin/errors: 2 traffic-system-backend.traffic-system.svc.cluster.local. A: read udp 10.244.0.5:53124->10.0.0.2:53: i/o timeout';
    const warn = await check.run(cluster({ objects: { pods }, logs: { 'kube-system/coredns-a/coredns': `${line}\n` } }));
    expect(warn.status).toBe('warn');
    expect(warn.actions).toEqual(['rollout-restart:coredns']);
    const many = Array.from({ length: 12 }, () => '[INFO] 10.244.1.22:41234 - 5 "A IN minio. udp 40 false 512" SERVFAIL qr,rd 40 2.0s').join('\n');
    const fail = await check.run(cluster({ objects: { pods }, logs: { 'kube-system/coredns-b/coredns': many } }));
    expect(fail.status).toBe('fail');
    expect(fail.message).toContain('SERVFAIL 12');
  });

  it('fails when CoreDNS pods are not ready or absent', async () => {
    const down = await check.run(cluster({ objects: { pods: [corednsPod('coredns-a', false), corednsPod('coredns-b', false)] } }));
    expect(down.status).toBe('fail');
    expect(down.message).toContain('CrashLoopBackOff');
    const absent = await check.run(cluster({ objects: { pods: [backendPod()] } }));
    expect(absent.status).toBe('fail');
    expect(absent.message).toContain('No CoreDNS pods');
  });

  it('lets forbidden reads propagate', async () => {
    await expect(check.run(cluster({ forbidden: ['pods'] }))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(check.run(cluster({ objects: { pods }, forbidden: ['pods/log'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

const defaultDeny = networkPolicy('default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
const allow = (name: string, to: Record<string, string>, from: Record<string, string>, port?: number) =>
  networkPolicy(name, { podSelector: { matchLabels: to }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: from } }], ...(port ? { ports: [{ protocol: 'TCP', port }] } : {}) }] });
const healthyPolicies = () => [
  defaultDeny,
  allow('allow-frontend-to-backend', component('backend'), component('frontend'), 8000),
  allow('allow-backend-to-postgresql', { 'app.kubernetes.io/name': 'postgresql' }, component('backend'), 5432),
  allow('allow-backend-to-minio', { 'app.kubernetes.io/name': 'minio' }, component('backend'), 9000),
  allow('allow-backend-to-ml-service', component('ml-service'), component('backend'), 8001),
  networkPolicy('allow-prometheus-scrape', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }] }] }),
];
const systemPods = () => [frontendPod(), backendPod(), mlPod(), postgresPod(), minioPod(), prometheusPod()];
const monitors = (): KObject[] =>
  ['backend', 'ml-service'].map((c) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: `traffic-system-${c}`, namespace: NS },
    spec: { selector: { matchLabels: component(c) }, namespaceSelector: { matchNames: [NS] }, endpoints: [{ port: 'http', path: '/metrics' }] },
  }));

describe('network.policies', () => {
  const check = checkOf(networkChecks, 'network.policies');
  const objects = (policies: KObject[], extra: Partial<Record<string, KObject[]>> = {}) => ({
    'networkpolicies.networking.k8s.io': policies,
    pods: systemPods(),
    services: systemServices(),
    namespaces: [namespaceObject(NS)],
    'servicemonitors.monitoring.coreos.com': monitors(),
    ...extra,
  });

  it('passes when every system connection and every scrape is allowed', async () => {
    const r = await check.run(cluster({ objects: objects(healthyPolicies()) }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('6 connection(s) allowed');
    const table = r.evidence?.find((e) => e.kind === 'output');
    const text = table && 'text' in table ? table.text : '';
    expect(text).toContain('frontend → backend:8000: allowed by allow-frontend-to-backend');
    expect(text).toContain('prometheus → traffic-system-ml-service:8001: allowed by allow-prometheus-scrape');
  });

  it('fails naming default-deny when frontend → backend is blocked, offering allow-frontend-to-backend', async () => {
    const policies = healthyPolicies().filter((p) => p.metadata.name !== 'allow-frontend-to-backend');
    const r = await check.run(cluster({ objects: objects(policies) }));
    expect(r.status).toBe('fail');
    expect(r.message).toBe('frontend → backend:8000 blocked by default-deny (no rule of allow-prometheus-scrape admits it).');
    expect(r.actions).toEqual(['allow-frontend-to-backend']);
    const fix = r.remediation?.find((x) => x.action === 'allow-frontend-to-backend');
    expect(fix?.command).toContain('app.kubernetes.io/component: frontend');
    expect(fix?.command).toContain('port: 8000');
    expect(JSON.stringify(r.remediation)).toContain('policyTypes');
  });

  it('finds a blocked scrape and a blocked database connection, without the frontend action', async () => {
    const policies = healthyPolicies().filter((p) => !['allow-prometheus-scrape', 'allow-backend-to-postgresql'].includes(p.metadata.name));
    const r = await check.run(cluster({ objects: objects(policies) }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('backend → postgresql:5432 blocked by default-deny');
    expect(r.message).toContain('prometheus → traffic-system-backend:8000 blocked by');
    expect(r.actions).toEqual([]);
  });

  it('follows annotated pods when there are no ServiceMonitors', async () => {
    const annotated = mlPod(undefined, { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8001' } });
    const pods = [frontendPod(), backendPod(), annotated, postgresPod(), minioPod(), prometheusPod()];
    const policies = healthyPolicies().filter((p) => p.metadata.name !== 'allow-prometheus-scrape');
    const r = await check.run(cluster({ objects: { ...objects(policies), pods, 'servicemonitors.monitoring.coreos.com': [] } }));
    expect(r.status).toBe('fail');
    expect(r.message).toBe('prometheus → ml-service:8001 blocked by default-deny (no rule of allow-backend-to-ml-service admits it).');
  });

  it('passes plainly when the namespace has no policies', async () => {
    const r = await check.run(cluster({ objects: objects([]) }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('No NetworkPolicies');
  });

  it('warns when nothing could be evaluated', async () => {
    const r = await check.run(cluster({ objects: { ...objects(healthyPolicies()), pods: [] } }));
    expect(r.status).toBe('warn');
    expect(r.message).toContain('not evaluated');
  });

  it('reads namespace labels only when a policy selects namespaces by a label other than their name', async () => {
    // From the frontend, in this namespace, to the backend: allowed only from namespaces labelled team=web.
    const byTeam = networkPolicy('allow-web-namespaces', {
      podSelector: { matchLabels: component('backend') },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: component('frontend') } }], ports: [{ protocol: 'TCP', port: 8000 }] }],
    });
    const byName = networkPolicy('allow-own-namespace', {
      podSelector: { matchLabels: component('backend') },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } }, podSelector: { matchLabels: component('frontend') } }], ports: [{ protocol: 'TCP', port: 8000 }] }],
    });
    const others = healthyPolicies().filter((p) => p.metadata.name !== 'allow-frontend-to-backend');

    const named = cluster({ objects: objects([...others, byName]) });
    expect((await check.run(named)).status).toBe('pass');
    expect(named.calls).not.toContain('list namespaces *');

    const teamed = cluster({ objects: objects([...others, byTeam], { namespaces: [namespaceObject(NS, { team: 'web' })] }) });
    expect((await check.run(teamed)).status).toBe('pass');
    expect(teamed.calls).toContain('list namespaces *');

    // The same policy, the namespace without the label: the frontend is blocked.
    const r = await check.run(cluster({ objects: objects([...others, byTeam]) }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('frontend');
  });

  it('still evaluates when namespaces and ServiceMonitors cannot be read', async () => {
    const r = await check.run(cluster({ objects: objects(healthyPolicies()), forbidden: ['namespaces', 'servicemonitors.monitoring.coreos.com'] }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('ServiceMonitors not read');
  });

  it('lets a forbidden policy list propagate', async () => {
    const err = await check.run(cluster({ objects: objects(healthyPolicies()), forbidden: ['networkpolicies.networking.k8s.io'] })).catch((e) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ verb: 'list', resource: 'networkpolicies.networking.k8s.io' });
  });
});

class ProbeCluster extends FakeCluster implements ProbePodRunner {
  readonly probes: ProbePodSpec[] = [];
  constructor(
    spec: FakeClusterSpec,
    private readonly reply: (spec: ProbePodSpec) => ProbePodResult | Promise<ProbePodResult>,
  ) {
    super(spec);
  }
  async runProbePod(spec: ProbePodSpec): Promise<ProbePodResult> {
    this.probes.push(spec);
    return this.reply(spec);
  }
}

describe('network.dns-probe', () => {
  const check = checkOf(networkChecks, 'network.dns-probe');
  const ok = 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n';

  it('is opt-in and skipped when the context cannot create pods', async () => {
    expect(check.optIn).toBe(true);
    const r = await check.run(cluster({}));
    expect(r.status).toBe('skipped');
    expect(r.message).toBe('The context cannot create probe pods.');
  });

  it('passes when nslookup resolves kubernetes.default', async () => {
    const ctx = new ProbeCluster({ now: NOW }, (s) => ({ podName: `${s.namePrefix}-abc`, namespace: NS, phase: 'Succeeded', logs: ok, timedOut: false }));
    const r = await check.run(ctx);
    expect(r.status).toBe('pass');
    expect(ctx.probes[0]).toMatchObject({ command: ['nslookup', 'kubernetes.default'], namespace: NS });
    expect(ctx.probes[0].image).toMatch(/^busybox/);
  });

  it('fails when the name does not resolve or the probe times out', async () => {
    const nx = new ProbeCluster({ now: NOW }, () => ({ podName: 'p', namespace: NS, phase: 'Failed', logs: ";; connection timed out; no servers could be reached\n", timedOut: false }));
    const r = await check.run(nx);
    expect(r.status).toBe('fail');
    expect(r.message).toContain('did not answer');
    expect(r.actions).toEqual(['rollout-restart:coredns']);
    const slow = new ProbeCluster({ now: NOW }, () => ({ podName: 'p', namespace: NS, phase: 'Pending', logs: '', timedOut: true }));
    expect((await check.run(slow)).message).toContain('did not finish');
  });

  it('warns when the probe pod could not be cleaned up', async () => {
    const ctx = new ProbeCluster({ now: NOW }, () => ({ podName: 'p', namespace: NS, phase: 'Succeeded', logs: ok, timedOut: false, cleanupError: 'pod traffic-system/p was not deleted: boom' }));
    const r = await check.run(ctx);
    expect(r.status).toBe('warn');
    expect(r.message).toContain('was not deleted');
  });

  it('lets a forbidden pod creation propagate', async () => {
    const ctx = new ProbeCluster({ now: NOW }, () => {
      throw new ForbiddenError('create', 'pods', NS);
    });
    await expect(check.run(ctx)).rejects.toBeInstanceOf(ForbiddenError);
  });
});
