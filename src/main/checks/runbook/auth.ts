// Runbook section 4, "Problemas de Autenticación": the JWT signing key, token errors,
// container clocks, 403 bursts and a Django user's groups and permissions.
import type { Evidence, Remediation } from '../../../shared/checks';
import type { Check, CheckContext, KObject, SystemNames } from '../types';
import {
  componentPods,
  isoTime,
  isPodReady,
  isPodRunning,
  lastChangeTime,
  logEvidence,
  mainContainer,
  mapLimit,
  objectRef,
  outcome,
  peakPerWindow,
  podRef,
  readRecentLogs,
  type ContainerLog,
} from './section-helpers';

const JWT = '4. Problemas de Autenticación › JWT Token Errors';
const PERMISSION = '4. Problemas de Autenticación › Permission Denied';

export const JWT_SECRET_NAME = 'traffic-system-secrets';
export const JWT_SECRET_KEY = 'django-secret-key';
export const MIN_SECRET_BYTES = 32;
export const CLOCK_SKEW_WARN_SECONDS = 5;
export const CLOCK_SKEW_FAIL_SECONDS = 30;
/**
 * Responses of one status in the recent logs read (up to 500 lines per pod): a burst is
 * many of them in the excerpt, or many within one minute.
 */
export const BURST_WARN_TOTAL = 5;
export const BURST_FAIL_TOTAL = 20;
export const BURST_WARN_PER_MINUTE = 10;
export const BURST_FAIL_PER_MINUTE = 30;
export const TOKEN_ERRORS_WARN = 5;
export const TOKEN_ERRORS_FAIL = 20;
export const OPERATORS_GROUP = 'operators';
export const DJANGO_USERNAME = /^[\w.@+-]{1,150}$/;

function rotateRemediation(n: SystemNames): Remediation {
  return {
    text: {
      es: 'Regenerar la clave secreta (openssl rand -base64 32), actualizar el secret y reiniciar el backend.',
      en: 'Regenerate the secret key (openssl rand -base64 32), update the secret and restart the backend.',
    },
    command: `NEW_SECRET=$(openssl rand -base64 32) && kubectl patch secret ${JWT_SECRET_NAME} -n ${n.namespace} -p="{\\"data\\": {\\"${JWT_SECRET_KEY}\\": \\"$(echo -n $NEW_SECRET | base64)\\"}}" && kubectl rollout restart deployment/${n.release}-backend -n ${n.namespace}`,
    action: 'rotate-jwt-secret',
  };
}

function restartBackend(n: SystemNames): Remediation {
  return {
    text: { es: 'Reiniciar el backend para que lea el secret actual.', en: 'Restart the backend so it reads the current secret.' },
    command: `kubectl rollout restart deployment/${n.release}-backend -n ${n.namespace}`,
    action: 'rollout-restart:backend',
  };
}

/**
 * When the secret was last written: an explicit rotation annotation (`…/rotated-at`,
 * RFC3339) when present, else the newest metadata.managedFields[].time (every kubectl
 * patch/apply records one), else metadata.creationTimestamp.
 */
function secretChangedAt(secret: KObject): { time: number; source: string } | undefined {
  for (const [key, value] of Object.entries(secret.metadata.annotations ?? {})) {
    if (!/(^|\/)rotated-at$/.test(key)) continue;
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return { time: t, source: `annotation ${key}` };
  }
  return lastChangeTime(secret);
}

/** When a pod's containers last read their environment: the latest container start, else the pod start. */
function podEnvLoadedAt(pod: KObject): number | undefined {
  const starts = (pod.status?.containerStatuses ?? [])
    .map((c: any) => Date.parse(c?.state?.running?.startedAt ?? ''))
    .filter((t: number) => !Number.isNaN(t));
  if (starts.length) return Math.max(...starts);
  const t = Date.parse(pod.status?.startTime ?? '');
  return Number.isNaN(t) ? undefined : t;
}

