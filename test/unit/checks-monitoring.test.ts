import { describe, expect, it } from 'vitest';
import { monitoringChecks } from '../../src/main/checks/runbook/monitoring';
import { ForbiddenError, type HttpResult, type KObject } from '../../src/main/checks/types';
import { FakeCluster, type FakeClusterSpec } from '../support/fake-cluster';
import { NOW, NS, backendPod, checkOf, component, prometheusPod, systemServices } from './checks-sections-fixtures';

const cluster = (spec: FakeClusterSpec) => new FakeCluster({ now: NOW, ...spec });

describe('monitoring.prometheus-ready', () => {
  const check = checkOf(monitoringChecks, 'monitoring.prometheus-ready');

  it('passes with ready Prometheus pods', async () => {
    expect((await check.run(cluster({ objects: { pods: [prometheusPod(), backendPod()] } }))).status).toBe('pass');
  });

  it('fails for not-ready or absent Prometheus', async () => {
    const down = await check.run(cluster({ objects: { pods: [prometheusPod({ ready: false, waitingReason: 'CrashLoopBackOff' })] } }));
    expect(down.status).toBe('fail');
    expect(down.message).toContain('CrashLoopBackOff');
    expect(down.actions).toContain('rollout-restart:prometheus');
    const absent = await check.run(cluster({ objects: { pods: [backendPod()] } }));
    expect(absent.status).toBe('fail');
    expect(absent.message).toContain('No Prometheus pods');
  });

  it('lets a forbidden pod list propagate', async () => {
    await expect(check.run(cluster({ forbidden: ['pods'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

function target(job: string, health: string, lastError = '') {
  return { labels: { job, instance: `${job}:8000` }, scrapePool: job, scrapeUrl: `http://10.244.1.22:8000/metrics#${job}`, lastError, health };
}
const targetsReply = (targets: unknown[], status = 200) => (svc: string, port: number, path: string): HttpResult | undefined =>
  svc === 'traffic-system-prometheus-server' && port === 80 && path === '/api/v1/targets'
    ? { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'success', data: { activeTargets: targets, droppedTargets: [] } }), latencyMs: 4 }
    : undefined;

describe('monitoring.prometheus-targets', () => {
  const check = checkOf(monitoringChecks, 'monitoring.prometheus-targets');

  it('passes when every target is up (through the service port 80)', async () => {
    const ctx = cluster({ http: targetsReply([target('traffic-system-backend', 'up'), target('traffic-system-ml-service', 'up')]) });
    const r = await check.run(ctx);
    expect(r.status).toBe('pass');
    expect(ctx.calls).toContain('http traffic-system-prometheus-server:80/api/v1/targets');
  });

  it('fails listing down targets with job, scrape URL and last error', async () => {
    const r = await check.run(cluster({ http: targetsReply([target('traffic-system-backend', 'down', 'context deadline exceeded'), target('traffic-system-ml-service', 'up')]) }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('1 of 2 target(s) down: traffic-system-backend http://10.244.1.22:8000/metrics#traffic-system-backend (context deadline exceeded)');
    expect(r.actions).toEqual(['rollout-restart:prometheus']);
  });

  it('warns for targets not scraped yet and for no targets', async () => {
    expect((await check.run(cluster({ http: targetsReply([target('a', 'unknown')]) }))).status).toBe('warn');
    expect((await check.run(cluster({ http: targetsReply([]) }))).message).toContain('no active targets');
  });

  it('fails when the API is unreachable or answers an error; errors on garbage', async () => {
    const unreachable = await check.run(cluster({}));
    expect(unreachable.status).toBe('fail');
    expect(unreachable.message).toContain('no endpoints available');
    expect((await check.run(cluster({ http: targetsReply([], 503) }))).status).toBe('fail');
    const garbage = await check.run(cluster({ http: () => ({ status: 200, headers: {}, body: '<html>', latencyMs: 1 }) }));
    expect(garbage.status).toBe('error');
  });

  it('lets a forbidden port-forward propagate', async () => {
    const err = await check.run(cluster({ forbidden: ['pods/portforward'] })).catch((e) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ verb: 'create', resource: 'pods/portforward' });
  });
});

function monitor(name: string, selector: Record<string, string>, port = 'http', namespaceSelector: unknown = { matchNames: [NS] }): KObject {
  return { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name, namespace: NS }, spec: { selector: { matchLabels: selector }, namespaceSelector, endpoints: [{ port }] } };
}

describe('monitoring.servicemonitors', () => {
  const check = checkOf(monitoringChecks, 'monitoring.servicemonitors');

  it('passes when each ServiceMonitor selects a Service with the named port', async () => {
    const r = await check.run(cluster({ objects: { 'servicemonitors.monitoring.coreos.com': [monitor('traffic-system-backend', component('backend')), monitor('traffic-system-ml-service', component('ml-service'))], services: systemServices() } }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('traffic-system-backend → traffic-system-backend');
  });

  it('fails for a ServiceMonitor that selects nothing or names a missing port', async () => {
    const none = await check.run(cluster({ objects: { 'servicemonitors.monitoring.coreos.com': [monitor('stale', { 'app.kubernetes.io/component': 'api' })], services: systemServices() } }));
    expect(none.status).toBe('fail');
    expect(none.message).toContain('stale selects no Service');
    const port = await check.run(cluster({ objects: { 'servicemonitors.monitoring.coreos.com': [monitor('wrong-port', component('backend'), 'metrics')], services: systemServices() } }));
    expect(port.status).toBe('fail');
    expect(port.message).toContain('port metrics not on traffic-system-backend');
  });

  it('respects namespaceSelector: a monitor looking elsewhere does not select these Services', async () => {
    const r = await check.run(cluster({ objects: { 'servicemonitors.monitoring.coreos.com': [monitor('elsewhere', component('backend'), 'http', { matchNames: ['monitoring'] })], services: systemServices() } }));
    expect(r.status).toBe('fail');
    const any = await check.run(cluster({ objects: { 'servicemonitors.monitoring.coreos.com': [monitor('any', component('backend'), 'http', { any: true })], services: systemServices() } }));
    expect(any.status).toBe('pass');
  });

  it('warns that the CRD or the ServiceMonitors are missing', async () => {
    const r = await check.run(cluster({ objects: { services: systemServices() } }));
    expect(r.status).toBe('warn');
    expect(r.message).toContain('CRD');
    class NoCrd extends FakeCluster {
      override async list(resource: Parameters<FakeCluster['list']>[0], ns?: string | null) {
        if (resource === 'servicemonitors.monitoring.coreos.com') throw new Error('the server could not find the requested resource (404)');
        return super.list(resource, ns);
      }
    }
    expect((await check.run(new NoCrd({ now: NOW }))).status).toBe('warn');
  });

  it('lets a forbidden list propagate', async () => {
    await expect(check.run(cluster({ forbidden: ['servicemonitors.monitoring.coreos.com'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});
