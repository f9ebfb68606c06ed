import { describe, expect, it } from 'vitest';
import { accessNeeds, clusterChecks } from '../../src/main/checks/runbook/cluster';
import { DEFAULT_SYSTEM_NAMES, ForbiddenError, type KObject } from '../../src/main/checks/types';
import { FakeCluster, type FakeClusterSpec } from '../support/fake-cluster';
import { NOW, NS, checkOf, encodeRelease, release, releaseSecret } from './checks-sections-fixtures';

const cluster = (spec: FakeClusterSpec) => new FakeCluster({ now: NOW, ...spec });

function event(name: string, o: { type?: string; reason: string; kind?: string; object: string; last?: string; eventTime?: string; seriesLast?: string; count?: number; message?: string }): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: NS, creationTimestamp: '2026-01-01T00:00:00Z' },
    involvedObject: { kind: o.kind ?? 'Pod', name: o.object, namespace: NS },
    reason: o.reason,
    message: o.message ?? `${o.reason} happened`,
    type: o.type ?? 'Warning',
    count: o.count ?? 1,
    lastTimestamp: o.last ?? null,
    eventTime: o.eventTime ?? null,
    ...(o.seriesLast ? { series: { count: o.count ?? 1, lastObservedTime: o.seriesLast } } : {}),
  };
}

