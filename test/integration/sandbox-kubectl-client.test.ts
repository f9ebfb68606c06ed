// @kubernetes/client-node 1.4.0 against the sandbox with nothing special: list with selectors,
// paging, watch; plus auth, latency and port handling of startSandbox.
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import { buildFixtureSnapshot } from './sandbox-kubectl-fixture';

const NS = 'traffic-system';
let sandbox: RunningSandbox;
let core: CoreV1Api;
let kc: KubeConfig;

function rawGet(path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: sandbox.port, path, ca: sandbox.caPem, headers: token ? { Authorization: `Bearer ${token}` } : {} },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ snapshot: buildFixtureSnapshot(new Date()), podReadyDelayMs: 300 });
  kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfigYaml());
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('client-node against the sandbox', () => {
  it('lists with label and field selectors', async () => {
    const setBased = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app.kubernetes.io/component in (backend),pod-template-hash' });
    expect(setBased.items.map((p) => p.metadata?.name).sort()).toEqual(['traffic-system-backend-7d9f8c6b5d-abcde', 'traffic-system-backend-7d9f8c6b5d-fghij']);
    const negated = await core.listNamespacedPod({ namespace: NS, labelSelector: '!pod-template-hash' });
    expect(negated.items.map((p) => p.metadata?.name)).toEqual(['traffic-system-postgresql-0']);
    const onNode = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-b,status.phase=Running' });
    expect(onNode.items.map((p) => p.metadata?.name)).toEqual(['traffic-system-backend-7d9f8c6b5d-fghij']);
    const events = await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=traffic-system-postgresql-0,involvedObject.kind=Pod' });
    expect(events.items.map((e) => e.reason)).toEqual(['BackOff']);
    const secrets = await core.listNamespacedSecret({ namespace: NS, fieldSelector: 'type=Opaque' });
    expect(secrets.items).toHaveLength(1);
    expect(Number(setBased.metadata?.resourceVersion)).toBeGreaterThan(0);
  });

  it('pages with limit and continue', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedPod({ namespace: NS, limit: 2, _continue: token });
      names.push(...page.items.map((p) => p.metadata?.name ?? ''));
      token = page.metadata?._continue || undefined;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(2);
    expect(names).toEqual(['traffic-system-backend-7d9f8c6b5d-abcde', 'traffic-system-backend-7d9f8c6b5d-fghij', 'traffic-system-postgresql-0']);
  });

  it('watch streams the existing pods then the life of a new one', async () => {
    const seen: Array<{ type: string; name: string; phase: string }> = [];
    const watch = new Watch(kc);
    let done!: () => void;
    const running = new Promise<void>((resolve) => (done = resolve));
    const controller = await watch.watch(
      `/api/v1/namespaces/${NS}/pods`,
      { labelSelector: 'run=watch-probe' },
      (type, obj: { metadata: { name: string }; status?: { phase?: string } }) => {
        seen.push({ type, name: obj.metadata.name, phase: obj.status?.phase ?? '' });
        if (obj.status?.phase === 'Running') done();
      },
      () => undefined,
    );
    await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'watch-probe', labels: { run: 'watch-probe' } }, spec: { containers: [{ name: 'probe', image: 'busybox' }] } },
    });
    await running;
    controller.abort();
    expect(seen[0]).toMatchObject({ type: 'ADDED', name: 'watch-probe' });
    expect(seen.at(-1)).toEqual({ type: 'MODIFIED', name: 'watch-probe', phase: 'Running' });
  });

  it('rejects a missing or wrong token with 401 and serves /version without one', async () => {
    expect((await rawGet('/api/v1/pods')).status).toBe(401);
    const wrong = await rawGet('/api/v1/pods', 'nope');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const version = await rawGet('/version');
    expect(JSON.parse(version.body).gitVersion).toMatch(/^v1\.30\./);
  });

  it('answers unknown paths and objects like the real API', async () => {
    const path = await rawGet('/apis/nothing.example.com/v1/widgets', sandbox.token);
    expect(path.status).toBe(404);
    expect(JSON.parse(path.body).message).toBe('the server could not find the requested resource');
    const obj = await rawGet(`/api/v1/namespaces/${NS}/pods/ghost`, sandbox.token);
    expect(JSON.parse(obj.body)).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "ghost" not found', details: { name: 'ghost', kind: 'pods' } });
    const many = await rawGet(`/api/v1/namespaces/${NS}/pods/traffic-system-postgresql-0/log?container=sidecar`, sandbox.token);
    expect(many.status).toBe(400);
  });

  it('refuses a port that is taken, and adds the scenario latency', async () => {
    await expect(startSandbox({ snapshot: buildFixtureSnapshot(new Date()), port: sandbox.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: expect.stringContaining('in use'),
    });
    const slow = await startSandbox({ snapshot: buildFixtureSnapshot(new Date(), { latencyMs: 300 }) });
    try {
      const started = Date.now();
      const r = await new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: slow.port, path: '/api/v1/namespaces', ca: slow.caPem, headers: { Authorization: `Bearer ${slow.token}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
      expect(r).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(slow.requestCount()).toBe(1);
    } finally {
      await slow.stop();
    }
  });
});
