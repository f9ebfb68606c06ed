// Runbook "Base de Datos Inaccesible" (section 1) and "Base de Datos Lenta" (section 2):
// the PostgreSQL pod, a real connection by exec, its resources, the credentials secret,
// slow queries, the indexes the guide asks for and the memory settings.
import type { Evidence, Remediation } from '../../../shared/checks';
import { ForbiddenError, type Check, type CheckContext, type CheckOutcome, type ExecResult, type KObject, type SystemNames } from '../types';
import {
  RUNBOOK,
  ageMs,
  describeContainerState,
  formatBytes,
  formatMillicores,
  isPodActive,
  isPodReady,
  lastTermination,
  logEvidence,
  matchLogLines,
  matchesLabelSelector,
  parseCpuMillicores,
  parseMemoryBytes,
  parsePgMemory,
  parsePsqlTable,
  percent,
  podProblem,
  podRef,
  postgresPodName,
  psqlScalar,
  restartCount,
  truncate,
  podMetricsOrNote,
} from './common';
import { mapLimit } from './section-helpers';
import { ordinal } from '../../../shared/ordinal';

const DAY = 86_400_000;

// ------------------------------------------------------------------ shared readings

/** The PostgreSQL pods: the StatefulSet's, else those labelled app.kubernetes.io/name=postgresql. */
async function postgresPods(ctx: CheckContext): Promise<{ statefulSet?: KObject; pods: KObject[] }> {
  const n = ctx.names;
  const [statefulSet, pods] = await Promise.all([ctx.get('statefulsets.apps', n.postgresStatefulSet), ctx.list('pods')]);
  const selected = statefulSet
    ? pods.filter((p) => matchesLabelSelector(statefulSet.spec?.selector, p.metadata.labels))
    : pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'postgresql');
  return { statefulSet, pods: selected.filter(isPodActive).sort((a, b) => ordinal(a.metadata.name, b.metadata.name)) };
}

function postgresContainer(pod: KObject | undefined): string {
  const containers: Array<{ name: string }> = pod?.spec?.containers ?? [];
  return (containers.find((c) => c.name === 'postgresql') ?? containers.find((c) => c.name === 'postgres') ?? containers[0])?.name ?? 'postgresql';
}

const describePod = (n: SystemNames): Remediation => ({
  text: { es: 'Verificar recursos y eventos del pod de PostgreSQL.', en: 'Check the PostgreSQL pod resources and events.' },
  command: `kubectl describe pod ${postgresPodName(n)} -n ${n.namespace}`,
});

const restoreBackup = (n: SystemNames): Remediation => ({
  text: {
    es: 'Si los datos están dañados, restaurar desde backup (ver backup.md); antes, hacer un backup de emergencia.',
    en: 'If the data is damaged, restore from backup (see backup.md); take an emergency backup first.',
  },
  command: `kubectl exec -it ${postgresPodName(n)} -n ${n.namespace} -- pg_restore -U ${n.postgresUser} -d ${n.postgresDatabase} /backup/latest.dump`,
  action: 'emergency-backup',
});

function psqlArgv(n: SystemNames, sql: string): string[] {
  return ['psql', '-U', n.postgresUser, '-d', n.postgresDatabase, '-c', sql];
}

function psqlCommand(n: SystemNames, sql: string): string {
  return `kubectl exec -it ${postgresPodName(n)} -n ${n.namespace} -- psql -U ${n.postgresUser} -d ${n.postgresDatabase} -c "${sql}"`;
}

function outputEvidence(label: string, command: string, r: ExecResult): Evidence {
  return { kind: 'output', label, command, text: truncate(`${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}`.trim(), 4000), exitCode: r.exitCode ?? undefined };
}

/**
 * The pod psql runs in, or the outcome to return when it cannot run: queries of a stopped
 * database are not findings of their own (database.postgres-ready reports it).
 */
