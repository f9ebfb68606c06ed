// Whole-cluster views the runbook's tools and emergency procedures rely on: recent
// Warning events, the Helm release's state, and what the current credentials may do.
import type { Evidence, Remediation } from '../../../shared/checks';
import { CLUSTER_SCOPED_RESOURCES, ForbiddenError, UnreachableError, type Check, type CheckContext, type KObject, type ResourceName, type RulesReview, type SystemNames } from '../types';
import { isPendingStatus, readReleaseSecret, releaseSecrets, type HelmReleaseSummary } from '../helm-release';
import { isoTime, outcome } from './section-helpers';
import { rulesAllow } from '../../kube/rbac-rules';

const DIAGNOSTIC_SCRIPT = 'Herramientas de Diagnóstico › Scripts de Diagnóstico Automático';
const ROLLBACK = 'Procedimientos de Emergencia › Rollback Completo';
const TOOLS = 'Herramientas de Diagnóstico';

export const RECENT_EVENTS_WINDOW_MS = 60 * 60 * 1000;

/** When an event last happened: series.lastObservedTime, lastTimestamp, eventTime, creation. */
export function eventTime(event: KObject): number | undefined {
  for (const v of [event.series?.lastObservedTime, event.lastTimestamp, event.eventTime, event.metadata.creationTimestamp]) {
    if (typeof v !== 'string' || v === '') continue;
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

function eventCount(event: KObject): number {
  const c = event.series?.count ?? event.count;
  return typeof c === 'number' && c > 0 ? c : 1;
}

/** kubelet advice that never means a fault (resolv.conf search-path limits). */
const BENIGN_REASONS = new Set(['DNSConfigForming']);
/** Blips a healthy system shows now and then: a failed probe or a missed metrics read. */
const TRANSIENT_REASONS = new Set(['Unhealthy', 'ProbeWarning', 'FailedGetResourceMetric', 'FailedGetPodsMetric', 'FailedGetExternalMetric', 'FailedComputeMetricsReplicas']);
export const TRANSIENT_MAX_COUNT = 2;

interface EventGroup {
  namespace: string;
  reason: string;
  kind: string;
  name: string;
  count: number;
  last: number;
  message: string;
}

function isNoise(g: EventGroup): boolean {
  return BENIGN_REASONS.has(g.reason) || (TRANSIENT_REASONS.has(g.reason) && g.count <= TRANSIENT_MAX_COUNT);
}

/**
 * Events of the run's namespace, plus those of kube-system, the ingress controller's
 * namespace and the nodes (what the system depends on), when the credentials may read them.
 */
async function relevantEvents(ctx: Parameters<Check['run']>[0]): Promise<{ events: KObject[]; notes: string[] }> {
  const n = ctx.names;
  // Both lists at once; the cluster-wide one may be refused.
  const everywhere = ctx.list('events', null).then(
    (events) => ({ events }),
    (err: unknown) => ({ err }),
  );
  const own = await ctx.list('events');
  const notes: string[] = [];
  const related = (e: KObject) => {
    const ns = e.metadata.namespace;
    return ns !== n.namespace && (ns === 'kube-system' || ns === n.ingressNamespace || (e.involvedObject?.kind ?? e.regarding?.kind) === 'Node');
  };
  const all = await everywhere;
  if ('events' in all) return { events: [...own, ...all.events.filter(related)], notes };
  if (!(all.err instanceof ForbiddenError)) throw all.err;
  const others: KObject[] = [];
  for (const ns of ['kube-system', n.ingressNamespace, 'default']) {
    try {
      others.push(...(await ctx.list('events', ns)).filter(related));
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
      notes.push(`events of ${ns} not readable`);
    }
  }
  return { events: [...own, ...others], notes };
}

const recentEvents: Check = {
  id: 'cluster.recent-events',
  reads: () => ['events', ['events', null]],
  section: 'cluster',
  title: { es: 'Eventos Warning de la última hora', en: 'Warning events of the last hour' },
  runbook: DIAGNOSTIC_SCRIPT,
  severity: 'low',
  kubectl: (n) => [`kubectl get events -n ${n.namespace} --sort-by='.lastTimestamp' | tail -20`, `kubectl get events -A --field-selector type=Warning --sort-by='.lastTimestamp'`],
  async run(ctx) {
    const n = ctx.names;
    const now = ctx.now().getTime();
    const { events, notes } = await relevantEvents(ctx);
    const recent = events.filter((e) => {
      if (e.type !== 'Warning') return false;
      const t = eventTime(e);
      return t !== undefined && t >= now - RECENT_EVENTS_WINDOW_MS && t <= now + 5 * 60 * 1000;
    });
    const noteText = notes.length ? ` (${notes.join('; ')})` : '';
    if (recent.length === 0) return outcome('pass', `No Warning events in the last hour (${events.length} event(s) read)${noteText}.`);
    const groups = new Map<string, EventGroup>();
    for (const e of recent) {
      const namespace = e.metadata.namespace ?? '';
      const kind = e.involvedObject?.kind ?? e.regarding?.kind ?? '?';
      const name = e.involvedObject?.name ?? e.regarding?.name ?? '?';
      const reason = e.reason ?? '?';
      const key = [namespace, reason, kind, name].join('\u0000');
      const t = eventTime(e)!;
      const g = groups.get(key) ?? { namespace, reason, kind, name, count: 0, last: 0, message: '' };
      g.count += eventCount(e);
      if (t >= g.last) {
        g.last = t;
        g.message = String(e.message ?? e.note ?? '');
      }
      groups.set(key, g);
    }
    const sorted = [...groups.values()].sort((a, b) => b.count - a.count || b.last - a.last);
    const significant = sorted.filter((g) => !isNoise(g));
    const noise = sorted.filter(isNoise);
    const evidence: Evidence[] = sorted.slice(0, 20).map((g) => ({
      kind: 'object',
      label: `${g.reason} ×${g.count}${isNoise(g) ? ' (transient)' : ''}`,
      ref: { kind: g.kind, name: g.name, ...(g.kind !== 'Node' && g.namespace ? { namespace: g.namespace } : {}) },
      fields: { reason: g.reason, count: g.count, last: isoTime(g.last), message: g.message.slice(0, 300) },
    }));
    const describe = (list: EventGroup[]) => list.slice(0, 5).map((g) => `${g.reason} on ${g.kind}/${g.name} ×${g.count}`).join('; ') + (list.length > 5 ? '; …' : '');
    const total = (list: EventGroup[]) => list.reduce((s, g) => s + g.count, 0);
    if (significant.length === 0) {
      return outcome('pass', `Only transient or advisory Warning events in the last hour: ${describe(noise)}${noteText}.`, { evidence });
    }
    const alsoNoise = noise.length ? ` (plus ${total(noise)} transient)` : '';
    return outcome('warn', `${total(significant)} Warning event(s) in the last hour in ${significant.length} group(s): ${describe(significant)}${alsoNoise}${noteText}.`, { evidence });
  },
};

function releaseFields(s: HelmReleaseSummary): Record<string, string | number | null> {
  return {
    name: s.name,
    revision: s.revision,
    status: s.status,
    chart: s.chart ? `${s.chart}${s.chartVersion ? `-${s.chartVersion}` : ''}` : null,
    app_version: s.appVersion ?? null,
    last_deployed: s.lastDeployed ?? null,
    description: s.description ?? null,
  };
}

const helmRelease: Check = {
  id: 'cluster.helm-release',
  reads: () => ['secrets'],
  section: 'cluster',
  title: { es: 'Estado del release de Helm', en: 'Helm release state' },
  runbook: ROLLBACK,
  severity: 'high',
  kubectl: (n) => [`helm status ${n.release} -n ${n.namespace}`, `helm history ${n.release} -n ${n.namespace}`, `kubectl get secrets -n ${n.namespace} -l owner=helm,name=${n.release}`],
  async run(ctx) {
    const n = ctx.names;
    const secrets = releaseSecrets(await ctx.list('secrets'), n.release);
    if (secrets.length === 0) {
      return outcome('warn', `No Helm release records for ${n.release} in ${n.namespace} (secrets of type helm.sh/release.v1): not installed with Helm 3 here, or stored elsewhere.`);
    }
    const records = secrets.map((s) => ({ secret: s, ...readReleaseSecret(s) }));
    const current = records[0];
    const s = current.summary;
    const evidence: Evidence[] = [{ kind: 'object', label: 'Current release', ref: { kind: 'Secret', name: current.secret.metadata.name, namespace: n.namespace }, fields: releaseFields(s) }];
    evidence.push({
      kind: 'output',
      label: 'History',
      command: `helm history ${n.release} -n ${n.namespace}`,
      text: ['REVISION\tSTATUS\tCHART\tAPP VERSION\tUPDATED\tDESCRIPTION', ...records.map(({ summary: r }) => `${r.revision}\t${r.status}\t${r.chart ?? ''}${r.chartVersion ? `-${r.chartVersion}` : ''}\t${r.appVersion ?? ''}\t${r.lastDeployed ?? ''}\t${r.description ?? ''}`)].join('\n'),
    });
    const decodeNote = current.decodeError ? ` (record not decoded: ${current.decodeError}; status from its labels)` : '';
    const when = s.lastDeployed ? `, deployed ${s.lastDeployed}` : '';
    const chart = s.chart ? ` (${s.chart}${s.chartVersion ? `-${s.chartVersion}` : ''}${s.appVersion ? `, app ${s.appVersion}` : ''})` : '';
    const head = `${n.release} revision ${s.revision} is ${s.status}${chart}${when}`;
    if (s.status === 'deployed') return outcome('pass', `${head}${decodeNote}.`, { evidence });

    if (s.status === 'failed' || isPendingStatus(s.status)) {
      const previous = records.slice(1).find(({ summary: r }) => r.status === 'deployed' || r.status === 'superseded');
      const remediation: Remediation[] = [];
      if (previous) {
        remediation.push({
          text: {
            es: `Rollback completo con Helm a la revisión ${previous.summary.revision}, la última desplegada con éxito.`,
            en: `Full rollback with Helm to revision ${previous.summary.revision}, the last one deployed successfully.`,
          },
          command: `helm rollback ${n.release} ${previous.summary.revision} -n ${n.namespace}`,
          action: 'helm-rollback',
        });
      } else {
        remediation.push({
          text: { es: 'No hay una revisión anterior desplegada a la que volver.', en: 'There is no earlier deployed revision to roll back to.' },
          command: `helm history ${n.release} -n ${n.namespace}`,
        });
      }
      remediation.push({ text: { es: 'Verificar el estado.', en: 'Check the state.' }, command: `helm status ${n.release} -n ${n.namespace} && kubectl get pods -n ${n.namespace}` });
      const detail = s.description ? `: ${s.description}` : '';
      return outcome('fail', `${head}${detail}${decodeNote}.`, { evidence, remediation });
    }
    return outcome('warn', `${head}${decodeNote}.`, { evidence });
  },
};

export interface AccessNeed {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  /** true: cluster-scoped; otherwise in the run's namespace unless `namespace` says. */
  clusterScoped?: boolean;
  namespace?: string;
  /** What is limited without it: check ids and action ids. */
  affects: string[];
}

/** What the runbook's checks and actions need, and who needs it. */
export function accessNeeds(n: SystemNames): AccessNeed[] {
  return [
    { verb: 'list', resource: 'pods', affects: ['connectivity.pods-healthy', 'storage.pvc-usage', 'storage.no-space-errors', 'storage.app-files', 'storage.minio-health', 'auth.jwt-secret', 'auth.token-errors', 'auth.clock-skew', 'network.policies', 'monitoring.prometheus-ready'] },
    { verb: 'get', resource: 'pods', subresource: 'log', affects: ['storage.no-space-errors', 'storage.minio-health', 'auth.token-errors', 'auth.forbidden-errors', 'performance.ml-service-errors'] },
    { verb: 'create', resource: 'pods', subresource: 'exec', affects: ['storage.app-files', 'auth.clock-skew', 'auth.app-user-permissions', 'database.postgres-connection', 'database.slow-queries', 'database.indexes', 'database.settings', 'performance.ml-service-gpu', 'clean-old-files', 'add-user-to-group', 'migrate-run-syncdb', 'emergency-backup', 'profile-backend', 'profile-ml-service'] },
    { verb: 'create', resource: 'pods', subresource: 'portforward', affects: ['connectivity.backend-health', 'storage.minio-health', 'monitoring.prometheus-targets'] },
    { verb: 'list', resource: 'secrets', affects: ['auth.jwt-secret', 'cluster.helm-release', 'database.credentials-secret'] },
    { verb: 'list', resource: 'events', affects: ['cluster.recent-events'] },
    { verb: 'list', resource: 'persistentvolumeclaims', affects: ['storage.pvc-usage'] },
    { verb: 'list', resource: 'networkpolicies', group: 'networking.k8s.io', affects: ['network.policies'] },
    { verb: 'list', resource: 'servicemonitors', group: 'monitoring.coreos.com', affects: ['monitoring.servicemonitors'] },
    { verb: 'list', resource: 'nodes', clusterScoped: true, affects: ['storage.node-pressure'] },
    { verb: 'get', resource: 'nodes', subresource: 'proxy', clusterScoped: true, affects: ['storage.pvc-usage'] },
    { verb: 'list', resource: 'pods', group: 'metrics.k8s.io', affects: ['database.postgres-resources', 'performance.ml-service-resources'] },
    { verb: 'list', resource: 'pods', namespace: 'kube-system', affects: ['network.coredns'] },
    { verb: 'create', resource: 'pods', affects: ['network.dns-probe'] },
    { verb: 'patch', resource: 'deployments', group: 'apps', affects: ['rollout-restart:backend', 'rollout-restart:ml-service', 'rollout-restart:prometheus', 'set-resources:ml-service'] },
    { verb: 'patch', resource: 'deployments', group: 'apps', namespace: 'kube-system', affects: ['rollout-restart:coredns'] },
    { verb: 'update', resource: 'deployments', group: 'apps', subresource: 'scale', affects: ['scale:ml-service', 'maintenance-on', 'maintenance-off'] },
    { verb: 'patch', resource: 'persistentvolumeclaims', affects: ['expand-pvc'] },
    { verb: 'patch', resource: 'secrets', affects: ['rotate-jwt-secret'] },
    // Helm writes a new release record (and patches the release's objects) on rollback.
    { verb: 'create', resource: 'secrets', affects: ['helm-rollback'] },
    { verb: 'create', resource: 'networkpolicies', group: 'networking.k8s.io', affects: ['allow-frontend-to-backend'] },
  ].map((need) => ({ ...need, namespace: need.clusterScoped ? undefined : (need.namespace ?? n.namespace) }));
}

function describeNeed(need: AccessNeed): string {
  const resource = `${need.resource}${need.subresource ? `/${need.subresource}` : ''}${need.group ? `.${need.group}` : ''}`;
  return `${need.verb} ${resource}${need.namespace ? ` in ${need.namespace}` : ''}`;
}

/**
 * Whether the credentials allow each need. A namespace's needs are read from one
 * SelfSubjectRulesReview when the context offers it (what `kubectl auth can-i --list` reads).
 * Listing a cluster-scoped kind is answered by the run's own list of it (storage.node-pressure
 * reads the nodes). Other cluster-scoped needs, and needs an incomplete review does not grant,
 * are asked one by one with a SelfSubjectAccessReview.
 */
export async function accessAnswers(ctx: CheckContext, needs: AccessNeed[]): Promise<boolean[]> {
  const reviews = new Map<string, Promise<RulesReview | undefined>>();
  if (ctx.rulesReview) {
    for (const need of needs) {
      if (need.clusterScoped || !need.namespace || reviews.has(need.namespace)) continue;
      // A review that fails (an old server, a refusal) leaves the question to access reviews.
      reviews.set(need.namespace, ctx.rulesReview(need.namespace).catch(() => undefined));
    }
  }
  const ask = (need: AccessNeed) =>
    ctx.can(need.verb, need.resource, {
      ...(need.group ? { group: need.group } : {}),
      ...(need.subresource ? { subresource: need.subresource } : {}),
      namespace: need.clusterScoped ? null : need.namespace,
    });
  return Promise.all(
    needs.map(async (need) => {
      if (need.clusterScoped && need.verb === 'list' && !need.subresource && !need.group && CLUSTER_SCOPED_RESOURCES.has(need.resource as ResourceName)) {
        try {
          await ctx.list(need.resource as ResourceName, null);
          return true;
        } catch (err) {
          if (err instanceof ForbiddenError) return false;
          if (err instanceof UnreachableError) throw err;
          // Any other failure says nothing about the permission: ask.
        }
      }
      const review = need.namespace && !need.clusterScoped ? await reviews.get(need.namespace) : undefined;
      if (review) {
        const attrs = { verb: need.verb, resource: need.resource, subresource: need.subresource, group: need.group ?? '', namespace: need.namespace };
        if (rulesAllow(review.resourceRules, attrs)) return true;
        if (!review.incomplete) return false;
      }
      return ask(need);
    }),
  );
}

const access: Check = {
  id: 'cluster.access',
  section: 'cluster',
  title: { es: 'Permisos de las credenciales actuales', en: 'What the current credentials may do' },
  runbook: TOOLS,
  severity: 'medium',
  kubectl: (n) => [`kubectl auth can-i --list -n ${n.namespace}`],
  async run(ctx) {
    const needs = accessNeeds(ctx.names);
    const answers = await accessAnswers(ctx, needs);
    const denied = needs.filter((_, i) => !answers[i]);
    const table = needs.map((need, i) => `${answers[i] ? 'yes' : 'no '}\t${describeNeed(need)}`).join('\n');
    const evidence: Evidence[] = [{ kind: 'output', label: 'kubectl auth can-i', command: `kubectl auth can-i --list -n ${ctx.names.namespace}`, text: table }];
    if (denied.length === 0) return outcome('pass', `The credentials allow everything the runbook’s checks and actions need (${needs.length} permissions).`, { evidence });
    const affected = [...new Set(denied.flatMap((d) => d.affects))];
    const checks = affected.filter((a) => /^[a-z]+\.[a-z0-9-]+$/.test(a));
    const actions = affected.filter((a) => !checks.includes(a));
    const parts = denied.map((d) => describeNeed(d));
    return outcome(
      'warn',
      `Not allowed: ${parts.join('; ')}. Limited checks: ${checks.join(', ') || 'none'}${actions.length ? `; limited actions: ${actions.join(', ')}` : ''}.`,
      {
        evidence,
        remediation: [
          {
            text: {
              es: 'Pedir al administrador del clúster el rol de soporte que corresponda (L1/L2) o usar un contexto con esos permisos.',
              en: 'Ask the cluster administrator for the matching support role (L1/L2) or use a context that has those permissions.',
            },
            command: `kubectl auth can-i --list -n ${ctx.names.namespace}`,
          },
        ],
      },
    );
  },
};

export const clusterChecks: Check[] = [recentEvents, helmRelease, access];