const jwtSecret: Check = {
  id: 'auth.jwt-secret',
  reads: () => ['pods'],
  section: 'auth',
  title: { es: 'Clave secreta de JWT (django-secret-key)', en: 'JWT signing key (django-secret-key)' },
  runbook: JWT,
  severity: 'critical',
  kubectl: (n) => [`kubectl get secret ${JWT_SECRET_NAME} -n ${n.namespace} -o yaml`],
  async run(ctx) {
    const n = ctx.names;
    const secret = await ctx.get('secrets', JWT_SECRET_NAME);
    if (!secret) {
      return outcome('fail', `Secret ${JWT_SECRET_NAME} not found in ${n.namespace}: the backend has no JWT signing key.`, { remediation: [rotateRemediation(n)] });
    }
    const ref = objectRef('Secret', secret);
    const encoded = secret.data?.[JWT_SECRET_KEY];
    if (encoded === undefined) {
      return outcome('fail', `Secret ${JWT_SECRET_NAME} has no ${JWT_SECRET_KEY} key.`, {
        evidence: [{ kind: 'object', label: 'JWT secret', ref, fields: { key: JWT_SECRET_KEY, present: false } }],
        remediation: [rotateRemediation(n)],
      });
    }
    const byteLength = Buffer.from(encoded, 'base64').length;
    const longEnough = byteLength >= MIN_SECRET_BYTES;
    const changed = secretChangedAt(secret);
    const fields: Record<string, string | boolean | null> = {
      key: JWT_SECRET_KEY,
      present: true,
      empty: byteLength === 0,
      [`atLeast${MIN_SECRET_BYTES}Bytes`]: longEnough,
      lastChanged: changed ? isoTime(changed.time) : null,
      lastChangedFrom: changed?.source ?? null,
    };
    const evidence: Evidence[] = [{ kind: 'object', label: 'JWT secret', ref, fields }];
    if (byteLength === 0) return outcome('fail', `${JWT_SECRET_KEY} in ${JWT_SECRET_NAME} is empty.`, { evidence, remediation: [rotateRemediation(n)] });
    if (!longEnough) {
      return outcome('fail', `${JWT_SECRET_KEY} in ${JWT_SECRET_NAME} is shorter than ${MIN_SECRET_BYTES} bytes.`, { evidence, remediation: [rotateRemediation(n)] });
    }

    const pods = (await componentPods(ctx, n.components.backend)).filter(isPodRunning);
    const stale = changed
      ? pods.filter((p) => {
          const loaded = podEnvLoadedAt(p);
          return loaded !== undefined && loaded < changed.time;
        })
      : [];
    for (const p of stale) {
      const loaded = podEnvLoadedAt(p);
      evidence.push({ kind: 'object', label: 'Backend pod started before the secret changed', ref: podRef(p), fields: { started: loaded ? isoTime(loaded) : null } });
    }
    if (stale.length) {
      return outcome(
        'warn',
        `${JWT_SECRET_KEY} changed at ${isoTime(changed!.time)}, after ${stale.length} of ${pods.length} backend pod(s) started: they still sign with the old key until restarted.`,
        { evidence, remediation: [restartBackend(n)] },
      );
    }
    return outcome(
      'pass',
      `${JWT_SECRET_KEY} present, at least ${MIN_SECRET_BYTES} bytes; ${pods.length} running backend pod(s) started after its last change${changed ? ` (${isoTime(changed.time)}, from ${changed.source})` : ''}.`,
      { evidence },
    );
  },
};

async function backendLogs(ctx: CheckContext): Promise<{ pods: KObject[]; logs: ContainerLog[] }> {
  const n = ctx.names;
  const pods = (await componentPods(ctx, n.components.backend)).filter(isPodRunning);
  const main = (p: KObject) => mainContainer(p, n.components.backend);
  const logs = await readRecentLogs(ctx, pods, { timestamps: true });
  return { pods, logs: logs.filter((l) => l.container === main(l.pod)) };
}

/** Django/gunicorn access-log lines answered with `status`. */
function statusLines(lines: string[], status: number): string[] {
  const afterRequest = new RegExp(`"\\s${status}\\s`);
  return lines.filter((l) => afterRequest.test(l));
}