async function runningPostgres(ctx: CheckContext): Promise<{ pod: KObject; container: string } | CheckOutcome> {
  const n = ctx.names;
  const { statefulSet, pods } = await postgresPods(ctx);
  const pod = pods.find((p) => p.metadata.name === postgresPodName(n)) ?? pods[0];
  if (!pod) {
    return statefulSet
      ? { status: 'skipped', message: `skipped: StatefulSet ${n.postgresStatefulSet} has no pod to query` }
      : { status: 'skipped', message: `skipped: no PostgreSQL pod found in namespace ${n.namespace}` };
  }
  const container = postgresContainer(pod);
  const status = (pod.status?.containerStatuses ?? []).find((c: any) => c.name === container);
  if (!status?.state?.running) {
    return { status: 'skipped', message: `skipped: PostgreSQL pod ${pod.metadata.name} is not running (${describeContainerState(status)}); see database.postgres-ready` };
  }
  return { pod, container };
}

function isOutcome(v: unknown): v is CheckOutcome {
  return typeof v === 'object' && v !== null && 'status' in v;
}

// ------------------------------------------------------------------ postgres-ready

const POSTGRES_LOG_PROBLEMS = [
  { id: 'panic', label: 'PANIC', match: /\bPANIC:/ },
  { id: 'fatal', label: 'FATAL', match: /\bFATAL:/ },
];

const postgresReady: Check = {
  id: 'database.postgres-ready',
  reads: () => ['pods'],
  section: 'database',
  title: { es: 'Pod de PostgreSQL listo', en: 'PostgreSQL pod ready' },
  runbook: RUNBOOK.databaseUnreachable,
  severity: 'critical',
  kubectl: (n) => [
    `kubectl get pods -l app.kubernetes.io/name=postgresql -n ${n.namespace}`,
    `kubectl logs ${postgresPodName(n)} -n ${n.namespace}`,
    `kubectl describe pod ${postgresPodName(n)} -n ${n.namespace}`,
  ],
  async run(ctx) {
    const n = ctx.names;
    const { statefulSet, pods } = await postgresPods(ctx);
    if (!statefulSet && pods.length === 0) {
      return { status: 'warn', message: `PostgreSQL not found: no StatefulSet ${n.postgresStatefulSet} and no pod labelled app.kubernetes.io/name=postgresql in ${n.namespace}` };
    }
    if (pods.length === 0) {
      return {
        status: 'fail',
        message: `StatefulSet ${n.postgresStatefulSet} has no pods (${statefulSet?.spec?.replicas ?? '?'} replicas wanted, ${statefulSet?.status?.readyReplicas ?? 0} ready)`,
        remediation: [describePod(n)],
      };
    }
    const now = ctx.now();
    const evidence: Evidence[] = [];
    const problems: string[] = [];
    const warnings: string[] = [];
    // Every pod's current and previous logs, read at once.
    const logsOf = await mapLimit(pods, 4, async (pod) => {
      const container = postgresContainer(pod);
      const running = (pod.status?.containerStatuses ?? []).some((c: any) => c.name === container && (c.state?.running || c.state?.terminated));
      const [current, previous] = await Promise.all([
        running ? ctx.logs(pod.metadata.name, { container, tailLines: 500 }) : undefined,
        restartCount(pod) > 0
          ? ctx.logs(pod.metadata.name, { container, tailLines: 200, previous: true }).catch((err: unknown) => {
              if (err instanceof ForbiddenError) throw err;
              return undefined; // the kubelet keeps no previous log after a while
            })
          : undefined,
      ]);
      const texts: Array<{ text: string; previous: boolean }> = [];
      if (current !== undefined) texts.push({ text: current, previous: false });
      if (previous !== undefined) texts.push({ text: previous, previous: true });
      return texts;
    });
    for (const [i, pod] of pods.entries()) {
      const container = postgresContainer(pod);
      const problem = podProblem(pod);
      const last = lastTermination(pod);
      const restarts = restartCount(pod);
      evidence.push({
        kind: 'object',
        label: problem ? `${problem.reason}: ${problem.detail}` : 'Running and Ready',
        ref: podRef(pod),
        fields: {
          phase: pod.status?.phase ?? null,
          ready: isPodReady(pod),
          restarts,
          lastTermination: last ? `${last.reason}${last.exitCode !== undefined ? ` (exit ${last.exitCode})` : ''}${last.finishedAt ? ` at ${last.finishedAt}` : ''}` : null,
        },
      });
      if (problem) problems.push(`${pod.metadata.name} ${problem.reason}`);
      else if (last && restarts > 0 && ageMs(last.finishedAt, now) < DAY) warnings.push(`${pod.metadata.name} restarted ${restarts} times, last ${last.reason} at ${last.finishedAt}`);

      for (const { text, previous } of logsOf[i]) {
        for (const m of matchLogLines(text, POSTGRES_LOG_PROBLEMS)) {
          evidence.push(logEvidence(`${m.count} ${m.label} line(s)${previous ? ' (previous container)' : ''}`, pod, m.examples, container));
          const line = `${m.count} ${m.label} line(s) in ${previous ? 'the previous' : 'its'} log of ${pod.metadata.name}`;
          if (m.id === 'panic' && !previous) problems.push(line);
          else warnings.push(line);
        }
      }
    }
    const remediation = [describePod(n), restoreBackup(n)];
    if (problems.length) return { status: 'fail', message: `PostgreSQL not ready: ${problems.concat(warnings).join('; ')}`, evidence, remediation };
    if (warnings.length) return { status: 'warn', message: `PostgreSQL Ready, but ${warnings.join('; ')}`, evidence, remediation: [describePod(n)] };
    return { status: 'pass', message: `PostgreSQL ${pods.map((p) => p.metadata.name).join(', ')} Running and Ready, no FATAL/PANIC in recent logs`, evidence };
  },
};

