// The Overview (health-check) and the log aggregation against the real sandbox API server,
// checked against what the real kubectl says about the same cluster.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_SELECTOR, RUNBOOK_LOG_SELECTOR } from '../../src/shared/contract-observe';
import { LogSession } from '../../src/main/observe/log-session';
import { collectOverview } from '../../src/main/observe/overview';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import type { KubeObject, Snapshot } from '../../src/main/sandbox/snapshot-types';
import { findKubectl } from '../support/kubectl';

const NS = 'traffic-system';

function extraEvents(count: number, base: Date): KubeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `extra-${i}.${(1000 + i).toString(16)}`, namespace: NS, creationTimestamp: new Date(base.getTime() - 3600_000).toISOString() },
    involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', name: `extra-${i}`, namespace: NS },
    reason: `Extra${i}`,
    message: `old event ${i}`,
    type: 'Normal',
    count: 1,
    firstTimestamp: new Date(base.getTime() - (3600 - i) * 1000).toISOString(),
    lastTimestamp: new Date(base.getTime() - (3600 - i) * 1000).toISOString(),
  })) as unknown as KubeObject[];
}

describe('observe against the backend-502 sandbox', () => {
  let sandbox: RunningSandbox;
  let snapshot: Snapshot;
  let kc: KubeConfig;
  let dir: string;
  let kubeconfigFile: string;
  let scenarioEvents = 0;
  // Asynchronous: the sandbox answers from this very process.
  const kubectl = async (args: string[]) =>
    (await promisify(execFile)(findKubectl(), ['--kubeconfig', kubeconfigFile, ...args], { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 * 1024 * 1024 })).stdout;

  beforeAll(async () => {
    snapshot = await loadScenario('backend-502');
    scenarioEvents = snapshot.objects.filter((o) => o.kind === 'Event' && o.metadata.namespace === NS).length;
    // 16 old events besides the scenario's own, so "the last 20" has something to leave out.
    snapshot.objects.push(...extraEvents(16, new Date()));
    sandbox = await startSandbox({ snapshot, port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'roadside-observe-'));
    kubeconfigFile = join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfigFile, sandbox.kubeconfigYaml({ namespace: NS }));
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfigFile);
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the Overview shows what `kubectl get pods` shows: the backend pods in CrashLoopBackOff', async () => {
    const overview = await collectOverview({ kubeConfig: kc, context: 'roadside-sandbox', namespace: NS });
    expect(overview.unreachable).toBeUndefined();
    expect(overview.pods.problem).toBeUndefined();
    const backend = overview.pods.rows.filter((p) => p.name.startsWith('traffic-system-backend-'));
    expect(backend.map((p) => [p.status, p.ready, p.healthy])).toEqual([
      ['CrashLoopBackOff', '0/1', false],
      ['CrashLoopBackOff', '0/1', false],
    ]);
    expect(backend.map((p) => p.restarts)).toEqual([9, 8]);
    expect(overview.pods.rows.filter((p) => !p.healthy).map((p) => p.name)).toEqual(backend.map((p) => p.name));

    // Row by row, the same NAME, READY, STATUS, RESTARTS and NODE as the real kubectl.
    const table = (await kubectl(['get', 'pods', '-n', NS, '-o', 'wide', '--no-headers']))
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}|\s+(?=\S)/));
    const fromKubectl = table.map((cols) => ({ name: cols[0], ready: cols[1], status: cols[2], restarts: Number(cols[3]) }));
    expect(overview.pods.rows.map((p) => ({ name: p.name, ready: p.ready, status: p.status, restarts: p.restarts }))).toEqual(fromKubectl);
    const nodes = (await kubectl(['get', 'pods', '-n', NS, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}{"\\n"}{end}'])).trim().split('\n');
    expect(overview.pods.rows.map((p) => `${p.name}=${p.node}`).sort()).toEqual(nodes.sort());
    expect(overview.pods.kubectl).toBe(`kubectl get pods -n ${NS} -o wide`);
  });

  it('services with their ready endpoints: the backend has none', async () => {
    const overview = await collectOverview({ kubeConfig: kc, context: 'roadside-sandbox', namespace: NS });
    const svc = Object.fromEntries(overview.services.rows.map((s) => [s.name, s]));
    expect(Object.keys(svc).sort()).toEqual((await kubectl(['get', 'svc', '-n', NS, '-o', 'name'])).trim().split('\n').map((n) => n.replace('service/', '')).sort());
    expect(svc['traffic-system-backend']).toMatchObject({ type: 'ClusterIP', clusterIP: '10.96.112.21', ports: '8000/TCP', readyEndpoints: 0 });
    expect(svc['traffic-system-frontend'].readyEndpoints).toBe(2);
    expect(svc['traffic-system-minio'].ports).toBe('9000/TCP,9001/TCP');
    expect(svc['traffic-system-postgresql-hl'].clusterIP).toBe('None');
  });

  it('PVCs with status, capacity and storage class, and top pods from metrics.k8s.io', async () => {
    const overview = await collectOverview({ kubeConfig: kc, context: 'roadside-sandbox', namespace: NS });
    expect(overview.pvcs.rows.map((p) => [p.name, p.status, p.capacity, p.accessModes, p.storageClass])).toEqual([
      ['data-traffic-system-postgresql-0', 'Bound', '100Gi', 'RWO', 'standard'],
      ['traffic-system-minio', 'Bound', '200Gi', 'RWO', 'standard'],
      ['traffic-system-shared-storage', 'Bound', '100Gi', 'RWX', 'standard'],
    ]);
    expect(overview.top.problem).toBeUndefined();
    const top = Object.fromEntries(
      (await kubectl(['top', 'pods', '-n', NS, '--no-headers']))
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .map(([pod, cpu, mem]) => [pod, { cpu: Number(cpu.replace('m', '')), mem: Number(mem.replace('Mi', '')) }]),
    );
    expect(overview.top.rows).toHaveLength(Object.keys(top).length);
    for (const row of overview.top.rows) expect([row.cpuMillicores, row.memoryMi], row.pod).toEqual([top[row.pod].cpu, top[row.pod].mem]);
    // Sorted by CPU, the busiest first: the ML service on the GPU node.
    expect(overview.top.rows[0].pod).toMatch(/^traffic-system-ml-service-/);
    expect(overview.top.rows.find((r) => r.pod.startsWith('traffic-system-backend-'))?.cpuMillicores).toBe(0);
  });

  it('the last 20 events, newest first, as kubectl --sort-by=.lastTimestamp | tail -20 lists them (reversed)', async () => {
    const overview = await collectOverview({ kubeConfig: kc, context: 'roadside-sandbox', namespace: NS });
    expect(overview.events.rows).toHaveLength(20);
    const times = overview.events.rows.map((e) => Date.parse(e.lastSeen!));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]);
    const fromKubectl = (await kubectl(['get', 'events', '-n', NS, '--sort-by=.lastTimestamp', '-o', 'jsonpath={range .items[*]}{.reason} {.involvedObject.name}{"\\n"}{end}']))
      .trim()
      .split('\n')
      .slice(-20)
      .reverse();
    expect(overview.events.rows.map((e) => `${e.reason} ${e.object.split('/')[1]}`)).toEqual(fromKubectl);
    expect(overview.events.rows[0]).toMatchObject({ type: 'Warning', reason: 'BackOff', object: 'pod/traffic-system-backend-7c9d8f6b5d-m5t9w' });
    // The 16 old events: 4 of them are among the last 20, the 12 oldest are left out.
    // The scenario's own events are the newest; the 16 old ones fill the rest, oldest left out.
    expect(scenarioEvents).toBeLessThan(20);
    expect(overview.events.rows.filter((e) => e.reason.startsWith('Extra')).map((e) => e.reason)).toEqual(
      Array.from({ length: 20 - scenarioEvents }, (_, i) => `Extra${15 - i}`),
    );
  });

  it('log aggregation: every pod of the release, merged in timestamp order, like kubectl logs -l', async () => {
    const session = await LogSession.open({ kubeConfig: kc, context: 'roadside-sandbox', namespace: NS, selector: DEFAULT_LOG_SELECTOR, tailLines: 1000 });
    const result = session.startResult('test-session-1');
    expect(result.problem).toBeUndefined();
    expect(result.pods).toBe(9);
    // Prometheus runs two containers: 10 streams from 9 pods.
    expect(result.streams).toHaveLength(10);
    expect(result.streams.filter((s) => s.error)).toEqual([]);
    const lines = session.allLines;
    const podsWithLines = new Set(lines.map((l) => result.streams[l.stream].pod));
    expect(podsWithLines.size).toBeGreaterThanOrEqual(5);
    const times = lines.filter((l) => l.time).map((l) => Date.parse(l.time!));
    for (let i = 1; i < times.length; i++) expect(times[i], `line ${i}`).toBeGreaterThanOrEqual(times[i - 1]);
    // Every line kubectl returns for the same selection is there.
    const kubectlLines = (await kubectl(['logs', '-l', DEFAULT_LOG_SELECTOR, '-n', NS, '--tail=1000', '--timestamps', '--prefix', '--all-containers', '--max-log-requests=20']))
      .trim()
      .split('\n');
    expect(lines).toHaveLength(kubectlLines.length);
    const ours = new Set(lines.map((l) => `[pod/${result.streams[l.stream].pod}/${result.streams[l.stream].container}] ${l.time ? `${l.time} ` : ''}${l.text}`));
    for (const l of kubectlLines) expect(ours.has(l), l).toBe(true);
    // The crash reason is in the merged stream.
    expect(lines.some((l) => /Worker failed to boot/.test(l.text))).toBe(true);
    expect(result.kubectl).toContain(`kubectl logs -l ${DEFAULT_LOG_SELECTOR} -n ${NS} --tail=1000 --timestamps`);
  });

  it("the runbook's own selector finds only backend, frontend and ML pods", async () => {
    const session = await LogSession.open({ kubeConfig: kc, context: 'roadside-sandbox', namespace: NS, selector: RUNBOOK_LOG_SELECTOR });
    expect(new Set(session.streams.map((s) => s.pod.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')))).toEqual(
      new Set(['traffic-system-backend', 'traffic-system-frontend', 'traffic-system-ml-service']),
    );
  });

  it('follow keeps each container open and ends cleanly when stopped', async () => {
    const ended: string[] = [];
    const session = await LogSession.open({
      kubeConfig: kc,
      context: 'roadside-sandbox',
      namespace: NS,
      selector: 'app.kubernetes.io/component=backend',
      tailLines: 50,
      follow: true,
      onFollowEnded: () => ended.push('ended'),
    });
    const before = session.allLines.length;
    // 50 lines at most per container (both backend logs are shorter).
    expect(before).toBeGreaterThan(10);
    expect(before).toBeLessThanOrEqual(100);
    // Each follow request is answered once the stream is open.
    await expect.poll(() => session.streamInfos().filter((s) => s.following).length, { timeout: 10_000 }).toBe(2);
    expect(session.isFollowing).toBe(true);
    // What the follow request repeats (the last second before sinceTime) is not added twice.
    await new Promise((r) => setTimeout(r, 500));
    expect(session.allLines.length).toBe(before);
    await session.stopFollowing();
    expect(session.isFollowing).toBe(false);
    expect(session.streamInfos().map((s) => [s.following, s.error])).toEqual([
      [false, undefined],
      [false, undefined],
    ]);
    // Stopped on request, not ended by the server.
    expect(ended).toEqual([]);
    expect(session.read(0).lines).toHaveLength(before);
  });

  it('a selector that matches nothing gives no stream and no error', async () => {
    const session = await LogSession.open({ kubeConfig: kc, context: 'roadside-sandbox', namespace: NS, selector: 'app=does-not-exist' });
    expect(session.startResult('s-none-123')).toMatchObject({ pods: 0, streams: [], lines: [] });
  });
});

