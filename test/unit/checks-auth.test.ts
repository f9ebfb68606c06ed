import { describe, expect, it } from 'vitest';
import { USER_PERMISSIONS_CODE, authChecks, parseUserPermissions, userPermissionsArgv } from '../../src/main/checks/runbook/auth';
import { ForbiddenError, type ExecResult, type KObject } from '../../src/main/checks/types';
import { FakeCluster, type FakeClusterSpec } from '../support/fake-cluster';
import { NOW, NS, backendPod, checkOf } from './checks-sections-fixtures';

const cluster = (spec: FakeClusterSpec) => new FakeCluster({ now: NOW, ...spec });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECRET_VALUE = 'q7Jm2xV9pLrT4cW8nYb3KzF6hD1sAeG5uRi0oXw+Zk=';

function jwtSecret(value: string | undefined, meta: Partial<KObject['metadata']> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: 'traffic-system-secrets', namespace: NS, creationTimestamp: '2025-11-03T14:20:12Z', ...meta },
    data: value === undefined ? { 'other-key': b64('x') } : { 'django-secret-key': b64(value) },
  };
}

describe('auth.jwt-secret', () => {
  const check = checkOf(authChecks, 'auth.jwt-secret');

  it('passes for a long key older than the backend pods, never showing the value', async () => {
    const r = await check.run(cluster({ objects: { secrets: [jwtSecret(SECRET_VALUE)], pods: [backendPod()] } }));
    expect(r.status).toBe('pass');
    const text = JSON.stringify(r);
    expect(text).not.toContain(SECRET_VALUE);
    expect(text).not.toContain(b64(SECRET_VALUE));
    expect(text).not.toMatch(/"length"|bytes":\s*\d/);
    expect(r.evidence?.[0]).toMatchObject({ kind: 'object', fields: { present: true, atLeast32Bytes: true, lastChangedFrom: 'creationTimestamp' } });
  });

  it('fails for a missing secret, a missing key, an empty or a short key', async () => {
    const missing = await check.run(cluster({ objects: { secrets: [] } }));
    expect(missing.status).toBe('fail');
    expect(missing.actions).toEqual(['rotate-jwt-secret']);
    const noKey = await check.run(cluster({ objects: { secrets: [jwtSecret(undefined)] } }));
    expect(noKey.status).toBe('fail');
    expect(noKey.message).toContain('no django-secret-key');
    const empty = await check.run(cluster({ objects: { secrets: [jwtSecret('')] } }));
    expect(empty.status).toBe('fail');
    expect(empty.message).toContain('empty');
    const short = await check.run(cluster({ objects: { secrets: [jwtSecret('changeme-dev-key')] } }));
    expect(short.status).toBe('fail');
    expect(short.message).toContain('shorter than 32 bytes');
    expect(JSON.stringify(short)).not.toContain('changeme-dev-key');
  });

  it('warns that pods started before the last change (managedFields) need a restart', async () => {
    const rotated = jwtSecret(SECRET_VALUE, {
      managedFields: [
        { manager: 'helm', operation: 'Update', time: '2025-11-03T14:20:12Z' },
        { manager: 'kubectl-patch', operation: 'Update', time: '2026-01-10T09:40:00Z' },
      ],
    });
    const old = backendPod('traffic-system-backend-old', { startTime: '2026-01-05T16:31:02Z', containerStartedAt: '2026-01-08T03:12:41Z' });
    const fresh = backendPod('traffic-system-backend-new', { startTime: '2026-01-10T09:45:00Z', containerStartedAt: '2026-01-10T09:45:10Z' });
    const r = await check.run(cluster({ objects: { secrets: [rotated], pods: [old, fresh] } }));
    expect(r.status).toBe('warn');
    expect(r.message).toContain('2026-01-10T09:40:00Z');
    expect(r.message).toContain('1 of 2 backend pod(s)');
    expect(r.actions).toEqual(['rollout-restart:backend']);
  });

  it('counts a container restart after the change as having read the new key', async () => {
    const rotated = jwtSecret(SECRET_VALUE, { managedFields: [{ manager: 'kubectl-patch', operation: 'Update', time: '2026-01-09T00:00:00Z' }] });
    const restarted = backendPod('traffic-system-backend-x', { startTime: '2026-01-05T16:31:02Z', containerStartedAt: '2026-01-09T00:05:00Z' });
    const r = await check.run(cluster({ objects: { secrets: [rotated], pods: [restarted] } }));
    expect(r.status).toBe('pass');
  });

  it('lets a forbidden secret read propagate', async () => {
    const err = await check.run(cluster({ forbidden: ['secrets'] })).catch((e) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ verb: 'list', resource: 'secrets' });
  });
});