/** Who got the responses: the user field of the access log (`ip - user "REQUEST" status`). */
function usersOf(lines: string[]): Map<string, number> {
  const users = new Map<string, number>();
  for (const l of lines) {
    const m = /\s-\s(\S+)\s"/.exec(l);
    const user = m && m[1] !== '-' ? m[1] : '(anonymous)';
    users.set(user, (users.get(user) ?? 0) + 1);
  }
  return users;
}

function topUsers(users: Map<string, number>, max = 5): string {
  return [...users.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([u, c]) => `${u} (${c})`)
    .join(', ');
}

const TOKEN_ERROR = /Invalid token|Signature has expired|Token is invalid or expired|token_not_valid/i;

const tokenErrors: Check = {
  id: 'auth.token-errors',
  reads: () => ['pods'],
  section: 'auth',
  title: { es: 'Errores de token en el backend', en: 'Token errors in the backend' },
  runbook: JWT,
  severity: 'high',
  kubectl: (n) => [`kubectl logs deployment/${n.release}-backend -n ${n.namespace} | grep -i jwt`, `kubectl logs deployment/${n.release}-backend -n ${n.namespace} --tail=500 | grep -E "Invalid token|Signature has expired| 401 "`],
  async run(ctx) {
    const n = ctx.names;
    const { pods, logs } = await backendLogs(ctx);
    if (pods.length === 0) return outcome('warn', `No running backend pods in ${n.namespace} whose logs could be read.`);
    const evidence: Evidence[] = [];
    let tokenTotal = 0;
    let unauthorizedTotal = 0;
    let peak = 0;
    for (const log of logs) {
      const tokenLines = log.lines.filter((l) => TOKEN_ERROR.test(l));
      const unauthorized = statusLines(log.lines, 401);
      tokenTotal += tokenLines.length;
      unauthorizedTotal += unauthorized.length;
      peak = Math.max(peak, peakPerWindow(unauthorized));
      if (tokenLines.length) evidence.push(logEvidence('Token errors', log, tokenLines));
      if (unauthorized.length) evidence.push(logEvidence(`HTTP 401 (${unauthorized.length})`, log, unauthorized));
    }
    const summary = `${tokenTotal} token error(s) and ${unauthorizedTotal} HTTP 401 (peak ${peak}/min) in the last ${logs.length} backend log(s)`;
    // A skewed clock makes valid tokens look expired: check it before rotating the key,
    // which logs every user out.
    const remediation: Remediation[] = [
      {
        text: { es: 'Verificar la hora de los contenedores (ver auth.clock-skew).', en: 'Check the containers’ clock (see auth.clock-skew).' },
        command: `kubectl exec -it deployment/${n.release}-backend -n ${n.namespace} -- date`,
      },
      rotateRemediation(n),
    ];
    if (tokenTotal >= TOKEN_ERRORS_FAIL || unauthorizedTotal >= BURST_FAIL_TOTAL || peak >= BURST_FAIL_PER_MINUTE) return outcome('fail', `${summary}.`, { evidence, remediation });
    if (tokenTotal >= TOKEN_ERRORS_WARN || unauthorizedTotal >= BURST_WARN_TOTAL || peak >= BURST_WARN_PER_MINUTE) return outcome('warn', `${summary}.`, { evidence, remediation });
    return outcome('pass', `${summary}: below the alert levels.`, { evidence });
  },
};