// ------------------------------------------------------------------ postgres-connection

const postgresConnection: Check = {
  id: 'database.postgres-connection',
  reads: () => ['pods'],
  section: 'database',
  title: { es: 'Conexión a PostgreSQL (psql)', en: 'PostgreSQL connection (psql)' },
  runbook: RUNBOOK.databaseUnreachable,
  severity: 'critical',
  kubectl: (n) => [psqlCommand(n, 'select 1')],
  async run(ctx) {
    const n = ctx.names;
    const target = await runningPostgres(ctx);
    if (isOutcome(target)) {
      // Nothing to connect to is the failure itself here.
      return target.message.includes('no PostgreSQL pod found')
        ? { status: 'warn', message: target.message.replace(/^skipped: /, '') }
        : { status: 'fail', message: `Cannot connect: ${target.message.replace(/^skipped: /, '').replace(/; see database.postgres-ready$/, '')}`, remediation: [describePod(n)] };
    }
    const { pod, container } = target;
    const argv = psqlArgv(n, 'select 1');
    const r = await ctx.exec(pod.metadata.name, container, argv, { timeoutMs: 10_000 });
    if (r.exitCode === 0 && /\b1\b/.test(r.stdout)) {
      return { status: 'pass', message: `psql -U ${n.postgresUser} -d ${n.postgresDatabase} connected and ran "select 1"`, evidence: [outputEvidence('psql', psqlCommand(n, 'select 1'), r)] };
    }
    if (r.exitCode === 127) {
      const ready = await ctx.exec(pod.metadata.name, container, ['pg_isready', '-U', n.postgresUser, '-d', n.postgresDatabase], { timeoutMs: 10_000 });
      const cmd = `kubectl exec ${pod.metadata.name} -n ${n.namespace} -- pg_isready -U ${n.postgresUser} -d ${n.postgresDatabase}`;
      if (ready.exitCode === 0) return { status: 'pass', message: `pg_isready: ${ready.stdout.trim()}`, evidence: [outputEvidence('pg_isready', cmd, ready)] };
      return {
        status: 'fail',
        message: `pg_isready failed (exit ${ready.exitCode}): ${truncate((ready.stdout + ready.stderr).trim(), 200)}`,
        evidence: [outputEvidence('pg_isready', cmd, ready)],
        remediation: [describePod(n)],
      };
    }
    return {
      status: 'fail',
      message: `psql could not run "select 1" (exit ${r.exitCode}): ${truncate((r.stderr || r.stdout).trim(), 240)}`,
      evidence: [outputEvidence('psql', psqlCommand(n, 'select 1'), r)],
      remediation: [
        describePod(n),
        { text: { es: 'Revisar la configuración de conexión.', en: 'Check the connection settings.' }, command: `kubectl get secret ${n.postgresStatefulSet} -n ${n.namespace} -o yaml` },
        restoreBackup(n),
      ],
    };
  },
};

