import { describe, expect, it } from 'vitest';
import { connectivityChecks } from '../../src/main/checks/runbook/connectivity';
import type { KObject } from '../../src/main/checks/types';
import { makeCa, makeServerCert } from '../support/certs';
import { NOW, NS, ago, checkOf, componentLabels, endpoints, fake, pod, runCheck, service } from './checks-engine-fixtures';

const podsHealthy = checkOf(connectivityChecks, 'connectivity.pods-healthy');
const serviceEndpoints = checkOf(connectivityChecks, 'connectivity.service-endpoints');
const ingressRoutes = checkOf(connectivityChecks, 'connectivity.ingress-routes');
const ingressController = checkOf(connectivityChecks, 'connectivity.ingress-controller');
const backendHealth = checkOf(connectivityChecks, 'connectivity.backend-health');
const tlsCertificates = checkOf(connectivityChecks, 'connectivity.tls-certificates');

const backendLabels = componentLabels('backend');
const backendPod = (name: string, o: Parameters<typeof pod>[1] = {}) =>
  pod(name, { labels: backendLabels, container: 'backend', owner: 'traffic-system-backend-7c9d', ports: [{ name: 'http', containerPort: 8000 }], ...o });

describe('connectivity.pods-healthy', () => {
  it('passes when every pod is Running and Ready, even with an old restart', () => {
    const old = { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(2 * 86400) } };
    return expect(runCheck(podsHealthy, fake({ objects: { pods: [backendPod('b-1', { restartCount: 1, lastState: old }), backendPod('b-2')] } }))).resolves.toMatchObject({
      status: 'pass',
      message: 'All 2 pods Running and Ready',
    });
  });

  it('fails on CrashLoopBackOff, naming the pod, its restarts and last termination, and offers the backend restart', async () => {
    const crashing = backendPod('traffic-system-backend-7c9d-h2x8r', {
      ready: false,
      restartCount: 9,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
      lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(120) } },
    });
    const f = await runCheck(podsHealthy, fake({ objects: { pods: [crashing, backendPod('b-2')] } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('traffic-system-backend-7c9d-h2x8r CrashLoopBackOff');
    expect(f.evidence[0]).toMatchObject({ kind: 'object', fields: { restarts: 9, reason: 'CrashLoopBackOff' } });
    expect(f.evidence[0].kind === 'object' && String(f.evidence[0].fields?.lastTermination)).toMatch(/^Error \(exit 1\)/);
    expect(f.actions).toContain('rollout-restart:backend');
  });

  it('names ImagePullBackOff, OOMKilled and Evicted pods', async () => {
    const pods = [
      pod('img', { owner: 'x', ready: false, state: { waiting: { reason: 'ErrImagePull' } } }),
      pod('oom', { owner: 'y', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }),
      pod('gone', { owner: 'z', phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.', ready: false }),
    ];
    const f = await runCheck(podsHealthy, fake({ objects: { pods } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('img ImagePullBackOff');
    expect(f.message).toContain('oom CrashLoopBackOff');
    expect(f.message).toContain('gone Evicted');
  });

  it('warns on a Pending, unschedulable replica while the others serve, and fails when none serves', async () => {
    const unschedulable = {
      phase: 'Pending',
      ready: false,
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/4 nodes are available: 1 Insufficient nvidia.com/gpu.' }],
    };
    const ml = (name: string, o = {}) => pod(name, { labels: componentLabels('ml-service'), owner: 'ml-rs', ...o });
    const degraded = await runCheck(podsHealthy, fake({ objects: { pods: [ml('ml-1'), ml('ml-2'), ml('ml-3', unschedulable)] } }));
    expect(degraded.status).toBe('warn');
    expect(degraded.message).toContain('ml-3 Unschedulable');
    expect(degraded.evidence[0].label).toContain('Insufficient nvidia.com/gpu');
    const alone = await runCheck(podsHealthy, fake({ objects: { pods: [ml('ml-3', unschedulable)] } }));
    expect(alone.status).toBe('fail');
  });

  it('warns when there are no pods, and is skipped when pods may not be listed', async () => {
    expect((await runCheck(podsHealthy, fake({}))).status).toBe('warn');
    expect(await runCheck(podsHealthy, fake({ forbidden: ['pods'] }))).toMatchObject({ status: 'skipped', message: 'skipped: not allowed to list pods in namespace traffic-system' });
  });
});

describe('connectivity.service-endpoints', () => {
  const svc = service('traffic-system-backend', backendLabels, [{ name: 'http', port: 8000, targetPort: 'http' }]);

  it('passes with ready endpoints and a named targetPort the pods declare', async () => {
    const f = await runCheck(serviceEndpoints, fake({ objects: { services: [svc], endpoints: [endpoints('traffic-system-backend', 2)], pods: [backendPod('b-1'), backendPod('b-2')] } }));
    expect(f.status).toBe('pass');
  });

  it('fails when no endpoint is ready: the classic 502', async () => {
    const pods = [backendPod('b-1', { ready: false }), backendPod('b-2', { ready: false })];
    const f = await runCheck(serviceEndpoints, fake({ objects: { services: [svc], endpoints: [endpoints('traffic-system-backend', 0, 2)], pods } }));
    expect(f.status).toBe('fail');
    expect(f.message).toBe('traffic-system-backend has no ready endpoints (2 not ready)');
    expect(f.actions).toEqual(['rollout-restart:backend']);
  });

  it('fails when the selector matches no pod or the targetPort names no container port', async () => {
    const wrongSelector = service('traffic-system-frontend', componentLabels('frontend'), [{ port: 80, targetPort: 8080 }]);
    const wrongPort = service('traffic-system-backend', backendLabels, [{ name: 'http', port: 8000, targetPort: 'web' }]);
    const f = await runCheck(serviceEndpoints, fake({ objects: { services: [wrongSelector, wrongPort], endpoints: [endpoints('traffic-system-backend', 2)], pods: [backendPod('b-1')] } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('traffic-system-frontend selects no pods');
    expect(f.message).toContain('targetPort "web" names no container port');
  });

  it('warns when only some endpoints are ready', async () => {
    const f = await runCheck(serviceEndpoints, fake({ objects: { services: [svc], endpoints: [endpoints('traffic-system-backend', 1, 1)], pods: [backendPod('b-1'), backendPod('b-2', { ready: false })] } }));
    expect(f).toMatchObject({ status: 'warn', message: 'traffic-system-backend 1/2 endpoints ready' });
  });
});

describe('connectivity.ingress-routes', () => {
  const ingress = (o: { className?: string; service?: string; port?: number; tlsSecret?: string } = {}): KObject => ({
    metadata: { name: 'traffic-system', namespace: NS },
    spec: {
      ingressClassName: o.className ?? 'nginx',
      tls: [{ hosts: ['traffic-system.example.com'], secretName: o.tlsSecret ?? 'traffic-system-tls' }],
      rules: [{ host: 'traffic-system.example.com', http: { paths: [{ path: '/api', backend: { service: { name: o.service ?? 'traffic-system-backend', port: { number: o.port ?? 8000 } } } }] } }],
    },
  });
  const objects = (ing: KObject) => ({
    'ingresses.networking.k8s.io': [ing],
    'ingressclasses.networking.k8s.io': [{ metadata: { name: 'nginx' } }],
    services: [service('traffic-system-backend', backendLabels, [{ port: 8000 }])],
    secrets: [{ metadata: { name: 'traffic-system-tls', namespace: NS }, data: { 'tls.crt': 'eA==' } }],
  });

  it('passes when class, backend service and port, and TLS secret exist', async () => {
    expect((await runCheck(ingressRoutes, fake({ objects: objects(ingress()) }))).status).toBe('pass');
  });

  it('fails naming a missing class, service port or TLS secret', async () => {
    const f = await runCheck(ingressRoutes, fake({ objects: objects(ingress({ className: 'traefik', port: 9000, tlsSecret: 'other-tls' })) }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('IngressClass "traefik" does not exist');
    expect(f.message).toContain('Service traffic-system-backend has no port 9000');
    expect(f.message).toContain('TLS secret other-tls does not exist');
  });

  it('warns when there is no Ingress', async () => {
    expect((await runCheck(ingressRoutes, fake({}))).status).toBe('warn');
  });
});

describe('connectivity.ingress-controller', () => {
  const controller = (ready = true) =>
    pod('ingress-nginx-controller-7d4-9xq2m', {
      namespace: 'ingress-nginx',
      container: 'controller',
      labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
      ready,
    });
  const access = (status: number) =>
    `2026-01-10T09:30:00Z 203.0.113.52 - - "GET /api/v1/cameras/ HTTP/2.0" ${status} 150 "-" "Mozilla/5.0" 43 0.002 [traffic-system-traffic-system-backend-8000] [] 10.244.1.22:8000 0 0.001 ${status} abc`;
  const logKey = 'ingress-nginx/ingress-nginx-controller-7d4-9xq2m/controller';

  it('passes with a ready controller and clean logs; a 504 byte count is not a 504 status', async () => {
    const line = access(200).replace(' 150 ', ' 504 ');
    const f = await runCheck(ingressController, fake({ objects: { pods: [controller()] }, logs: { [logKey]: `${access(200)}\n${line}` } }));
    expect(f.status).toBe('pass');
  });

  it('warns on upstream errors in recent logs, with the lines as evidence', async () => {
    const refused = '2026/01/10 09:31:40 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 203.0.113.52';
    const f = await runCheck(ingressController, fake({ objects: { pods: [controller()] }, logs: { [logKey]: [access(502), access(502), refused].join('\n') } }));
    expect(f.status).toBe('warn');
    expect(f.message).toContain('1 × connect() failed');
    expect(f.message).toContain('2 × 502/503/504 responses');
    expect(f.evidence.some((e) => e.kind === 'log' && e.lines.includes(refused))).toBe(true);
  });

  it('fails when the controller is not ready, warns when there is none', async () => {
    expect((await runCheck(ingressController, fake({ objects: { pods: [controller(false)] } }))).status).toBe('fail');
    expect((await runCheck(ingressController, fake({}))).status).toBe('warn');
  });
});

describe('connectivity.backend-health', () => {
  const svc = service('traffic-system-backend', backendLabels, [{ port: 8000, targetPort: 'http' }]);
  const answer = (status: number, body: string, latencyMs = 20) => () => ({ status, headers: {}, body, latencyMs });

  it('passes on HTTP 200 with every component ok, reporting the latency', async () => {
    const f = await runCheck(backendHealth, fake({ objects: { services: [svc] }, http: answer(200, '{"status": "ok", "database": "ok"}', 42) }));
    expect(f).toMatchObject({ status: 'pass', message: 'GET svc/traffic-system-backend:8000/api/v1/health/ answered HTTP 200 in 42 ms' });
    expect(f.kubectl).toContain('kubectl port-forward svc/traffic-system-backend 8000:8000 -n traffic-system');
  });

  it('warns when the backend answers but reports a degraded component', async () => {
    const f = await runCheck(backendHealth, fake({ objects: { services: [svc] }, http: answer(200, '{"status": "degraded", "database": "connection refused"}') }));
    expect(f.status).toBe('warn');
    expect(f.message).toContain('database=connection refused');
  });

  it('fails on an error status or when nothing answers', async () => {
    expect((await runCheck(backendHealth, fake({ objects: { services: [svc] }, http: answer(503, 'Service Unavailable') }))).status).toBe('fail');
    const none = await runCheck(backendHealth, fake({ objects: { services: [svc] } }));
    expect(none).toMatchObject({ status: 'fail' });
    expect(none.message).toContain('no endpoints available for service "traffic-system-backend"');
    expect(none.actions).toEqual(['rollout-restart:backend']);
  });

  it('fails when the Service does not exist, and is skipped without port-forward permission', async () => {
    expect((await runCheck(backendHealth, fake({}))).message).toContain('Service traffic-system-backend not found');
    expect(await runCheck(backendHealth, fake({ objects: { services: [svc] }, forbidden: ['pods/portforward'] }))).toMatchObject({
      status: 'skipped',
      message: 'skipped: not allowed to create pods/portforward',
    });
  });
});

describe('connectivity.tls-certificates', () => {
  async function tlsSecret(notAfter: Date): Promise<KObject> {
    const ca = await makeCa();
    const cert = await makeServerCert(ca, { dns: ['traffic-system.example.com'], notBefore: new Date(notAfter.getTime() - 90 * 86400_000), notAfter });
    return { metadata: { name: 'traffic-system-tls', namespace: NS }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from(cert.certPem).toString('base64'), 'tls.key': Buffer.from(cert.keyPem).toString('base64') } };
  }
  const certificate = (notAfter: Date, ready = 'True'): KObject => ({
    metadata: { name: 'traffic-system-tls', namespace: NS },
    spec: { secretName: 'traffic-system-tls' },
    status: { conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'Ready' : 'Failed' }], notAfter: notAfter.toISOString() },
  });
  const inDays = (d: number) => new Date(NOW.getTime() + d * 86400_000);

  it('passes with a Ready certificate valid for weeks, showing only subject and expiry', async () => {
    const secret = await tlsSecret(inDays(60));
    const f = await runCheck(tlsCertificates, fake({ objects: { 'certificates.cert-manager.io': [certificate(inDays(60))], secrets: [secret] } }));
    expect(f.status).toBe('pass');
    expect(f.message).toContain('traffic-system-tls valid until');
    const text = JSON.stringify(f);
    expect(text).not.toContain(secret.data!['tls.crt'].slice(0, 40));
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).toContain('CN=roadside-test-server');
  });

  it('warns when the certificate in the secret expires within 14 days', async () => {
    const f = await runCheck(tlsCertificates, fake({ objects: { secrets: [await tlsSecret(inDays(5))], 'ingresses.networking.k8s.io': [{ metadata: { name: 'i', namespace: NS }, spec: { tls: [{ secretName: 'traffic-system-tls' }] } }] } }));
    expect(f.status).toBe('warn');
    expect(f.message).toMatch(/expires in [45] days/);
  });

  it('fails when it has expired or the Certificate is not Ready', async () => {
    const expired = await runCheck(tlsCertificates, fake({ objects: { 'certificates.cert-manager.io': [certificate(inDays(-1))], secrets: [await tlsSecret(inDays(-1))] } }));
    expect(expired.status).toBe('fail');
    expect(expired.message).toContain('expired');
    const notReady = await runCheck(tlsCertificates, fake({ objects: { 'certificates.cert-manager.io': [certificate(inDays(60), 'False')], secrets: [await tlsSecret(inDays(60))] } }));
    expect(notReady.status).toBe('fail');
    expect(notReady.message).toContain('not Ready');
  });

  it('is skipped when nothing uses TLS (cert-manager absent, no Ingress TLS)', async () => {
    expect((await runCheck(tlsCertificates, fake({}))).status).toBe('skipped');
  });
});
