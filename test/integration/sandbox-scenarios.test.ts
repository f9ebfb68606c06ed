import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { findExecReply, findHttpReply } from '../../src/main/sandbox/scenario-match';
import { listScenarios, loadScenario, scenariosRoot, UnknownScenarioError } from '../../src/main/sandbox/scenarios';
import { objectKey } from '../../src/main/sandbox/snapshot';
import type { KubeObject, Snapshot } from '../../src/main/sandbox/snapshot-types';
import { expandTemplates } from '../../src/main/sandbox/templates';

const NOW = new Date('2026-06-15T08:30:00Z');
const DAY = 86_400_000;
const FAULTS = [
  'backend-502', 'postgres-down', 'ml-service-saturated', 'db-slow-queries', 'disk-full', 'minio-errors',
  'jwt-clock-skew', 'rbac-forbidden', 'coredns-down', 'network-policy-deny', 'prometheus-targets-down', 'tls-expiring',
];
const CHECK_IDS = [
  'connectivity.pods-healthy', 'connectivity.service-endpoints', 'connectivity.ingress-routes', 'connectivity.ingress-controller',
  'connectivity.backend-health', 'connectivity.tls-certificates', 'database.postgres-ready', 'database.postgres-connection',
  'database.postgres-resources', 'database.credentials-secret', 'database.slow-queries', 'database.indexes', 'database.settings',
  'performance.ml-service-resources', 'performance.ml-service-gpu', 'performance.ml-service-errors', 'performance.ml-service-capacity',
  'storage.pvc-usage', 'storage.node-pressure', 'storage.no-space-errors', 'storage.app-files', 'storage.minio-health',
  'auth.jwt-secret', 'auth.token-errors', 'auth.clock-skew', 'auth.forbidden-errors', 'auth.app-user-permissions',
  'network.coredns', 'network.policies', 'network.dns-probe', 'monitoring.prometheus-ready', 'monitoring.prometheus-targets',
  'monitoring.servicemonitors', 'cluster.recent-events', 'cluster.helm-release', 'cluster.access',
];
// Deployment/StatefulSet name -> [namespace, main container]
const COMPONENTS: Record<string, [string, string]> = {
  'traffic-system-frontend': ['traffic-system', 'frontend'],
  'traffic-system-backend': ['traffic-system', 'backend'],
  'traffic-system-ml-service': ['traffic-system', 'ml-service'],
  'traffic-system-minio': ['traffic-system', 'minio'],
  'traffic-system-prometheus-server': ['traffic-system', 'prometheus-server'],
  'traffic-system-postgresql': ['traffic-system', 'postgresql'],
  'ingress-nginx-controller': ['ingress-nginx', 'controller'],
  coredns: ['kube-system', 'coredns'],
};

const snapshots = new Map<string, Snapshot>();
beforeAll(async () => {
  for (const name of ['healthy', ...FAULTS]) snapshots.set(name, await loadScenario(name, { now: NOW }));
}, 120_000);

const get = (s: Snapshot, kind: string, namespace: string | undefined, name: string) =>
  s.objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace) as (KubeObject & Record<string, any>) | undefined;
const podsOf = (s: Snapshot, prefix: string, namespace: string) =>
  s.objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === namespace && o.metadata.name.startsWith(`${prefix}-`)) as Array<KubeObject & Record<string, any>>;
const logText = (s: Snapshot, namespace: string, podPrefix: string, container: string) =>
  s.logs.filter((l) => l.namespace === namespace && l.pod.startsWith(podPrefix) && l.container === container && !l.previous).flatMap((l) => l.lines).join('\n');
function tlsCertificate(s: Snapshot) {
  const secret = get(s, 'Secret', 'traffic-system', 'traffic-system-tls')!;
  return new x509.X509Certificate(Buffer.from(secret.data['tls.crt'], 'base64').toString('utf8'));
}