// ------------------------------------------------------------------ postgres-resources

const postgresResources: Check = {
  id: 'database.postgres-resources',
  reads: () => ['pods'],
  section: 'database',
  title: { es: 'Recursos de PostgreSQL (uso, límites, OOMKilled)', en: 'PostgreSQL resources (usage, limits, OOMKilled)' },
  runbook: RUNBOOK.databaseUnreachable,
  severity: 'high',
  kubectl: (n) => [`kubectl top pod ${postgresPodName(n)} -n ${n.namespace}`, `kubectl describe pod ${postgresPodName(n)} -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    const { pods } = await postgresPods(ctx);
    if (pods.length === 0) return { status: 'warn', message: `No PostgreSQL pod found in namespace ${n.namespace}` };
    const { metrics, note: metricsNote } = await podMetricsOrNote(ctx);
    const now = ctx.now();
    const evidence: Evidence[] = [];
    const failures: string[] = [];
    const warnings: string[] = [];
    const usage: string[] = [];
    for (const pod of pods) {
      const container = postgresContainer(pod);
      const spec = (pod.spec?.containers ?? []).find((c: any) => c.name === container) ?? {};
      const limits = spec.resources?.limits ?? {};
      const requests = spec.resources?.requests ?? {};
      const cpuLimit = parseCpuMillicores(limits.cpu);
      const memLimit = parseMemoryBytes(limits.memory);
      const m = metrics.find((x) => x.pod === pod.metadata.name)?.containers.find((c) => c.name === container);
      if (m) {
        const memPct = percent(m.memoryBytes, memLimit);
        const cpuPct = percent(m.cpuMillicores, cpuLimit);
        evidence.push({ kind: 'metric', label: 'memory', ref: podRef(pod), value: m.memoryBytes, unit: 'bytes', ...(Number.isFinite(memLimit) ? { limit: memLimit } : {}) });
        evidence.push({ kind: 'metric', label: 'cpu', ref: podRef(pod), value: m.cpuMillicores, unit: 'millicores', ...(Number.isFinite(cpuLimit) ? { limit: cpuLimit } : {}) });
        usage.push(`${pod.metadata.name} cpu ${formatMillicores(m.cpuMillicores)}/${limits.cpu ?? 'no limit'}, memory ${formatBytes(m.memoryBytes)}/${limits.memory ?? 'no limit'}`);
        if (memPct >= 95) failures.push(`memory at ${memPct}% of its ${limits.memory} limit`);
        else if (memPct >= 85) warnings.push(`memory at ${memPct}% of its ${limits.memory} limit`);
        if (cpuPct >= 90) warnings.push(`CPU at ${cpuPct}% of its ${limits.cpu} limit`);
      }
      evidence.push({
        kind: 'object',
        label: 'resources',
        ref: podRef(pod),
        fields: { requestsCpu: requests.cpu ?? null, requestsMemory: requests.memory ?? null, limitsCpu: limits.cpu ?? null, limitsMemory: limits.memory ?? null },
      });
      if (!limits.memory) warnings.push(`${pod.metadata.name} has no memory limit`);
      const statuses: any[] = pod.status?.containerStatuses ?? [];
      for (const cs of statuses) {
        const current = cs.state?.terminated?.reason === 'OOMKilled';
        const last = cs.lastState?.terminated;
        if (current || last?.reason === 'OOMKilled') {
          const when = current ? cs.state.terminated.finishedAt : last.finishedAt;
          const line = `${pod.metadata.name}/${cs.name} OOMKilled at ${when ?? '?'} (${cs.restartCount ?? 0} restarts)`;
          if (current || ageMs(when, now) < DAY) failures.push(line);
          else warnings.push(line);
        }
      }
    }
    const remediation: Remediation[] = [
      describePod(n),
      {
        text: { es: 'Escalar la base de datos: aumentar recursos.', en: 'Scale the database: give it more resources.' },
        command: `helm upgrade ${n.release} ./helm --set postgresql.primary.resources.limits.cpu=2000m --set postgresql.primary.resources.limits.memory=4Gi`,
      },
    ];
    const suffix = metricsNote ? ` (${metricsNote})` : '';
    if (failures.length) return { status: 'fail', message: failures.concat(warnings).join('; ') + suffix, evidence, remediation };
    if (warnings.length) return { status: 'warn', message: warnings.join('; ') + suffix, evidence, remediation };
    return { status: 'pass', message: `${usage.join('; ') || 'PostgreSQL within its limits'}, no OOMKilled${suffix}`, evidence };
  },
};

// ------------------------------------------------------------------ credentials-secret

const PASSWORD_KEYS = ['password', 'postgres-password'];

const credentialsSecret: Check = {
  id: 'database.credentials-secret',
  reads: () => ['deployments.apps'],
  section: 'database',
  title: { es: 'Secreto de credenciales de PostgreSQL', en: 'PostgreSQL credentials secret' },
  runbook: RUNBOOK.databaseUnreachable,
  severity: 'high',
  kubectl: (n) => [`kubectl get secret ${n.postgresStatefulSet} -n ${n.namespace}`, `kubectl describe secret ${n.postgresStatefulSet} -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    const name = n.postgresStatefulSet;
    const secret = await ctx.get('secrets', name);
    const remediation: Remediation[] = [
      { text: { es: 'Revisar la configuración de conexión.', en: 'Check the connection settings.' }, command: `kubectl describe secret ${name} -n ${n.namespace}` },
    ];
    if (!secret) return { status: 'fail', message: `Secret ${name} not found in namespace ${n.namespace}`, remediation };
    // Only key names and whether a value is present; values never leave this function.
    const keys = Object.keys({ ...(secret.data ?? {}), ...(secret.stringData ?? {}) });
    const present = (k: string) => Boolean(secret.data?.[k] || secret.stringData?.[k]);
    const evidence: Evidence[] = [{ kind: 'object', label: 'secret keys (values not shown)', ref: { kind: 'Secret', name, namespace: n.namespace }, fields: { keys: keys.join(', ') } }];
    if (!present('password')) {
      const other = PASSWORD_KEYS.filter((k) => k !== 'password' && present(k));
      return {
        status: 'fail',
        message: `Secret ${name} has no ${keys.includes('password') ? 'value for the' : ''} "password" key${other.length ? ` (only ${other.join(', ')})` : ''}`,
        evidence,
        remediation,
      };
    }
    // The backend must read a key that exists.
    const backend = (await ctx.list('deployments.apps')).find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === n.components.backend);
    const missingRefs: string[] = [];
    for (const c of backend?.spec?.template?.spec?.containers ?? []) {
      for (const env of c.env ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref?.name === name && !keys.includes(ref.key)) missingRefs.push(`${c.name} env ${env.name} → key "${ref.key}"`);
      }
    }
    if (missingRefs.length) {
      return { status: 'fail', message: `Backend reads keys that Secret ${name} does not have: ${missingRefs.join(', ')}`, evidence, remediation };
    }
    return { status: 'pass', message: `Secret ${name} exists with its password key`, evidence };
  },
};

