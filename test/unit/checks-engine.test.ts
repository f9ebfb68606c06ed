import { describe, expect, it } from 'vitest';
import type { CheckProgress } from '../../src/shared/checks';
import { UnknownCheckError, runChecks } from '../../src/main/checks/engine';
import { ALL_CHECKS, checkById } from '../../src/main/checks/registry';
import { ForbiddenError, UnreachableError, type Check, type CheckOutcome } from '../../src/main/checks/types';
import type { FakeClusterSpec } from '../support/fake-cluster';
import { NS, fake, pod } from './checks-engine-fixtures';

function check(id: string, run: Check['run'], extra: Partial<Check> = {}): Check {
  const [section] = id.split('.') as [Check['section']];
  return {
    id,
    section,
    title: { es: id, en: id },
    runbook: 'test',
    severity: 'medium',
    kubectl: (n) => [`kubectl get pods -n ${n.namespace}`],
    run,
    ...extra,
  };
}

const pass = async (): Promise<CheckOutcome> => ({ status: 'pass', message: 'ok' });

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('runChecks', () => {
  it('reads each list once per run, however many checks need it, including concurrent reads', async () => {
    const cluster = fake({ objects: { pods: [pod('a'), pod('b')] } });
    const listing = Array.from({ length: 5 }, (_, i) =>
      check(`connectivity.reader-${i}`, async (ctx) => {
        const pods = await ctx.list('pods');
        const again = await ctx.get('pods', 'a');
        return { status: 'pass', message: `${pods.length} pods, found ${again?.metadata.name}` };
      }),
    );
    const result = await runChecks({ context: cluster, contextName: 'test', namespace: NS, registry: listing, concurrency: 5 });
    expect(result.findings.map((f) => f.message)).toEqual(Array(5).fill('2 pods, found a'));
    expect(cluster.calls.filter((c) => c.startsWith('list pods'))).toEqual([`list pods ${NS}`]);
  });

  it('reads a container log once for every tail and form the checks ask for', async () => {
    const stamped = '2026-11-29T10:00:00.000000001Z one\n2026-11-29T10:00:01Z two\n2026-11-29T10:00:02.5+01:00 three\n';
    const cluster = fake({ logs: { [`${NS}/p/app`]: stamped, [`${NS}/p/app#previous`]: 'before\n' } });
    const seen: Record<string, string> = {};
    const readers = [1, 2, 3].map((i) =>
      check(`connectivity.logs-${i}`, async (ctx) => {
        seen[`plain-${i}`] = await ctx.logs('p', { container: 'app', tailLines: 100 });
        seen[`last-${i}`] = await ctx.logs('p', { container: 'app', tailLines: 1 });
        seen[`stamped-${i}`] = await ctx.logs('p', { container: 'app', tailLines: 2, timestamps: true });
        seen[`previous-${i}`] = await ctx.logs('p', { container: 'app', tailLines: 100, previous: true });
        return { status: 'pass', message: 'read' };
      }),
    );
    await runChecks({ context: cluster, contextName: 'test', namespace: NS, registry: readers });
    // One read of the current log and one of the previous container's, whatever the tails.
    expect(cluster.calls.filter((c) => c.startsWith('logs')).sort()).toEqual([`logs ${NS}/p/app`, `logs ${NS}/p/app#previous`]);
    expect(seen['plain-1']).toBe('one\ntwo\nthree\n');
    expect(seen['last-2']).toBe('three\n');
    expect(seen['stamped-3']).toBe('2026-11-29T10:00:01Z two\n2026-11-29T10:00:02.5+01:00 three\n');
    expect(seen['previous-1']).toBe('before\n');
  });

  it('finds a Service\'s pods through the run\'s cache before port-forwarding', async () => {
    const cluster = fake({ objects: { services: [{ metadata: { name: 'svc', namespace: NS }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } }] } });
    const seen: Array<Parameters<Check['run']>[0]> = [];
    const through = Object.assign(cluster, {
      async httpGetThrough(reads: Parameters<Check['run']>[0], service: string, port: number, path: string) {
        seen.push(reads);
        await reads.get('services', service);
        await reads.list('pods');
        return { status: 200, headers: {}, body: `${service}:${port}${path}`, latencyMs: 1 };
      },
    });
    const checks = [1, 2].map((i) =>
      check(`monitoring.http-${i}`, async (ctx) => {
        await ctx.list('services');
        await ctx.list('pods');
        const r = await ctx.httpGet('svc', 80, '/x');
        return { status: 'pass', message: r.body };
      }),
    );
    const result = await runChecks({ context: through, contextName: 'test', namespace: NS, registry: checks });
    expect(result.findings.map((f) => f.message)).toEqual(['svc:80/x', 'svc:80/x']);
    expect(seen).toHaveLength(2);
    // The lookups were answered from the run's lists: each listed once in all.
    expect(cluster.calls.filter((c) => c.startsWith('list services'))).toHaveLength(1);
    expect(cluster.calls.filter((c) => c.startsWith('list pods'))).toHaveLength(1);
  });

  it('reads the lists the checks declare as the run starts, a few at a time, and answers gets from them', async () => {
    const secret = { metadata: { name: 's1', namespace: NS }, data: {} };
    const cluster = fake({ objects: { secrets: [secret], services: [], endpoints: [], nodes: [] } });
    let inFlight = 0;
    let peak = 0;
    const list = cluster.list.bind(cluster);
    cluster.list = async (resource, namespace) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return list(resource, namespace);
    };
    const checks = [
      check('auth.first', async (ctx) => ({ status: 'pass', message: String((await ctx.get('secrets', 's1'))?.metadata.name) }), { reads: () => ['secrets'] }),
      check(
        'cluster.second',
        async (ctx) => {
          const lists = await Promise.all([ctx.list('services'), ctx.list('endpoints'), ctx.list('nodes', null)]);
          return { status: 'pass', message: `${lists.length} lists` };
        },
        { reads: () => ['services', 'endpoints', ['nodes', null]] },
      ),
    ];
    const result = await runChecks({ context: cluster, contextName: 'test', namespace: NS, registry: checks, concurrency: 2 });
    expect(result.findings[0].message).toBe('s1');
    // Every declared list read once, the get answered from the list, never more than 2 at a time.
    expect(cluster.calls.sort()).toEqual([`list endpoints ${NS}`, `list nodes *`, `list secrets ${NS}`, `list services ${NS}`]);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('takes a namespace\'s list from the list across all namespaces the run reads, or reads it alone when that one is refused', async () => {
    const events = [
      { metadata: { name: 'e1', namespace: NS } },
      { metadata: { name: 'e2', namespace: 'kube-system' } },
    ];
    const reader = check(
      'cluster.events',
      async (ctx) => {
        const [all, own] = await Promise.all([ctx.list('events', null).catch(() => []), ctx.list('events')]);
        return { status: 'pass', message: `${all.length} ${own.map((e) => e.metadata.name).join(',')}` };
      },
      { reads: () => ['events', ['events', null]] },
    );
    const open = fake({ objects: { events } });
    const r1 = await runChecks({ context: open, contextName: 'test', namespace: NS, registry: [reader] });
    expect(r1.findings[0].message).toBe('2 e1');
    expect(open.calls).toEqual(['list events *']);

    const list = (spec: FakeClusterSpec) => {
      const c = fake(spec);
      const inner = c.list.bind(c);
      c.list = async (resource, namespace) => {
        if (resource === 'events' && namespace === null) {
          c.calls.push('list events * (refused)');
          throw new ForbiddenError('list', 'events');
        }
        return inner(resource, namespace);
      };
      return c;
    };
    const limited = list({ objects: { events } });
    const r2 = await runChecks({ context: limited, contextName: 'test', namespace: NS, registry: [reader] });
    expect(r2.findings[0].message).toBe('0 e1');
    expect(limited.calls).toEqual(['list events * (refused)', `list events ${NS}`]);
  });

  it('gets an object directly when its kind may not be listed', async () => {
    const cluster = fake({ objects: { secrets: [{ metadata: { name: 's1', namespace: NS } }] }, forbidden: ['secrets'] });
    const get = cluster.get.bind(cluster);
    const direct: string[] = [];
    cluster.get = async (resource, name, namespace) => {
      direct.push(`${resource}/${name}`);
      if (resource === 'secrets') return { metadata: { name, namespace: NS } };
      return get(resource, name, namespace);
    };
    const checks = [check('auth.reader', async (ctx) => ({ status: 'pass', message: String((await ctx.get('secrets', 's1'))?.metadata.name) }), { reads: () => ['secrets'] })];
    const result = await runChecks({ context: cluster, contextName: 'test', namespace: NS, registry: checks });
    expect(result.findings[0]).toMatchObject({ status: 'pass', message: 's1' });
    expect(direct).toEqual(['secrets/s1']);
  });

  it('never runs more checks at once than the concurrency limit', async () => {
    let active = 0;
    let peak = 0;
    const checks = Array.from({ length: 8 }, (_, i) =>
      check(`database.slow-${i}`, async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        return { status: 'pass', message: 'ok' };
      }),
    );
    const result = await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: checks, concurrency: 3 });
    expect(result.findings).toHaveLength(8);
    expect(peak).toBe(3);
  });

  it('turns a check that takes too long into an error and goes on', async () => {
    const checks = [check('connectivity.hangs', () => new Promise<CheckOutcome>(() => {})), check('connectivity.quick', pass)];
    const result = await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: checks, timeoutMs: 30 });
    expect(result.findings.map((f) => [f.check, f.status, f.message])).toEqual([
      ['connectivity.hangs', 'error', 'timed out after 30 ms'],
      ['connectivity.quick', 'pass', 'ok'],
    ]);
  });

  it('reports a throwing check as an error with its message and runs the rest', async () => {
    const checks = [
      check('connectivity.broken', async () => {
        throw new Error('cannot parse the answer');
      }),
      check('connectivity.fine', pass),
    ];
    const result = await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: checks });
    expect(result.findings[0]).toMatchObject({ status: 'error', message: 'cannot parse the answer' });
    expect(result.findings[1].status).toBe('pass');
    expect(result.summary).toEqual({ pass: 1, warn: 0, fail: 0, error: 1, skipped: 0 });
  });

  it('reports a forbidden read as skipped, naming the verb and the resource', async () => {
    const result = await runChecks({
      context: fake({ forbidden: ['secrets'] }),
      contextName: 'test',
      namespace: NS,
      checks: ['database.credentials-secret'],
    });
    expect(result.findings[0]).toMatchObject({
      check: 'database.credentials-secret',
      status: 'skipped',
      message: 'skipped: not allowed to list secrets in namespace traffic-system',
    });
  });

  it('stops the run and says why when the cluster is unreachable', async () => {
    const started: string[] = [];
    const checks = [
      check('connectivity.first', async () => {
        started.push('first');
        throw new UnreachableError('cannot reach the API server https://127.0.0.1:6443: ECONNREFUSED');
      }),
      check('connectivity.second', async () => {
        started.push('second');
        return { status: 'pass', message: 'ok' };
      }),
    ];
    const result = await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: checks, concurrency: 1 });
    expect(result.unreachable).toMatch(/ECONNREFUSED/);
    expect(started).toEqual(['first']);
    expect(result.findings).toEqual([]);
  });

  it('leaves no read failing unheard when the run stops while a check still asks', async () => {
    const cluster = fake({});
    let unhandled: unknown;
    const onUnhandled = (reason: unknown) => (unhandled = reason);
    process.on('unhandledRejection', onUnhandled);
    cluster.can = () => new Promise((_, reject) => setTimeout(() => reject(new UnreachableError('401 Unauthorized')), 5));
    const checks = [
      check('cluster.first', async () => {
        throw new UnreachableError('connect ECONNREFUSED');
      }),
      check('cluster.late', async (ctx) => {
        await new Promise((r) => setTimeout(r, 1));
        // The run is already stopped: these reads start, fail later, and nobody awaits them.
        await Promise.all(Array.from({ length: 12 }, () => ctx.can('list', 'pods')));
        return { status: 'pass', message: 'never' };
      }),
    ];
    try {
      const result = await runChecks({ context: cluster, contextName: 'test', namespace: NS, registry: checks });
      expect(result.unreachable).toMatch(/ECONNREFUSED/);
      await new Promise((r) => setTimeout(r, 30));
      expect(unhandled).toBeUndefined();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('cancels: the running check stops, the rest never start, the result says cancelled', async () => {
    const controller = new AbortController();
    const entered = deferred();
    const started: string[] = [];
    const checks = [
      check('connectivity.slow', async (ctx) => {
        started.push('slow');
        entered.resolve();
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
        return { status: 'pass', message: 'never' };
      }),
      check('connectivity.later', async () => {
        started.push('later');
        return { status: 'pass', message: 'ok' };
      }),
    ];
    const run = runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: checks, concurrency: 1, signal: controller.signal });
    await entered.promise;
    controller.abort();
    const result = await run;
    expect(result.cancelled).toBe(true);
    expect(started).toEqual(['slow']);
    expect(result.findings).toEqual([]);
  });

  it('sends a progress event per finished check, with its status', async () => {
    const events: CheckProgress[] = [];
    const checks = [check('connectivity.a', pass), check('connectivity.b', async () => ({ status: 'warn', message: 'hmm' }))];
    await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: checks, concurrency: 1, onProgress: (p) => events.push(p), runId: 'run-1' });
    expect(events).toEqual([
      { runId: 'run-1', done: 0, total: 2 },
      { runId: 'run-1', done: 1, total: 2, check: 'connectivity.a', status: 'pass' },
      { runId: 'run-1', done: 2, total: 2, check: 'connectivity.b', status: 'warn' },
    ]);
  });

  it('skips a check whose parameter is missing and runs it when given', async () => {
    const needsUser = check('auth.user', async (ctx) => ({ status: 'pass', message: `user ${ctx.params.username}` }), { params: ['username'] });
    const without = await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: [needsUser] });
    expect(without.findings[0]).toMatchObject({ status: 'skipped' });
    expect(without.findings[0].message).toMatch(/username/);
    const withIt = await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: [needsUser], params: { username: 'ana' } });
    expect(withIt.findings[0]).toMatchObject({ status: 'pass', message: 'user ana' });
  });

  it('runs opt-in checks only when asked for by id', async () => {
    const probe = check('network.probe', pass, { optIn: true });
    const plain = check('network.plain', pass);
    const bySection = await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: [probe, plain], sections: ['network'] });
    expect(bySection.findings.map((f) => f.check)).toEqual(['network.plain']);
    const byId = await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: [probe, plain], checks: ['network.probe'] });
    expect(byId.findings.map((f) => f.check)).toEqual(['network.probe']);
  });

  it('refuses unknown check ids', async () => {
    await expect(runChecks({ context: fake({}), contextName: 'test', namespace: NS, checks: ['connectivity.nope'] })).rejects.toThrow(UnknownCheckError);
  });

  it('fills each finding with the kubectl commands for the run namespace, runbook, remediation actions and duration', async () => {
    const c = check('performance.x', async () => ({
      status: 'fail',
      message: 'saturated',
      remediation: [{ text: { es: 'Escalar', en: 'Scale' }, command: 'kubectl scale …', action: 'scale:ml-service' }],
    }));
    const result = await runChecks({ context: fake({ names: { namespace: 'other-ns' } }), contextName: 'prod', namespace: 'staging', registry: [c] });
    expect(result).toMatchObject({ context: 'prod', namespace: 'staging' });
    expect(result.findings[0]).toMatchObject({
      check: 'performance.x',
      section: 'performance',
      kubectl: ['kubectl get pods -n staging'],
      runbook: 'test',
      actions: ['scale:ml-service'],
    });
    expect(result.findings[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('scores the run by severity, per section and overall', async () => {
    const checks = [
      check('connectivity.crit', pass, { severity: 'critical' }),
      check('connectivity.low', async () => ({ status: 'fail', message: 'x' }), { severity: 'low' }),
      check('database.skip', async () => ({ status: 'skipped', message: 'n/a' })),
    ];
    const result = await runChecks({ context: fake({}), contextName: 'test', namespace: NS, registry: checks });
    expect(result.score).toEqual({ overall: 80, sections: { connectivity: 80, database: null } });
  });

  it('counts the requests of a context that counts them', async () => {
    const cluster = Object.assign(fake({}), { requestCount: 7 });
    const result = await runChecks({ context: cluster, contextName: 'test', namespace: NS, registry: [check('connectivity.a', pass)] });
    expect(result.requests).toBe(7);
  });
});

describe('registry', () => {
  it('holds the runbook checks with unique ids, their section as prefix, and a runbook heading', () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of ALL_CHECKS.filter((x) => ['connectivity', 'database', 'performance'].includes(x.section))) {
      expect(c.id.startsWith(`${c.section}.`)).toBe(true);
      expect(c.runbook).toMatch(/›/);
      expect(c.title.es && c.title.en).toBeTruthy();
    }
    expect(checkById('database.slow-queries')?.severity).toBe('medium');
    for (const id of [
      'connectivity.pods-healthy',
      'connectivity.service-endpoints',
      'connectivity.ingress-routes',
      'connectivity.ingress-controller',
      'connectivity.backend-health',
      'connectivity.tls-certificates',
      'database.postgres-ready',
      'database.postgres-connection',
      'database.postgres-resources',
      'database.credentials-secret',
      'database.slow-queries',
      'database.indexes',
      'database.settings',
      'performance.ml-service-resources',
      'performance.ml-service-gpu',
      'performance.ml-service-errors',
      'performance.ml-service-capacity',
    ]) {
      expect(checkById(id), id).toBeDefined();
    }
  });
});