describe('built-in scenarios', () => {
  it('lists healthy first and one scenario per runbook problem, titled in both languages', async () => {
    const list = await listScenarios();
    expect(list[0].name).toBe('healthy');
    expect(list.map((s) => s.name).sort()).toEqual(['healthy', ...FAULTS].sort());
    for (const s of list) {
      expect(s.title.es && s.title.en && s.description.es && s.description.en, s.name).toBeTruthy();
      if (s.name !== 'healthy') expect(s.base).toBe('healthy');
    }
  });

  it('finds the scenarios folder from ROADSIDE_SCENARIOS_DIR and rejects unknown names', async () => {
    const root = scenariosRoot();
    const saved = process.env.ROADSIDE_SCENARIOS_DIR;
    process.env.ROADSIDE_SCENARIOS_DIR = root;
    try {
      expect(scenariosRoot()).toBe(root);
    } finally {
      if (saved === undefined) delete process.env.ROADSIDE_SCENARIOS_DIR;
      else process.env.ROADSIDE_SCENARIOS_DIR = saved;
    }
    await expect(loadScenario('../healthy')).rejects.toThrow(UnknownScenarioError);
    await expect(loadScenario('no-such-thing')).rejects.toThrow(/available: healthy/);
  });

  it.each(['healthy', ...FAULTS])('%s loads cleanly with every component running or failing visibly', (name) => {
    const s = snapshots.get(name)!;
    expect(s.skipped).toEqual([]);
    expect(s.source).toBe(name);
    for (const [workload, [namespace, container]] of Object.entries(COMPONENTS)) {
      const pods = podsOf(s, workload, namespace);
      expect(pods.length, `${name}: pods of ${workload}`).toBeGreaterThan(0);
      for (const pod of pods.filter((p) => p.status.phase === 'Running')) {
        expect(pod.metadata.uid).toBeTruthy();
        expect(pod.metadata.ownerReferences?.[0].uid).toBe(s.objects.find((o) => o.metadata.name === pod.metadata.ownerReferences![0].name && o.kind === pod.metadata.ownerReferences![0].kind)?.metadata.uid);
        expect(s.logs.some((l) => l.pod === pod.metadata.name && l.container === container && !l.previous), `${name}: log of ${pod.metadata.name}`).toBe(true);
        const restarts = pod.status.containerStatuses.find((c: any) => c.name === container).restartCount;
        if (restarts > 0) expect(s.logs.some((l) => l.pod === pod.metadata.name && l.previous), `${name}: previous log of ${pod.metadata.name}`).toBe(true);
      }
    }
    for (const log of s.logs) {
      expect(get(s, 'Pod', log.namespace, log.pod), `${name}: log without a pod ${log.pod}`).toBeDefined();
      for (const line of log.lines.slice(0, 1)) expect(Date.parse(line.split(' ')[0]), `${log.pod}: ${line}`).toBeLessThanOrEqual(NOW.getTime());
    }
    for (const e of s.scenario.expect) expect(CHECK_IDS, `${name}: ${e.check}`).toContain(e.check);
  });

  it('healthy: everything ready, timestamps moved to the serving time, real certificate valid ~60 days', () => {
    const s = snapshots.get('healthy')!;
    for (const pod of s.objects.filter((o) => o.kind === 'Pod') as any[]) {
      expect(pod.status.conditions.find((c: any) => c.type === 'Ready').status, pod.metadata.name).toBe('True');
    }
    const backendEndpoints = get(s, 'Endpoints', 'traffic-system', 'traffic-system-backend')!;
    expect(backendEndpoints.subsets[0].addresses).toHaveLength(2);
    expect(s.objects.filter((o) => o.kind === 'EndpointSlice' && o.metadata.labels?.['kubernetes.io/service-name'] === 'traffic-system-backend')).toHaveLength(1);
    const cert = get(s, 'Certificate', 'traffic-system', 'traffic-system-tls')!;
    const notAfter = Date.parse(cert.status.notAfter);
    expect(notAfter - NOW.getTime()).toBe(60 * DAY);
    expect(tlsCertificate(s).notAfter.getTime()).toBe(notAfter);
    expect(tlsCertificate(s).subject).toBe('CN=traffic-system.example.com');
    const releases = s.objects.filter((o) => o.kind === 'Secret' && (o as any).type === 'helm.sh/release.v1');
    expect(releases.map((r) => r.metadata.labels!.status).sort()).toEqual(['deployed', 'superseded', 'superseded']);
    expect(s.scenario.expect.map((e) => e.check).sort()).toEqual([...CHECK_IDS].sort());
    expect(s.scenario.expect.every((e) => e.status === 'pass')).toBe(true);
    const events = s.objects.filter((o) => o.kind === 'Event') as any[];
    expect(events.every((e) => Date.parse(e.lastTimestamp) <= NOW.getTime() && NOW.getTime() - Date.parse(e.lastTimestamp) < 3_600_000)).toBe(true);
    const dateReply = findExecReply(s.scenario, { namespace: 'traffic-system', pod: 'traffic-system-backend-7c9d8f6b5d-h2x8r', container: 'backend', command: ['date', '+%s'] })!;
    expect(expandTemplates(dateReply.stdout, NOW).trim()).toBe(String(NOW.getTime() / 1000));
    const health = findHttpReply(s.scenario, { namespace: 'traffic-system', service: 'traffic-system-backend', port: 8000, method: 'GET', path: '/api/v1/health/' })!;
    expect(health.status).toBe(200);
    const targets = findHttpReply(s.scenario, { namespace: 'traffic-system', pod: 'traffic-system-prometheus-server-6b9f4d7c85-p2l8s', port: 9090, method: 'GET', path: '/api/v1/targets' })!;
    expect(JSON.parse(expandTemplates(targets.body, NOW)).data.activeTargets.every((t: any) => t.health === 'up')).toBe(true);
  });

  it('overlays change only the objects and logs they name', async () => {
    const root = scenariosRoot();
    const healthy = snapshots.get('healthy')!;
    const keyOf = (o: KubeObject) => objectKey({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
    // Re-signed certificates carry a fresh (random) ECDSA signature on every load: compare what they say.
    const comparable = (o: KubeObject & Record<string, any>) => {
      if (o.type !== 'kubernetes.io/tls') return JSON.stringify(o);
      const cert = new x509.X509Certificate(Buffer.from(o.data['tls.crt'], 'base64').toString('utf8'));
      return JSON.stringify({ ...o, data: { ...o.data, 'tls.crt': [cert.serialNumber, cert.subject, cert.notBefore, cert.notAfter] } });
    };
    const base = new Map(healthy.objects.map((o) => [keyOf(o), comparable(o)]));
    const baseLogs = new Map(healthy.logs.map((l) => [`${l.namespace}/${l.pod}/${l.container}${l.previous ? '.previous' : ''}.log`, l.lines.join('\n')]));
    for (const name of FAULTS) {
      const s = snapshots.get(name)!;
      const file = parse(await readFile(join(root, name, 'scenario.yaml'), 'utf8'));
      const claimed = new Set<string>();
      for (const ref of [...(file.patches ?? []), ...(file.remove ?? [])]) {
        for (const o of healthy.objects) if (o.kind === ref.kind && o.metadata.name === ref.name && (o.metadata.namespace ?? '') === (ref.namespace ?? '')) claimed.add(keyOf(o));
      }
      const resourceFiles = await readdir(join(root, name, 'resources'), { recursive: true }).catch(() => [] as string[]);
      for (const f of resourceFiles.filter((f) => /\.ya?ml$/.test(String(f)))) {
        for (const doc of parseAllDocuments(await readFile(join(root, name, 'resources', String(f)), 'utf8')) as any[]) {
          const value = doc.toJS();
          const items = value.kind.endsWith('List') ? value.items.map((i: any) => ({ apiVersion: value.apiVersion, kind: value.kind.slice(0, -4), ...i })) : [value];
          for (const i of items) claimed.add(keyOf(i));
        }
      }
      const current = new Map(s.objects.map((o) => [keyOf(o), comparable(o)]));
      const changed = [...new Set([...base.keys(), ...current.keys()])].filter((k) => base.get(k) !== current.get(k));
      expect(changed.filter((k) => !claimed.has(k)), `${name}: changed without being named`).toEqual([]);

      const logFiles = (await readdir(join(root, name, 'logs'), { recursive: true }).catch(() => [] as string[])).map(String).filter((f) => f.endsWith('.log'));
      const currentLogs = new Map(s.logs.map((l) => [`${l.namespace}/${l.pod}/${l.container}${l.previous ? '.previous' : ''}.log`, l.lines.join('\n')]));
      const changedLogs = [...new Set([...baseLogs.keys(), ...currentLogs.keys()])].filter((k) => baseLogs.get(k) !== currentLogs.get(k));
      expect(changedLogs.sort(), `${name}: logs`).toEqual(logFiles.sort());
      expect(changed.length + changedLogs.length, `${name} changes nothing`).toBeGreaterThan(0);
      expect(s.scenario.expect.some((e) => e.status !== 'pass'), `${name}: expects a finding`).toBe(true);
    }
  });

  it('backend-502: crash-looping backend, no ready endpoints, 502 at the ingress', () => {
    const s = snapshots.get('backend-502')!;
    for (const pod of podsOf(s, 'traffic-system-backend', 'traffic-system')) {
      const status = pod.status.containerStatuses[0];
      expect(status.state.waiting.reason).toBe('CrashLoopBackOff');
      expect(status.lastState.terminated).toMatchObject({ reason: 'Error', exitCode: 1 });
      expect(pod.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('False');
    }
    const ep = get(s, 'Endpoints', 'traffic-system', 'traffic-system-backend')!;
    expect(ep.subsets[0].addresses).toBeUndefined();
    expect(ep.subsets[0].notReadyAddresses).toHaveLength(2);
    const ingressLog = logText(s, 'ingress-nginx', 'ingress-nginx-controller', 'controller');
    expect(ingressLog).toContain('connect() failed (111: Connection refused) while connecting to upstream');
    expect(ingressLog).toMatch(/" 502 /);
    expect(logText(s, 'traffic-system', 'traffic-system-backend', 'backend')).toContain("No module named 'traffic.settings.prod'");
  });

  it('postgres-down: postgresql-0 crash-looping with FATAL and psql failing', () => {
    const s = snapshots.get('postgres-down')!;
    const pod = get(s, 'Pod', 'traffic-system', 'traffic-system-postgresql-0')!;
    expect(pod.status.containerStatuses[0].state.waiting.reason).toBe('CrashLoopBackOff');
    expect(logText(s, 'traffic-system', 'traffic-system-postgresql-0', 'postgresql')).toContain('FATAL:');
    const psql = findExecReply(s.scenario, { namespace: 'traffic-system', pod: 'traffic-system-postgresql-0', container: 'postgresql', command: ['psql', '-U', 'trafficuser', '-d', 'trafficdb', '-c', 'SELECT 1'] })!;
    expect(psql.exitCode).not.toBe(0);
  });

  it('disk-full: PVC at 98 %, DiskPressure and "No space left on device"', () => {
    const s = snapshots.get('disk-full')!;
    const v = s.scenario.volumes.find((x) => x.pvc === 'data-traffic-system-postgresql-0')!;
    expect(v.usedBytes / v.capacityBytes).toBeGreaterThan(0.97);
    expect(s.scenario.volumes).toHaveLength(3);
    const node = get(s, 'Node', undefined, 'worker-1')!;
    expect(node.status.conditions.find((c: any) => c.type === 'DiskPressure').status).toBe('True');
    expect(logText(s, 'traffic-system', 'traffic-system-postgresql-0', 'postgresql')).toContain('No space left on device');
  });

  it('jwt-clock-skew: backend clock 300 s ahead and expired signatures in its log', () => {
    const s = snapshots.get('jwt-clock-skew')!;
    const reply = findExecReply(s.scenario, { namespace: 'traffic-system', pod: 'traffic-system-backend-7c9d8f6b5d-h2x8r', container: 'backend', command: ['date', '+%s'] })!;
    expect(Number(expandTemplates(reply.stdout, NOW))).toBe(NOW.getTime() / 1000 + 300);
    expect(logText(s, 'traffic-system', 'traffic-system-backend-7c9d8f6b5d-h2x8r', 'backend')).toContain('Signature has expired');
  });

  it('rbac-forbidden: the first user cannot read secrets or exec', () => {
    const [l1] = snapshots.get('rbac-forbidden')!.scenario.users;
    expect(l1).toMatchObject({ name: 'l1-operator', token: 'l1-token' });
    const resources = l1.rules.flatMap((r) => r.resources ?? []);
    expect(resources).toContain('pods');
    expect(resources).not.toContain('secrets');
    expect(resources).not.toContain('pods/exec');
    expect(resources).not.toContain('*');
  });

  it('tls-expiring: certificate and tls.crt expire 5 days after the serving time', () => {
    const s = snapshots.get('tls-expiring')!;
    const cert = get(s, 'Certificate', 'traffic-system', 'traffic-system-tls')!;
    expect(Date.parse(cert.status.notAfter) - NOW.getTime()).toBe(5 * DAY);
    expect(tlsCertificate(s).notAfter.getTime() - NOW.getTime()).toBe(5 * DAY);
  });

  it('keeps the captured time when served at capturedAt', async () => {
    const s = await loadScenario('healthy', { now: new Date('2026-01-10T10:00:00Z') });
    expect(get(s, 'Certificate', 'traffic-system', 'traffic-system-tls')!.status.notAfter).toBe('2026-03-11T10:00:00Z');
  });
});

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