const access = (user: string, status: number, t = '2026-01-10T09:30:00Z') => `${t} 10.244.2.10 - ${user} "GET /api/v1/infractions/ HTTP/1.1" ${status} 58 "-" "Mozilla/5.0" 0.010`;
function burst(user: string, status: number, count: number, startSecond = 0): string {
  return Array.from({ length: count }, (_, i) => access(user, status, `2026-01-10T09:40:${String((startSecond + i) % 60).padStart(2, '0')}Z`)).join('\n');
}
const backendLog = (text: string) => ({ [`${NS}/traffic-system-backend-7c9d8f6b5d-h2x8r/backend`]: text });

describe('auth.token-errors', () => {
  const check = checkOf(authChecks, 'auth.token-errors');

  it('passes for ordinary traffic, reading logs with timestamps', async () => {
    const ctx = cluster({ objects: { pods: [backendPod()] }, logs: backendLog([access('ana', 200), access('ana', 401)].join('\n')) });
    const r = await check.run(ctx);
    expect(r.status).toBe('pass');
    expect(r.message).toContain('1 HTTP 401');
  });

  it('warns for a burst of 401 and fails for many token errors', async () => {
    const warn = await check.run(cluster({ objects: { pods: [backendPod()] }, logs: backendLog(burst('ana', 401, 12)) }));
    expect(warn.status).toBe('warn');
    expect(warn.message).toContain('peak 12/min');
    const errors = Array.from({ length: 25 }, (_, i) => `2026-01-10T09:4${i % 10}:00Z [WARNING] rest_framework_simplejwt: Invalid token: Signature has expired`).join('\n');
    const fail = await check.run(cluster({ objects: { pods: [backendPod()] }, logs: backendLog(errors) }));
    expect(fail.status).toBe('fail');
    expect(fail.actions).toContain('rotate-jwt-secret');
  });

  it('does not count a 401 response size as a status', async () => {
    const line = `2026-01-10T09:30:00Z 10.244.2.10 - ana "GET /x HTTP/1.1" 200 401 "-" "ua" 0.01`;
    const r = await check.run(cluster({ objects: { pods: [backendPod()] }, logs: backendLog(Array(20).fill(line).join('\n')) }));
    expect(r.message).toContain('0 HTTP 401');
  });

  it('warns that there are no backend pods to read', async () => {
    expect((await check.run(cluster({ objects: { pods: [] } }))).status).toBe('warn');
  });

  it('lets forbidden logs propagate', async () => {
    await expect(check.run(cluster({ objects: { pods: [backendPod()] }, forbidden: ['pods/log'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('auth.forbidden-errors', () => {
  const check = checkOf(authChecks, 'auth.forbidden-errors');

  it('passes for an isolated 403', async () => {
    const r = await check.run(cluster({ objects: { pods: [backendPod()] }, logs: backendLog([access('ana', 200), access('luis', 403)].join('\n')) }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('1 HTTP 403');
  });

  it('warns for a burst and names the users, fails for a big one', async () => {
    const warn = await check.run(cluster({ objects: { pods: [backendPod()] }, logs: backendLog(burst('agente.ruiz', 403, 15)) }));
    expect(warn.status).toBe('warn');
    expect(warn.message).toContain('agente.ruiz (15)');
    expect(warn.actions).toContain('add-user-to-group');
    const fail = await check.run(cluster({ objects: { pods: [backendPod()] }, logs: backendLog(burst('agente.ruiz', 403, 40)) }));
    expect(fail.status).toBe('fail');
  });

  it('a few scattered 403 pass; many in the recent logs are a burst even when spread out', async () => {
    const spread = (n: number) => Array.from({ length: n }, (_, i) => access('ana', 403, `2026-01-10T09:${String(i * 2).padStart(2, '0')}:00Z`)).join('\n');
    expect((await check.run(cluster({ objects: { pods: [backendPod()] }, logs: backendLog(spread(4)) }))).status).toBe('pass');
    const many = await check.run(cluster({ objects: { pods: [backendPod()] }, logs: backendLog(spread(25)) }));
    expect(many.status).toBe('fail');
    expect(many.message).toContain('25 HTTP 403 (peak 1/min)');
  });

  it('lets a forbidden pod list propagate', async () => {
    await expect(check.run(cluster({ forbidden: ['pods'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('auth.clock-skew', () => {
  const check = checkOf(authChecks, 'auth.clock-skew');
  const epoch = Math.floor(NOW.getTime() / 1000);
  const dateReply = (offset: number) => (_p: string, _c: string, argv: string[]): ExecResult | undefined =>
    argv.join(' ') === 'date +%s' ? { stdout: `${epoch + offset}\n`, stderr: '', exitCode: 0 } : undefined;

  it('passes when the clocks agree, showing both', async () => {
    const r = await check.run(cluster({ objects: { pods: [backendPod()] }, exec: dateReply(0) }));
    expect(r.status).toBe('pass');
    const out = r.evidence?.[0];
    expect(out).toMatchObject({ kind: 'output', command: 'date +%s' });
    expect(out && 'text' in out ? out.text : '').toContain(String(epoch));
    expect(out && 'text' in out ? out.text : '').toContain('2026-01-10T10:00:00Z');
  });

  it('warns over 5 s and fails over 30 s', async () => {
    expect((await check.run(cluster({ objects: { pods: [backendPod()] }, exec: dateReply(12) }))).status).toBe('warn');
    const fail = await check.run(cluster({ objects: { pods: [backendPod()] }, exec: dateReply(-300) }));
    expect(fail.status).toBe('fail');
    expect(fail.message).toContain('behind');
    expect(fail.message).toMatch(/299\.5 s|300\.0 s|299\.\d s/);
  });

  it('reports an unreadable clock as an error', async () => {
    const r = await check.run(cluster({ objects: { pods: [backendPod()] } }));
    expect(r.status).toBe('error');
  });

  it('warns without a ready backend pod', async () => {
    expect((await check.run(cluster({ objects: { pods: [backendPod(undefined, { ready: false })] } }))).status).toBe('warn');
  });

  it('lets forbidden exec propagate', async () => {
    await expect(check.run(cluster({ objects: { pods: [backendPod()] }, forbidden: ['pods/exec'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('auth.app-user-permissions', () => {
  const check = checkOf(authChecks, 'auth.app-user-permissions');
  const django = (answers: Record<string, unknown>) => (_p: string, _c: string, argv: string[]): ExecResult | undefined => {
    if (argv[0] !== 'env' || !argv.includes('manage.py')) return undefined;
    const user = argv[1].replace(/^ROADSIDE_USERNAME=/, '');
    const answer = answers[user] ?? { error: 'user-not-found' };
    return { stdout: `${JSON.stringify(answer)}\n`, stderr: '', exitCode: 0 };
  };

  it('is skipped without a username', async () => {
    const r = await check.run(cluster({ objects: { pods: [backendPod()] } }));
    expect(r.status).toBe('skipped');
    expect(check.params).toEqual(['username']);
  });

  it('passes the username as data, never inside the code', async () => {
    const ctx = cluster({ objects: { pods: [backendPod()] }, params: { username: 'ana.garcia' }, exec: django({ 'ana.garcia': { groups: ['operators'], permissions: ['infractions.view_infraction'], is_active: true, is_superuser: false } }) });
    const r = await check.run(ctx);
    expect(r.status).toBe('pass');
    expect(userPermissionsArgv('ana.garcia').slice(0, 7)).toEqual(['env', 'ROADSIDE_USERNAME=ana.garcia', 'python', 'manage.py', 'shell', '-c', USER_PERMISSIONS_CODE]);
    expect(USER_PERMISSIONS_CODE).not.toContain('ana.garcia');
    expect(USER_PERMISSIONS_CODE).toContain("os.environ.get('ROADSIDE_USERNAME'");
  });

  it('flags a user outside operators with add-user-to-group', async () => {
    const r = await check.run(cluster({ objects: { pods: [backendPod()] }, params: { username: 'luis' }, exec: django({ luis: { groups: ['viewers'], permissions: [], is_active: true } }) }));
    expect(r.status).toBe('warn');
    expect(r.message).toContain('not in the operators group');
    expect(r.actions).toEqual(['add-user-to-group', 'migrate-run-syncdb']);
  });

  it('fails for an unknown user', async () => {
    const r = await check.run(cluster({ objects: { pods: [backendPod()] }, params: { username: 'ghost' }, exec: django({}) }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('does not exist');
  });

  it('refuses usernames Django would not allow, without running anything', async () => {
    const ctx = cluster({ objects: { pods: [backendPod()] }, params: { username: "x'); import os; os.system('id') #" } });
    const r = await check.run(ctx);
    expect(r.status).toBe('error');
    expect(ctx.calls.some((c) => c.startsWith('exec'))).toBe(false);
  });

  it('reads the runbook snippet’s QuerySet output too', () => {
    expect(parseUserPermissions('<QuerySet [<Group: operators>]>\n<QuerySet [<Permission: infractions | infraction | Can view infraction>]>\n')).toEqual({
      groups: ['operators'],
      permissions: ['infractions | infraction | Can view infraction'],
    });
    expect(parseUserPermissions('Traceback...\nauth.models.User.DoesNotExist: User matching query does not exist.')).toMatchObject({ error: 'user-not-found' });
    expect(parseUserPermissions('garbage')).toBeUndefined();
  });

  it('reports a failing manage.py as an error', async () => {
    const r = await check.run(
      cluster({ objects: { pods: [backendPod()] }, params: { username: 'ana' }, exec: () => ({ stdout: '', stderr: 'django.db.utils.OperationalError: could not connect to server', exitCode: 1 }) }),
    );
    expect(r.status).toBe('error');
    expect(r.message).toContain('OperationalError');
  });

  it('lets forbidden exec propagate', async () => {
    await expect(check.run(cluster({ objects: { pods: [backendPod()] }, params: { username: 'ana' }, forbidden: ['pods/exec'] }))).rejects.toBeInstanceOf(ForbiddenError);
  });
});