const clockSkew: Check = {
  id: 'auth.clock-skew',
  reads: () => ['pods'],
  section: 'auth',
  title: { es: 'Desfase del reloj de los contenedores', en: 'Container clock skew' },
  runbook: JWT,
  severity: 'high',
  kubectl: (n) => [`kubectl exec -it deployment/${n.release}-backend -n ${n.namespace} -- date`],
  async run(ctx) {
    const n = ctx.names;
    const pods = (await componentPods(ctx, n.components.backend)).filter(isPodReady).slice(0, 3);
    if (pods.length === 0) return outcome('warn', `No ready backend pod in ${n.namespace} to read the clock of.`);
    const argv = ['date', '+%s'];
    const readings = await mapLimit(pods, 3, async (pod) => {
      const before = ctx.now().getTime();
      const r = await ctx.exec(pod.metadata.name, mainContainer(pod, n.components.backend), argv, { timeoutMs: 10_000 });
      const after = ctx.now().getTime();
      const text = r.stdout.trim();
      const remote = r.exitCode === 0 && /^\d+$/.test(text) ? Number(text) : NaN;
      // The container answered somewhere between the two local readings; `date +%s`
      // truncates, so its true time lies in [remote, remote + 1).
      const local = (before + after) / 2;
      return { pod, r, remote, local, skew: Number.isFinite(remote) ? remote + 0.5 - local / 1000 : NaN, uncertainty: 0.5 + (after - before) / 2000 };
    });
    const evidence: Evidence[] = readings.map(({ pod, r, remote, local }) => ({
      kind: 'output',
      label: `${pod.metadata.name} clock`,
      command: argv.join(' '),
      text: Number.isFinite(remote)
        ? `container: ${remote} (${isoTime(remote * 1000)})\nlocal:     ${Math.round(local / 1000)} (${isoTime(Math.round(local / 1000) * 1000)})`
        : (r.stderr || r.stdout).trim(),
      exitCode: r.exitCode ?? undefined,
    }));
    const measured = readings.filter((x) => Number.isFinite(x.skew));
    if (measured.length === 0) {
      return outcome('error', `Could not read the clock of the backend pods: ${(readings[0].r.stderr || readings[0].r.stdout).trim() || `exit ${readings[0].r.exitCode}`}.`, { evidence });
    }
    // Whole-second resolution of `date +%s` and the exec round trip bound what can be claimed.
    const worstReading = measured.reduce((a, b) => (Math.abs(b.skew) > Math.abs(a.skew) ? b : a));
    const skew = Math.max(0, Math.abs(worstReading.skew) - worstReading.uncertainty);
    const direction = worstReading.skew > 0 ? 'ahead of' : 'behind';
    const text = `${worstReading.pod.metadata.name} is ${Math.abs(worstReading.skew).toFixed(1)} s ${direction} this machine`;
    const remediation: Remediation[] = [
      {
        text: { es: 'Verificar la zona horaria y sincronizar con NTP (en el nodo).', en: 'Check the timezone and sync with NTP (on the node).' },
        command: `kubectl exec -it deployment/${n.release}-backend -n ${n.namespace} -- ntpdate -s time.google.com`,
      },
    ];
    if (skew > CLOCK_SKEW_FAIL_SECONDS) return outcome('fail', `${text}: tokens will look expired or not yet valid.`, { evidence, remediation });
    if (skew > CLOCK_SKEW_WARN_SECONDS) return outcome('warn', `${text}.`, { evidence, remediation });
    return outcome('pass', `Backend clocks agree with this machine within ${CLOCK_SKEW_WARN_SECONDS} s (${measured.length} pod(s)).`, { evidence });
  },
};