describe('observe with a user that may read only pods', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    const snapshot = await loadScenario('backend-502');
    snapshot.scenario.users = [
      {
        name: 'pod-reader',
        token: 'pod-reader-token',
        rules: [
          { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] },
          { nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/version'], verbs: ['get'] },
        ],
      } as any,
    ];
    sandbox = await startSandbox({ snapshot, port: 0 });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('forbidden blocks say which permission is missing; the others still show', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(sandbox.kubeconfigYaml({ namespace: NS }));
    const overview = await collectOverview({ kubeConfig: kc, context: 'roadside-sandbox', namespace: NS });
    expect(overview.pods.rows).toHaveLength(9);
    expect(overview.services.problem).toBeUndefined();
    expect(overview.pvcs.problem).toMatchObject({ kind: 'forbidden', verb: 'list', resource: 'persistentvolumeclaims', namespace: NS });
    expect(overview.events.problem).toMatchObject({ kind: 'forbidden', verb: 'list', resource: 'events' });
    expect(overview.top.problem).toMatchObject({ kind: 'forbidden', resource: 'pods.metrics.k8s.io' });
    expect(overview.pvcs.problem!.message).toBe(`not allowed to list persistentvolumeclaims in namespace ${NS}`);
    expect(overview.unreachable).toBeUndefined();
  });
});

describe('observe of a cluster that does not answer', () => {
  it('says the cluster is unreachable instead of listing empty blocks', async () => {
    const snapshot = await loadScenario('healthy');
    const sandbox = await startSandbox({ snapshot, port: 0 });
    const yaml = sandbox.kubeconfigYaml({ namespace: NS });
    await sandbox.stop();
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    const overview = await collectOverview({ kubeConfig: kc, context: 'gone', namespace: NS, requestTimeoutMs: 3000 });
    expect(overview.unreachable).toMatch(/ECONNREFUSED|cannot reach/);
    expect(overview.pods.problem?.kind).toBe('unreachable');
    const session = await LogSession.open({ kubeConfig: kc, context: 'gone', namespace: NS, selector: DEFAULT_LOG_SELECTOR, requestTimeoutMs: 3000 });
    expect(session.startResult('s-gone-1234').problem?.kind).toBe('unreachable');
  });
});
