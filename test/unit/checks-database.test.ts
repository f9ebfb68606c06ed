import { describe, expect, it } from 'vitest';
import { databaseChecks, postgresMajorVersion } from '../../src/main/checks/runbook/database';
import { parsePgMemory, parsePsqlTable, parseQuantity } from '../../src/main/checks/runbook/common';
import type { ExecResult, KObject } from '../../src/main/checks/types';
import { NS, ago, checkOf, deployment, fake, pod, runCheck } from './checks-engine-fixtures';

const ready = checkOf(databaseChecks, 'database.postgres-ready');
const connection = checkOf(databaseChecks, 'database.postgres-connection');
const resources = checkOf(databaseChecks, 'database.postgres-resources');
const credentials = checkOf(databaseChecks, 'database.credentials-secret');
const slowQueries = checkOf(databaseChecks, 'database.slow-queries');
const indexes = checkOf(databaseChecks, 'database.indexes');
const settings = checkOf(databaseChecks, 'database.settings');

const pgLabels = { 'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': 'traffic-system', 'app.kubernetes.io/component': 'primary' };
const statefulSet: KObject = {
  metadata: { name: 'traffic-system-postgresql', namespace: NS },
  spec: { replicas: 1, selector: { matchLabels: pgLabels } },
  status: { readyReplicas: 1 },
};
const pgPod = (o: Parameters<typeof pod>[1] = {}) =>
  pod('traffic-system-postgresql-0', {
    labels: pgLabels,
    container: 'postgresql',
    owner: 'traffic-system-postgresql',
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2000m', memory: '4Gi' } },
    ...o,
  });
const crashLoop = {
  ready: false,
  restartCount: 11,
  state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } },
  lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(60) } },
};
const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0 });

/** A psql that answers by the SQL it is given. */
function psql(answers: Array<[RegExp, ExecResult]>) {
  return (_pod: string, _container: string, argv: string[]) => {
    const sql = argv[argv.indexOf('-c') + 1] ?? '';
    return answers.find(([re]) => re.test(sql))?.[1];
  };
}

const PG15 = ok(' version\n---------\n PostgreSQL 15.5 on x86_64-pc-linux-gnu\n(1 row)\n');

describe('database.postgres-ready', () => {
  it('passes when the pod is Ready with clean logs', async () => {
    const f = await runCheck(ready, fake({ objects: { 'statefulsets.apps': [statefulSet], pods: [pgPod()] }, logs: { [`${NS}/traffic-system-postgresql-0/postgresql`]: 'LOG:  database system is ready to accept connections' } }));
    expect(f.status).toBe('pass');
  });

  it('fails in CrashLoopBackOff and shows the FATAL lines of the previous container', async () => {
    const f = await runCheck(
      ready,
      fake({
        objects: { 'statefulsets.apps': [statefulSet], pods: [pgPod(crashLoop)] },
        logs: { [`${NS}/traffic-system-postgresql-0/postgresql#previous`]: 'LOG:  starting\nFATAL:  invalid value for parameter "shared_buffers": "256MBB"' },
      }),
    );
    expect(f.status).toBe('fail');
    expect(f.message).toContain('CrashLoopBackOff');
    expect(f.evidence.some((e) => e.kind === 'log' && e.lines.some((l) => l.includes('FATAL:  invalid value')))).toBe(true);
    expect(f.kubectl).toContain('kubectl logs traffic-system-postgresql-0 -n traffic-system');
  });

  it('warns about FATAL lines in a running database, and when PostgreSQL is not there at all', async () => {
    const fatal = await runCheck(ready, fake({ objects: { pods: [pgPod()] }, logs: { [`${NS}/traffic-system-postgresql-0/postgresql`]: 'FATAL:  password authentication failed for user "trafficuser"' } }));
    expect(fatal.status).toBe('warn');
    const absent = await runCheck(ready, fake({ objects: { pods: [pod('other')] } }));
    expect(absent.status).toBe('warn');
    expect(absent.message).toContain('PostgreSQL not found');
  });
});