const forbiddenErrors: Check = {
  id: 'auth.forbidden-errors',
  reads: () => ['pods'],
  section: 'auth',
  title: { es: 'Ráfagas de 403 Forbidden en el backend', en: 'Bursts of 403 Forbidden in the backend' },
  runbook: PERMISSION,
  severity: 'medium',
  kubectl: (n) => [`kubectl logs deployment/${n.release}-backend -n ${n.namespace} --tail=500 | grep " 403 "`],
  async run(ctx) {
    const n = ctx.names;
    const { pods, logs } = await backendLogs(ctx);
    if (pods.length === 0) return outcome('warn', `No running backend pods in ${n.namespace} whose logs could be read.`);
    const evidence: Evidence[] = [];
    const all: string[] = [];
    let peak = 0;
    for (const log of logs) {
      const forbidden = statusLines(log.lines, 403);
      if (forbidden.length === 0) continue;
      all.push(...forbidden);
      peak = Math.max(peak, peakPerWindow(forbidden));
      evidence.push(logEvidence(`HTTP 403 (${forbidden.length})`, log, forbidden));
    }
    const users = usersOf(all);
    const summary = `${all.length} HTTP 403 (peak ${peak}/min) in the last ${logs.length} backend log(s)${all.length ? `; users: ${topUsers(users)}` : ''}`;
    const firstUser = [...users.keys()].find((u) => u !== '(anonymous)');
    const remediation: Remediation[] = [
      {
        text: {
          es: `Revisar los grupos y permisos del usuario afectado (auth.app-user-permissions${firstUser ? ` con username=${firstUser}` : ''}) y añadirlo al grupo operators si corresponde.`,
          en: `Check the affected user’s groups and permissions (auth.app-user-permissions${firstUser ? ` with username=${firstUser}` : ''}) and add them to the operators group if appropriate.`,
        },
        action: 'add-user-to-group',
      },
      {
        text: { es: 'Resetear permisos (migrate --run-syncdb).', en: 'Reset permissions (migrate --run-syncdb).' },
        command: `kubectl exec -it deployment/${n.release}-backend -n ${n.namespace} -- python manage.py migrate --run-syncdb`,
        action: 'migrate-run-syncdb',
      },
    ];
    if (all.length >= BURST_FAIL_TOTAL || peak >= BURST_FAIL_PER_MINUTE) return outcome('fail', `${summary}.`, { evidence, remediation });
    if (all.length >= BURST_WARN_TOTAL || peak >= BURST_WARN_PER_MINUTE) return outcome('warn', `${summary}.`, { evidence, remediation });
    return outcome('pass', `${summary}: no burst.`, { evidence });
  },
};

/**
 * Fixed code for `manage.py shell -c`: the username arrives in the environment, never in
 * the code, and the answer is one JSON line.
 */
export const USER_PERMISSIONS_CODE = [
  'import json, os',
  'from django.contrib.auth import get_user_model',
  'User = get_user_model()',
  "name = os.environ.get('ROADSIDE_USERNAME', '')",
  'try:',
  '    user = User.objects.get(username=name)',
  'except User.DoesNotExist:',
  "    print(json.dumps({'error': 'user-not-found'}))",
  'else:',
  "    print(json.dumps({'groups': sorted(g.name for g in user.groups.all()), 'permissions': sorted(user.get_all_permissions()), 'is_active': user.is_active, 'is_superuser': user.is_superuser}))",
].join('\n');

export function userPermissionsArgv(username: string): string[] {
  return ['env', `ROADSIDE_USERNAME=${username}`, 'python', 'manage.py', 'shell', '-c', USER_PERMISSIONS_CODE];
}

interface UserPermissions {
  error?: string;
  groups: string[];
  permissions: string[];
  isActive?: boolean;
  isSuperuser?: boolean;
}

/**
 * Reads the answer: the JSON line of USER_PERMISSIONS_CODE, or the two QuerySet lines the
 * runbook's own snippet prints (`print(user.groups.all())`, `print(user.user_permissions.all())`).
 */
export function parseUserPermissions(stdout: string): UserPermissions | undefined {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of [...lines].reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const j = JSON.parse(line);
      if (typeof j.error === 'string') return { error: j.error, groups: [], permissions: [] };
      if (Array.isArray(j.groups)) {
        return {
          groups: j.groups.map(String),
          permissions: Array.isArray(j.permissions) ? j.permissions.map(String) : [],
          isActive: typeof j.is_active === 'boolean' ? j.is_active : undefined,
          isSuperuser: typeof j.is_superuser === 'boolean' ? j.is_superuser : undefined,
        };
      }
    } catch {
      // not the answer line
    }
  }
  if (/DoesNotExist/.test(stdout)) return { error: 'user-not-found', groups: [], permissions: [] };
  const querySets = lines.filter((l) => l.startsWith('<QuerySet'));
  if (querySets.length >= 1) {
    const items = (l: string | undefined, kind: string) => [...(l ?? '').matchAll(new RegExp(`<${kind}: ([^>]*)>`, 'g'))].map((m) => m[1].trim());
    return { groups: items(querySets[0], 'Group'), permissions: items(querySets[1], 'Permission') };
  }
  return undefined;
}