describe('cluster.recent-events', () => {
  const check = checkOf(clusterChecks, 'cluster.recent-events');

  it('passes when the last hour has no Warning events', async () => {
    const r = await check.run(
      cluster({
        objects: {
          events: [
            event('a', { type: 'Normal', reason: 'Pulled', object: 'backend-1', last: '2026-01-10T09:50:00Z' }),
            event('b', { reason: 'BackOff', object: 'backend-1', last: '2026-01-10T08:30:00Z' }),
          ],
        },
      }),
    );
    expect(r.status).toBe('pass');
  });

  it('warns grouping by reason and object with counts, using lastTimestamp, eventTime and series', async () => {
    const r = await check.run(
      cluster({
        objects: {
          events: [
            event('a', { reason: 'BackOff', object: 'traffic-system-backend-1', last: '2026-01-10T09:50:00Z', count: 7, message: 'Back-off restarting failed container' }),
            event('b', { reason: 'BackOff', object: 'traffic-system-backend-1', last: '2026-01-10T09:20:00Z', count: 3 }),
            event('c', { reason: 'FailedScheduling', object: 'traffic-system-ml-service-1', eventTime: '2026-01-10T09:55:00.000000Z' }),
            event('d', { reason: 'Unhealthy', object: 'traffic-system-minio-1', seriesLast: '2026-01-10T09:59:00Z', count: 12, last: '2026-01-10T07:00:00Z' }),
            event('e', { reason: 'Old', object: 'x', last: '2026-01-10T08:59:59Z' }),
          ],
        },
      }),
    );
    expect(r.status).toBe('warn');
    expect(r.message).toContain('23 Warning event(s)');
    expect(r.message).toContain('Unhealthy on Pod/traffic-system-minio-1 ×12');
    expect(r.message).toContain('BackOff on Pod/traffic-system-backend-1 ×10');
    expect(r.message).toContain('FailedScheduling on Pod/traffic-system-ml-service-1 ×1');
    expect(r.message).not.toContain('Old');
    const backoff = r.evidence?.find((e) => e.label === 'BackOff ×10');
    expect(backoff).toMatchObject({ kind: 'object', fields: { last: '2026-01-10T09:50:00Z', message: 'Back-off restarting failed container' } });
  });

  it('passes when the only warnings are transient blips or kubelet advice, listing them', async () => {
    const r = await check.run(
      cluster({
        objects: {
          events: [
            event('hpa', { reason: 'FailedGetResourceMetric', kind: 'HorizontalPodAutoscaler', object: 'traffic-system-ml-service', last: '2026-01-10T09:03:00Z', count: 2 }),
            event('probe', { reason: 'Unhealthy', object: 'traffic-system-backend-1', last: '2026-01-10T09:08:00Z', count: 1 }),
            { ...event('dns', { reason: 'DNSConfigForming', object: 'coredns-1', last: '2026-01-10T09:35:00Z', count: 4 }), metadata: { name: 'dns', namespace: 'kube-system' } },
          ],
        },
      }),
    );
    expect(r.status).toBe('pass');
    expect(r.message).toContain('Only transient or advisory');
    expect(r.message).toContain('Unhealthy on Pod/traffic-system-backend-1 ×1');
  });

  it('a repeated probe failure is not a blip', async () => {
    const r = await check.run(cluster({ objects: { events: [event('probe', { reason: 'Unhealthy', object: 'traffic-system-backend-1', last: '2026-01-10T09:50:00Z', count: 19 })] } }));
    expect(r.status).toBe('warn');
    expect(r.message).toBe('19 Warning event(s) in the last hour in 1 group(s): Unhealthy on Pod/traffic-system-backend-1 ×19.');
  });

  it('includes kube-system and node events, not other applications’ namespaces', async () => {
    const inNs = (e: KObject, ns: string) => ({ ...e, metadata: { ...e.metadata, namespace: ns } });
    const events = [
      inNs(event('cd', { reason: 'BackOff', object: 'coredns-1', last: '2026-01-10T09:58:00Z', count: 96 }), 'kube-system'),
      inNs(event('ev', { reason: 'EvictionThresholdMet', kind: 'Node', object: 'worker-1', last: '2026-01-10T09:58:42Z', count: 9 }), 'default'),
      inNs(event('other', { reason: 'BackOff', object: 'someone-elses-app', last: '2026-01-10T09:58:00Z', count: 50 }), 'shop'),
    ];
    const r = await check.run(cluster({ objects: { events } }));
    expect(r.status).toBe('warn');
    expect(r.message).toContain('BackOff on Pod/coredns-1 ×96');
    expect(r.message).toContain('EvictionThresholdMet on Node/worker-1 ×9');
    expect(r.message).not.toContain('someone-elses-app');

    class NamespaceOnly extends FakeCluster {
      override async list(resource: Parameters<FakeCluster['list']>[0], ns?: string | null) {
        if (resource === 'events' && ns !== undefined && ns !== NS) throw new ForbiddenError('list', 'events', ns ?? undefined);
        return super.list(resource, ns);
      }
    }
    const limited = await check.run(new NamespaceOnly({ now: NOW, objects: { events } }));
    expect(limited.status).toBe('pass');
    expect(limited.message).toContain('events of kube-system not readable');
  });

  it('passes with no events at all', async () => {
    expect((await check.run(cluster({}))).status).toBe('pass');
  });

  it('lets a forbidden events list propagate', async () => {
    await expect(check.run(cluster({ forbidden: ['events'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('cluster.helm-release', () => {
  const check = checkOf(clusterChecks, 'cluster.helm-release');
  const opaque: KObject = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'traffic-system-secrets', namespace: NS }, data: { 'django-secret-key': 'eA==' } };

  it('passes for a deployed current revision and shows only release identity', async () => {
    const r = await check.run(cluster({ objects: { secrets: [opaque, releaseSecret(1, 'superseded'), releaseSecret(2, 'superseded'), releaseSecret(3, 'deployed')] } }));
    expect(r.status).toBe('pass');
    expect(r.message).toBe('traffic-system revision 3 is deployed (traffic-system-2.4.3, app 2.4.3), deployed 2026-01-03T10:00:00Z.');
    const text = JSON.stringify(r);
    for (const secret of ['super-secret-value-123', 'pg-password-xyz', 'chart-default-hunter2', 'cGctcGFzc3dvcmQteHl6']) expect(text).not.toContain(secret);
  });

  it('fails a failed upgrade and suggests rolling back to the previous deployed revision', async () => {
    const r = await check.run(cluster({ objects: { secrets: [releaseSecret(1, 'superseded'), releaseSecret(2, 'superseded'), releaseSecret(3, 'failed')] } }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('revision 3 is failed');
    expect(r.message).toContain('timed out waiting for the condition');
    const rollback = r.remediation?.find((x) => x.action === 'helm-rollback');
    expect(rollback?.command).toBe('helm rollback traffic-system 2 -n traffic-system');
    expect(r.actions).toEqual(['helm-rollback']);
  });

  it('skips failed revisions when choosing where to roll back, and fails pending states', async () => {
    const r = await check.run(cluster({ objects: { secrets: [releaseSecret(4, 'superseded'), releaseSecret(5, 'failed'), releaseSecret(6, 'pending-upgrade')] } }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('pending-upgrade');
    expect(r.remediation?.find((x) => x.action === 'helm-rollback')?.command).toBe('helm rollback traffic-system 4 -n traffic-system');
  });

  it('does not offer a rollback when nothing was deployed before', async () => {
    const r = await check.run(cluster({ objects: { secrets: [releaseSecret(1, 'failed')] } }));
    expect(r.status).toBe('fail');
    expect(r.actions).toEqual([]);
  });

  it('uses the labels when a record cannot be decoded', async () => {
    const broken = releaseSecret(7, 'deployed', Buffer.from('not-helm').toString('base64'));
    const r = await check.run(cluster({ objects: { secrets: [broken] } }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('record not decoded');
  });

  it('warns for other states and when there is no release', async () => {
    const uninstalling = releaseSecret(2, 'uninstalling', encodeRelease(release(2, 'uninstalling')));
    expect((await check.run(cluster({ objects: { secrets: [uninstalling] } }))).status).toBe('warn');
    const none = await check.run(cluster({ objects: { secrets: [opaque] } }));
    expect(none.status).toBe('warn');
    expect(none.message).toContain('No Helm release records');
  });

  it('lets a forbidden secrets list propagate', async () => {
    await expect(check.run(cluster({ forbidden: ['secrets'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('cluster.access', () => {
  const check = checkOf(clusterChecks, 'cluster.access');

  it('passes when everything needed is allowed, asking in the right namespaces', async () => {
    const asked: Array<{ verb: string; resource: string; opts: unknown }> = [];
    class Recording extends FakeCluster {
      override async can(verb: string, resource: string, opts: any = {}) {
        asked.push({ verb, resource, opts });
        return super.can(verb, resource, opts);
      }
    }
    const r = await check.run(new Recording({ now: NOW }));
    expect(r.status).toBe('pass');
    expect(asked).toContainEqual({ verb: 'get', resource: 'nodes', opts: { subresource: 'proxy', namespace: null } });
    expect(asked).toContainEqual({ verb: 'create', resource: 'pods', opts: { subresource: 'exec', namespace: NS } });
    expect(asked).toContainEqual({ verb: 'patch', resource: 'deployments', opts: { group: 'apps', namespace: 'kube-system' } });
  });

  it('warns listing what is denied and the checks and actions it limits', async () => {
    const r = await check.run(cluster({ forbidden: ['pods/exec', 'secrets'] }));
    expect(r.status).toBe('warn');
    expect(r.message).toContain('create pods/exec in traffic-system');
    expect(r.message).toContain('list secrets in traffic-system');
    expect(r.message).toContain('auth.clock-skew');
    expect(r.message).toContain('auth.jwt-secret');
    expect(r.message).toContain('cluster.helm-release');
    expect(r.message).toContain('limited actions: clean-old-files');
    expect(r.message).not.toContain('network.policies');
  });

  describe('from a SelfSubjectRulesReview', () => {
    // An L1 role in the run's namespace: reads and logs, no secrets, no exec, no writes.
    const l1 = [
      { apiGroups: [''], resources: ['pods', 'pods/log', 'events', 'persistentvolumeclaims'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io', 'monitoring.coreos.com'], resources: ['*'], verbs: ['list'] },
      { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['traffic-system-secrets'], verbs: ['get', 'list'] },
    ];
    class Reviewing extends FakeCluster {
      readonly asked: string[] = [];
      readonly reviewed: string[] = [];
      constructor(
        private readonly rules: Record<string, { resourceRules: any[]; incomplete: boolean } | Error>,
        spec: FakeClusterSpec = {},
      ) {
        super({ now: NOW, ...spec });
      }
      async rulesReview(namespace: string) {
        this.reviewed.push(namespace);
        const r = this.rules[namespace];
        if (!r || r instanceof Error) throw r ?? new Error('no review');
        return r;
      }
      override async can(verb: string, resource: string, opts: any = {}) {
        this.asked.push(`${verb} ${resource}${opts.subresource ? `/${opts.subresource}` : ''} ${opts.namespace ?? '(cluster)'}`);
        return super.can(verb, resource, opts);
      }
    }

    it('decides each namespace from one review, listing nodes from the node list, and asks the rest one by one', async () => {
      const ctx = new Reviewing({ [NS]: { resourceRules: l1, incomplete: false }, 'kube-system': { resourceRules: [], incomplete: false } });
      const r = await check.run(ctx);
      expect(ctx.reviewed.sort()).toEqual(['kube-system', NS].sort());
      expect(ctx.asked).toEqual(['get nodes/proxy (cluster)']);
      expect(ctx.calls).toContain('list nodes *');
      expect(r.status).toBe('warn');
      // Denied by the rules: exec, port-forward, listing secrets (the rule names one secret), writes.
      expect(r.message).toContain('create pods/exec in traffic-system');
      expect(r.message).toContain('list secrets in traffic-system');
      expect(r.message).toContain('patch deployments.apps in traffic-system');
      expect(r.message).toContain('list pods in kube-system');
      // Granted by the rules.
      expect(r.message).not.toContain('get pods/log');
      expect(r.message).not.toContain('list networkpolicies');
      expect(r.message).not.toContain('list pods.metrics.k8s.io');
    });

    it('asks an access review for what an incomplete review does not grant', async () => {
      const ctx = new Reviewing({ [NS]: { resourceRules: l1, incomplete: true }, 'kube-system': { resourceRules: [], incomplete: true } }, { forbidden: ['pods/exec'] });
      const r = await check.run(ctx);
      expect(ctx.asked).toContain(`create pods/exec ${NS}`);
      expect(ctx.asked).toContain(`list secrets ${NS}`);
      expect(ctx.asked).not.toContain(`get pods/log ${NS}`);
      // The fake's access reviews allow all but exec.
      expect(r.message).toContain('create pods/exec in traffic-system');
      expect(r.message).not.toContain('list secrets');
    });

    it('falls back to access reviews when the rules review fails', async () => {
      const ctx = new Reviewing({}, { forbidden: ['secrets'] });
      const r = await check.run(ctx);
      // Every need but listing nodes, which the node list answers.
      expect(ctx.asked).toHaveLength(accessNeeds(DEFAULT_SYSTEM_NAMES).length - 1);
      expect(r.message).toContain('list secrets in traffic-system');
    });

    it('counts a refused node list as not allowed to list nodes', async () => {
      const ctx = new Reviewing({ [NS]: { resourceRules: l1, incomplete: false }, 'kube-system': { resourceRules: [], incomplete: false } }, { forbidden: ['nodes'] });
      const r = await check.run(ctx);
      expect(ctx.asked).not.toContain('list nodes (cluster)');
      expect(r.message).toContain('list nodes;');
      expect(r.message).toContain('storage.node-pressure');
    });
  });

  it('covers every action id the runbook offers', () => {
    const affected = new Set(accessNeeds(DEFAULT_SYSTEM_NAMES).flatMap((n) => n.affects));
    for (const action of ['rollout-restart:backend', 'rollout-restart:ml-service', 'rollout-restart:coredns', 'rollout-restart:prometheus', 'scale:ml-service', 'set-resources:ml-service', 'expand-pvc', 'clean-old-files', 'rotate-jwt-secret', 'maintenance-on', 'maintenance-off', 'emergency-backup', 'allow-frontend-to-backend', 'add-user-to-group', 'migrate-run-syncdb', 'helm-rollback', 'profile-backend', 'profile-ml-service']) {
      expect(affected.has(action), action).toBe(true);
    }
  });
});