// ------------------------------------------------------------------ slow-queries

const SLOW_WARN_MS = 200;
const SLOW_FAIL_MS = 1000;

/** Major version from `SELECT version()` ("PostgreSQL 15.5 on …") or server_version_num (150005). */
export function postgresMajorVersion(text: string): number | undefined {
  const named = /PostgreSQL (\d+)(?:\.(\d+))?/.exec(text);
  if (named) return Number(named[1]);
  const num = /\b(\d{5,6})\b/.exec(text);
  return num ? Math.floor(Number(num[1]) / 10000) : undefined;
}

const enableStatements = (n: SystemNames): Remediation => ({
  text: {
    es: "Activar pg_stat_statements: añadir shared_preload_libraries = 'pg_stat_statements' a la configuración, reiniciar PostgreSQL y ejecutar CREATE EXTENSION pg_stat_statements;",
    en: "Enable pg_stat_statements: add shared_preload_libraries = 'pg_stat_statements' to the configuration, restart PostgreSQL and run CREATE EXTENSION pg_stat_statements;",
  },
  command: `kubectl edit configmap ${n.postgresStatefulSet}-config -n ${n.namespace}`,
});

const slowQueries: Check = {
  id: 'database.slow-queries',
  reads: () => ['pods'],
  section: 'database',
  title: { es: 'Queries lentos (pg_stat_statements)', en: 'Slow queries (pg_stat_statements)' },
  runbook: RUNBOOK.databaseSlow,
  severity: 'medium',
  kubectl: (n) => [psqlCommand(n, 'SELECT query, mean_exec_time, calls FROM pg_stat_statements ORDER BY mean_exec_time DESC LIMIT 10')],
  async run(ctx) {
    const n = ctx.names;
    const target = await runningPostgres(ctx);
    if (isOutcome(target)) return target;
    const { pod, container } = target;
    const topQueries = (major: number) => {
      const mean = major >= 13 ? 'mean_exec_time' : 'mean_time';
      const total = major >= 13 ? 'total_exec_time' : 'total_time';
      return `SELECT left(query, 120) AS query, calls, round(${mean}::numeric, 2) AS ${mean}, round(${total}::numeric, 2) AS ${total} FROM pg_stat_statements ORDER BY ${mean} DESC LIMIT 10`;
    };
    // The columns were renamed in PostgreSQL 13: ask for today's names while the version is
    // read, and ask again with the old names only for an older server.
    const current = ctx.exec(pod.metadata.name, container, psqlArgv(n, topQueries(13)), { timeoutMs: 10_000 });
    current.catch(() => undefined);
    const version = await ctx.exec(pod.metadata.name, container, psqlArgv(n, 'SELECT version()'), { timeoutMs: 10_000 });
    if (version.exitCode !== 0) {
      return { status: 'fail', message: `psql failed asking the server version (exit ${version.exitCode}): ${truncate((version.stderr || version.stdout).trim(), 200)}` };
    }
    const major = postgresMajorVersion(version.stdout) ?? 13;
    const meanColumn = major >= 13 ? 'mean_exec_time' : 'mean_time';
    const sql = topQueries(major);
    const r = major >= 13 ? await current : await ctx.exec(pod.metadata.name, container, psqlArgv(n, sql), { timeoutMs: 10_000 });
    const command = psqlCommand(n, sql);
    if (r.exitCode !== 0) {
      const text = `${r.stderr}\n${r.stdout}`;
      if (/pg_stat_statements/.test(text) && /(does not exist|must be loaded|shared_preload_libraries)/.test(text)) {
        return { status: 'warn', message: 'pg_stat_statements is not enabled: slow queries cannot be listed', evidence: [outputEvidence('psql', command, r)], remediation: [enableStatements(n)] };
      }
      return { status: 'fail', message: `psql failed reading pg_stat_statements (exit ${r.exitCode}): ${truncate(r.stderr.trim() || r.stdout.trim(), 200)}`, evidence: [outputEvidence('psql', command, r)] };
    }
    const rows = parsePsqlTable(r.stdout);
    const meanKey = (row: Record<string, string>) => Object.keys(row).find((k) => /mean/.test(k)) ?? meanColumn;
    const timed = rows.map((row) => ({ query: row.query ?? Object.values(row)[0], mean: Number(row[meanKey(row)]), calls: row.calls })).filter((q) => Number.isFinite(q.mean));
    timed.sort((a, b) => b.mean - a.mean);
    const evidence: Evidence[] = [outputEvidence(`top ${timed.length} queries by ${meanColumn} (PostgreSQL ${major})`, command, r)];
    const slowest = timed[0];
    const remediation: Remediation[] = [
      {
        text: { es: 'Analizar el plan de ejecución y crear los índices necesarios.', en: 'Look at the execution plan and create the indexes needed.' },
        command: psqlCommand(n, "EXPLAIN ANALYZE SELECT * FROM infractions WHERE created_at > NOW() - INTERVAL '1 day'"),
      },
      {
        text: { es: 'Crear índices necesarios.', en: 'Create the indexes needed.' },
        command: psqlCommand(n, 'CREATE INDEX idx_infractions_created_at ON infractions(created_at); CREATE INDEX idx_infractions_status ON infractions(status);'),
      },
    ];
    if (!slowest) return { status: 'pass', message: 'pg_stat_statements has no statements recorded yet', evidence };
    const about = `slowest mean ${slowest.mean} ms over ${slowest.calls ?? '?'} calls: ${truncate(slowest.query, 100)}`;
    const slowCount = timed.filter((q) => q.mean >= SLOW_WARN_MS).length;
    if (slowest.mean >= SLOW_FAIL_MS) return { status: 'fail', message: `${slowCount} queries average over ${SLOW_WARN_MS} ms; ${about}`, evidence, remediation };
    if (slowest.mean >= SLOW_WARN_MS) return { status: 'warn', message: `${slowCount} queries average over ${SLOW_WARN_MS} ms; ${about}`, evidence, remediation };
    return { status: 'pass', message: `No slow queries: ${about}`, evidence };
  },
};