const appUserPermissions: Check = {
  id: 'auth.app-user-permissions',
  section: 'auth',
  title: { es: 'Grupos y permisos de un usuario de la aplicación', en: 'An application user’s groups and permissions' },
  runbook: PERMISSION,
  severity: 'medium',
  params: ['username'],
  kubectl: (n) => [`kubectl exec -it deployment/${n.release}-backend -n ${n.namespace} -- python manage.py shell -c "<print user.groups.all() and user.user_permissions.all()>"`],
  async run(ctx) {
    const n = ctx.names;
    const username = ctx.params.username?.trim();
    if (!username) return outcome('skipped', 'Give a username (parameter "username") to check that user’s groups and permissions.');
    if (!DJANGO_USERNAME.test(username)) {
      return outcome('error', 'The username is not a valid Django username (letters, digits and @/./+/-/_ only, up to 150 characters).');
    }
    const pod = (await componentPods(ctx, n.components.backend)).find(isPodReady);
    if (!pod) return outcome('warn', `No ready backend pod in ${n.namespace} to ask Django about ${username}.`);
    const argv = userPermissionsArgv(username);
    const r = await ctx.exec(pod.metadata.name, mainContainer(pod, n.components.backend), argv, { timeoutMs: 12_000 });
    const shown = `python manage.py shell -c <user groups and permissions of ${username}>`;
    const parsed = r.exitCode === 0 ? parseUserPermissions(r.stdout) : undefined;
    if (!parsed) {
      return outcome('error', `Django did not answer about ${username}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] || `exit ${r.exitCode}`}.`, {
        evidence: [{ kind: 'output', label: 'manage.py shell', command: shown, text: (r.stderr || r.stdout).trim().slice(-2000), exitCode: r.exitCode ?? undefined }],
      });
    }
    if (parsed.error) return outcome('fail', `Django user ${username} does not exist.`);
    const evidence: Evidence[] = [
      {
        kind: 'object',
        label: `Django user ${username}`,
        ref: { kind: 'DjangoUser', name: username },
        fields: {
          groups: parsed.groups.join(', ') || '(none)',
          permissions: parsed.permissions.length,
          ...(parsed.isActive !== undefined ? { isActive: parsed.isActive } : {}),
          ...(parsed.isSuperuser !== undefined ? { isSuperuser: parsed.isSuperuser } : {}),
        },
      },
      { kind: 'output', label: 'permissions', command: shown, text: parsed.permissions.join('\n') || '(none)' },
    ];
    const groupCommand = `kubectl exec -it deployment/${n.release}-backend -n ${n.namespace} -- python manage.py shell -c "from django.contrib.auth.models import User, Group; User.objects.get(username='${username}').groups.add(Group.objects.get(name='${OPERATORS_GROUP}'))"`;
    if (parsed.isActive === false) {
      return outcome('fail', `Django user ${username} is inactive (groups: ${parsed.groups.join(', ') || 'none'}).`, { evidence });
    }
    if (!parsed.groups.includes(OPERATORS_GROUP)) {
      return outcome('warn', `Django user ${username} is not in the ${OPERATORS_GROUP} group (groups: ${parsed.groups.join(', ') || 'none'}; ${parsed.permissions.length} permission(s)).`, {
        evidence,
        remediation: [
          {
            text: { es: `Añadir ${username} al grupo ${OPERATORS_GROUP}.`, en: `Add ${username} to the ${OPERATORS_GROUP} group.` },
            command: groupCommand,
            action: 'add-user-to-group',
          },
          {
            text: { es: 'Resetear permisos (migrate --run-syncdb).', en: 'Reset permissions (migrate --run-syncdb).' },
            command: `kubectl exec -it deployment/${n.release}-backend -n ${n.namespace} -- python manage.py migrate --run-syncdb`,
            action: 'migrate-run-syncdb',
          },
        ],
      });
    }
    return outcome('pass', `Django user ${username} is in ${parsed.groups.join(', ')} with ${parsed.permissions.length} permission(s).`, { evidence });
  },
};

export const authChecks: Check[] = [jwtSecret, tokenErrors, clockSkew, forbiddenErrors, appUserPermissions];