describe('database.postgres-connection', () => {
  it('passes when psql runs select 1 in the pod', async () => {
    const cluster = fake({ objects: { pods: [pgPod()] }, exec: psql([[/select 1/, ok(' ?column? \n----------\n        1\n(1 row)\n')]]) });
    const f = await runCheck(connection, cluster);
    expect(f.status).toBe('pass');
    expect(cluster.calls).toContain('exec traffic-system-postgresql-0/postgresql psql -U trafficuser -d trafficdb -c select 1');
  });

  it('fails with what psql said when it cannot connect', async () => {
    const refused = { stdout: '', stderr: 'psql: error: connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory', exitCode: 2 };
    const f = await runCheck(connection, fake({ objects: { pods: [pgPod()] }, exec: () => refused }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('connection to server on socket');
  });

  it('falls back to pg_isready when psql is missing', async () => {
    const cluster = fake({ objects: { pods: [pgPod()] }, exec: (_p, _c, argv) => (argv[0] === 'pg_isready' ? ok('/tmp:5432 - accepting connections\n') : undefined) });
    expect(await runCheck(connection, cluster)).toMatchObject({ status: 'pass', message: 'pg_isready: /tmp:5432 - accepting connections' });
  });

  it('fails when the pod is not running, and is skipped without exec permission', async () => {
    expect((await runCheck(connection, fake({ objects: { pods: [pgPod(crashLoop)] } }))).status).toBe('fail');
    expect(await runCheck(connection, fake({ objects: { pods: [pgPod()] }, forbidden: ['pods/exec'] }))).toMatchObject({ status: 'skipped', message: 'skipped: not allowed to create pods/exec' });
  });
});

describe('database.postgres-resources', () => {
  const usage = (cpu: number, memoryBytes: number) => [{ namespace: NS, pod: 'traffic-system-postgresql-0', containers: [{ name: 'postgresql', cpuMillicores: cpu, memoryBytes }] }];

  it('passes well within its limits', async () => {
    expect((await runCheck(resources, fake({ objects: { pods: [pgPod()] }, podMetrics: usage(240, 1450 * 2 ** 20) }))).status).toBe('pass');
  });

  it('warns near its limits and fails on a recent OOMKilled', async () => {
    const hot = await runCheck(resources, fake({ objects: { pods: [pgPod()] }, podMetrics: usage(1968, 3810 * 2 ** 20) }));
    expect(hot.status).toBe('warn');
    expect(hot.message).toContain('CPU at 98.4% of its 2000m limit');
    const oom = await runCheck(resources, fake({ objects: { pods: [pgPod({ restartCount: 2, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(600) } } })] }, podMetrics: usage(100, 2 ** 30) }));
    expect(oom.status).toBe('fail');
    expect(oom.message).toContain('OOMKilled');
  });

  it('still judges limits and OOM history when metrics may not be read', async () => {
    const f = await runCheck(resources, fake({ objects: { pods: [pgPod()] }, forbidden: ['pods.metrics.k8s.io'] }));
    expect(f.status).toBe('pass');
    expect(f.message).toContain('no usage metrics: not allowed to list pods.metrics.k8s.io');
  });
});

describe('database.credentials-secret', () => {
  const secret = (data: Record<string, string>): KObject => ({ metadata: { name: 'traffic-system-postgresql', namespace: NS }, data });
  const backend = deployment('traffic-system-backend', 'backend', {
    containers: [{ name: 'backend', env: [{ name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'traffic-system-postgresql', key: 'password' } } }] }],
  });

  it('passes with the password key, and never shows a value', async () => {
    const f = await runCheck(credentials, fake({ objects: { secrets: [secret({ password: 'c3VwZXJzZWNyZXQ=', 'postgres-password': 'YWRtaW5zZWNyZXQ=' })], 'deployments.apps': [backend] } }));
    expect(f.status).toBe('pass');
    const text = JSON.stringify(f);
    expect(text).not.toContain('c3VwZXJzZWNyZXQ=');
    expect(text).not.toContain('supersecret');
    expect(text).toContain('password, postgres-password');
  });

  it('fails when the secret or its password key is missing', async () => {
    expect((await runCheck(credentials, fake({}))).message).toBe('Secret traffic-system-postgresql not found in namespace traffic-system');
    const f = await runCheck(credentials, fake({ objects: { secrets: [secret({ 'postgres-password': 'eA==' })] } }));
    expect(f.status).toBe('fail');
    expect(f.message).toContain('"password"');
  });

  it('is skipped, naming the verb and resource, when secrets may not be read', async () => {
    expect(await runCheck(credentials, fake({ forbidden: ['secrets'] }))).toMatchObject({ status: 'skipped', message: 'skipped: not allowed to list secrets in namespace traffic-system' });
  });
});