// ------------------------------------------------------------------ indexes

const REQUIRED_INDEXES = [
  { name: 'idx_infractions_created_at', create: 'CREATE INDEX idx_infractions_created_at ON infractions(created_at);' },
  { name: 'idx_infractions_status', create: 'CREATE INDEX idx_infractions_status ON infractions(status);' },
];

const indexes: Check = {
  id: 'database.indexes',
  reads: () => ['pods'],
  section: 'database',
  title: { es: 'Índices de infractions', en: 'Indexes on infractions' },
  runbook: RUNBOOK.databaseSlow,
  severity: 'medium',
  kubectl: (n) => [psqlCommand(n, "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'infractions'")],
  async run(ctx) {
    const n = ctx.names;
    const target = await runningPostgres(ctx);
    if (isOutcome(target)) return target;
    const sql = "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'infractions'";
    const r = await ctx.exec(target.pod.metadata.name, target.container, psqlArgv(n, sql), { timeoutMs: 10_000 });
    const command = psqlCommand(n, sql);
    if (r.exitCode !== 0) return { status: 'fail', message: `psql failed listing indexes (exit ${r.exitCode}): ${truncate((r.stderr || r.stdout).trim(), 200)}`, evidence: [outputEvidence('psql', command, r)] };
    const rows = parsePsqlTable(r.stdout).filter((row) => row.tablename === 'infractions');
    const evidence: Evidence[] = [outputEvidence('indexes of infractions', command, r)];
    if (rows.length === 0) return { status: 'warn', message: 'Table infractions not found (no indexes listed in schema public)', evidence };
    const have = new Set(rows.map((row) => row.indexname));
    const missing = REQUIRED_INDEXES.filter((i) => !have.has(i.name));
    if (missing.length) {
      return {
        status: 'fail',
        message: `Missing index${missing.length > 1 ? 'es' : ''} on infractions: ${missing.map((i) => i.name).join(', ')}`,
        evidence,
        remediation: [{ text: { es: 'Crear índices necesarios.', en: 'Create the indexes needed.' }, command: psqlCommand(n, missing.map((i) => i.create).join(' ')) }],
      };
    }
    return { status: 'pass', message: `infractions has ${REQUIRED_INDEXES.map((i) => i.name).join(' and ')}`, evidence };
  },
};