describe('database.slow-queries', () => {
  const statements = (rows: Array<[string, number, number]>, column = 'mean_exec_time') =>
    ok(
      ` query | calls | ${column} | total\n-------+-------+------+------\n` +
        rows.map(([q, calls, mean]) => ` ${q} | ${calls} | ${mean} | ${calls * mean}`).join('\n') +
        `\n(${rows.length} rows)\n`,
    );

  it('passes when the slowest mean is small, asking with mean_exec_time on PostgreSQL 13+', async () => {
    let asked = '';
    const cluster = fake({
      objects: { pods: [pgPod()] },
      exec: (_p, _c, argv) => {
        const sql = argv[argv.length - 1];
        if (/version\(\)/.test(sql)) return PG15;
        asked = sql;
        return statements([['SELECT 1', 100, 18.42]]);
      },
    });
    expect((await runCheck(slowQueries, cluster)).status).toBe('pass');
    expect(asked).toContain('ORDER BY mean_exec_time DESC LIMIT 10');
  });

  it('asks for mean_time before PostgreSQL 13 and fails on queries over a second', async () => {
    let asked = '';
    const cluster = fake({
      objects: { pods: [pgPod()] },
      exec: (_p, _c, argv) => {
        const sql = argv[argv.length - 1];
        if (/version\(\)/.test(sql)) return ok(' PostgreSQL 12.17 on x86_64\n');
        // PostgreSQL 12 has no mean_exec_time: the answer comes from the second query.
        if (/mean_exec_time/.test(sql)) return { stdout: '', stderr: 'ERROR:  column "mean_exec_time" does not exist\n', exitCode: 1 };
        asked = sql;
        return statements([['SELECT * FROM infractions WHERE created_at > $1', 18233, 8412.77]], 'mean_time');
      },
    });
    const f = await runCheck(slowQueries, cluster);
    expect(asked).toContain('ORDER BY mean_time DESC');
    expect(f.status).toBe('fail');
    expect(f.message).toContain('slowest mean 8412.77 ms');
  });

  it('warns with how to enable pg_stat_statements when it is missing', async () => {
    const missing = { stdout: '', stderr: 'ERROR:  relation "pg_stat_statements" does not exist\nLINE 1: ...', exitCode: 1 };
    const f = await runCheck(slowQueries, fake({ objects: { pods: [pgPod()] }, exec: psql([[/version/, PG15], [/pg_stat_statements/, missing]]) }));
    expect(f.status).toBe('warn');
    expect(f.remediation[0].text.en).toContain("shared_preload_libraries = 'pg_stat_statements'");
  });

  it('is skipped while PostgreSQL is down', async () => {
    expect((await runCheck(slowQueries, fake({ objects: { pods: [pgPod(crashLoop)] } }))).status).toBe('skipped');
  });
});

describe('database.indexes', () => {
  const listing = (names: string[]) => ok(` tablename | indexname\n-----------+----------\n${names.map((n) => ` infractions | ${n}`).join('\n')}\n(${names.length} rows)\n`);

  it('passes when both guide indexes exist', async () => {
    const f = await runCheck(indexes, fake({ objects: { pods: [pgPod()] }, exec: () => listing(['infractions_pkey', 'idx_infractions_created_at', 'idx_infractions_status']) }));
    expect(f.status).toBe('pass');
  });

  it('fails naming the missing ones, with the CREATE INDEX to run', async () => {
    const f = await runCheck(indexes, fake({ objects: { pods: [pgPod()] }, exec: () => listing(['infractions_pkey', 'idx_infractions_plate']) }));
    expect(f.status).toBe('fail');
    expect(f.message).toBe('Missing indexes on infractions: idx_infractions_created_at, idx_infractions_status');
    expect(f.remediation[0].command).toContain('CREATE INDEX idx_infractions_created_at ON infractions(created_at);');
  });

  it('warns when the table is not there', async () => {
    expect((await runCheck(indexes, fake({ objects: { pods: [pgPod()] }, exec: () => ok(' tablename | indexname\n-----+-----\n(0 rows)\n') }))).status).toBe('warn');
  });
});

describe('database.settings', () => {
  const table = (rows: Array<[string, string, string]>) => ok(` name | setting | unit\n------+---------+------\n${rows.map((r) => ` ${r.join(' | ')}`).join('\n')}\n`);

  it("passes at the guide's values (pg_settings units of 8kB and kB)", async () => {
    const f = await runCheck(settings, fake({ objects: { pods: [pgPod()] }, exec: () => table([['effective_cache_size', '131072', '8kB'], ['shared_buffers', '32768', '8kB'], ['work_mem', '4096', 'kB']]) }));
    expect(f.status).toBe('pass');
  });

  it('warns below the guide, naming the setting and the guide value', async () => {
    const f = await runCheck(settings, fake({ objects: { pods: [pgPod()] }, exec: () => table([['effective_cache_size', '131072', '8kB'], ['shared_buffers', '16384', '8kB'], ['work_mem', '4096', 'kB']]) }));
    expect(f.status).toBe('warn');
    expect(f.message).toBe("Below the guide's values: shared_buffers=128MiB (guide 256MB)");
  });
});

describe('readings', () => {
  it('parses psql aligned and unaligned tables, PostgreSQL memory and Kubernetes quantities', () => {
    expect(parsePsqlTable(' a | b \n---+---\n 1 | x\n(1 row)\n')).toEqual([{ a: '1', b: 'x' }]);
    expect(parsePsqlTable('a|b\n1|x\n(1 row)\n')).toEqual([{ a: '1', b: 'x' }]);
    expect(parsePgMemory('256MB')).toBe(256 * 2 ** 20);
    expect(parsePgMemory('32768', '8kB')).toBe(256 * 2 ** 20);
    expect(parseQuantity('3950m')).toBeCloseTo(3.95);
    expect(parseQuantity('7800Mi')).toBe(7800 * 2 ** 20);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(Number.isNaN(parseQuantity('lots'))).toBe(true);
    expect(postgresMajorVersion('PostgreSQL 15.5 on x86_64')).toBe(15);
    expect(postgresMajorVersion('120017')).toBe(12);
  });
});