// ------------------------------------------------------------------ settings

const GUIDE_SETTINGS = [
  { name: 'shared_buffers', guide: '256MB', bytes: 256 * 1024 ** 2 },
  { name: 'effective_cache_size', guide: '1GB', bytes: 1024 ** 3 },
  { name: 'work_mem', guide: '4MB', bytes: 4 * 1024 ** 2 },
];

const settings: Check = {
  id: 'database.settings',
  reads: () => ['pods'],
  section: 'database',
  title: { es: 'Configuración de memoria de PostgreSQL', en: 'PostgreSQL memory settings' },
  runbook: RUNBOOK.databaseSlow,
  severity: 'low',
  kubectl: (n) => [psqlCommand(n, "SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'effective_cache_size', 'work_mem')")],
  async run(ctx) {
    const n = ctx.names;
    const target = await runningPostgres(ctx);
    if (isOutcome(target)) return target;
    const sql = `SELECT name, setting, unit FROM pg_settings WHERE name IN (${GUIDE_SETTINGS.map((s) => `'${s.name}'`).join(', ')})`;
    const r = await ctx.exec(target.pod.metadata.name, target.container, psqlArgv(n, sql), { timeoutMs: 10_000 });
    const command = psqlCommand(n, sql);
    if (r.exitCode !== 0) return { status: 'fail', message: `psql failed reading pg_settings (exit ${r.exitCode}): ${truncate((r.stderr || r.stdout).trim(), 200)}`, evidence: [outputEvidence('psql', command, r)] };
    const rows = parsePsqlTable(r.stdout);
    const below: string[] = [];
    const seen: string[] = [];
    const missing: string[] = [];
    for (const s of GUIDE_SETTINGS) {
      const row = rows.find((x) => x.name === s.name);
      if (!row) {
        missing.push(s.name);
        continue;
      }
      const bytes = parsePgMemory(row.setting, row.unit);
      const shown = `${s.name}=${formatBytes(bytes)}`;
      seen.push(shown);
      if (Number.isFinite(bytes) && bytes < s.bytes) below.push(`${shown} (guide ${s.guide})`);
    }
    const evidence: Evidence[] = [outputEvidence('pg_settings', command, r)];
    const remediation: Remediation[] = [
      {
        text: {
          es: 'Editar la configuración y agregar: shared_buffers = 256MB, effective_cache_size = 1GB, work_mem = 4MB.',
          en: 'Edit the configuration and add: shared_buffers = 256MB, effective_cache_size = 1GB, work_mem = 4MB.',
        },
        command: `kubectl edit configmap ${n.postgresStatefulSet}-config -n ${n.namespace}`,
      },
    ];
    if (below.length) return { status: 'warn', message: `Below the guide's values: ${below.join(', ')}`, evidence, remediation };
    if (missing.length === GUIDE_SETTINGS.length) return { status: 'error', message: 'pg_settings returned none of shared_buffers, effective_cache_size, work_mem', evidence };
    return { status: 'pass', message: `Settings at or above the guide's values: ${seen.join(', ')}`, evidence };
  },
};

export const databaseChecks: Check[] = [postgresReady, postgresConnection, postgresResources, credentialsSecret, slowQueries, indexes, settings];
