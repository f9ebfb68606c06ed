// Small readers shared by the storage, auth, network, monitoring and cluster sections:
// label selectors, pod readiness, quantities, log scanning and outcome building.
import type { Evidence, ObjectRef, Remediation } from '../../../shared/checks';
import { ForbiddenError, type CheckContext, type CheckOutcome, type KObject } from '../types';
import { ordinal } from '../../../shared/ordinal';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Kubernetes label-selector semantics: an empty selector matches everything. */
export function matchesLabelSelector(selector: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (have[k] !== v) return false;
  for (const expr of selector.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(have, expr.key);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (!present || !values.includes(have[expr.key])) return false;
        break;
      case 'NotIn':
        if (present && values.includes(have[expr.key])) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        // An operator the API would have rejected: match nothing rather than guess.
        return false;
    }
  }
  return true;
}

export function hasLabels(obj: KObject, labels: Record<string, string>): boolean {
  return matchesLabelSelector({ matchLabels: labels }, obj.metadata.labels);
}

export function isPodReady(pod: KObject): boolean {
  if (pod.status?.phase !== 'Running') return false;
  const ready = (pod.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  return ready?.status === 'True';
}

export function isPodRunning(pod: KObject): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp;
}

/** Why a pod is not ready, in kubectl's words (CrashLoopBackOff, Pending, ...). */
export function podStateReason(pod: KObject): string {
  for (const cs of pod.status?.containerStatuses ?? []) {
    const waiting = cs.state?.waiting?.reason;
    if (waiting) return waiting;
    const terminated = cs.state?.terminated?.reason;
    if (terminated) return terminated;
  }
  if (pod.status?.reason) return pod.status.reason;
  return pod.status?.phase ?? 'Unknown';
}

export function podRef(pod: KObject): ObjectRef {
  return { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace };
}

export function objectRef(kind: string, obj: KObject): ObjectRef {
  return { kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
}

/** Pods of one traffic-system component (app.kubernetes.io/component), running ones first. */
export async function componentPods(ctx: CheckContext, component: string): Promise<KObject[]> {
  const pods = (await ctx.list('pods')).filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === component);
  return sortRunningFirst(pods);
}

export function sortRunningFirst(pods: KObject[]): KObject[] {
  const rank = (p: KObject) => (isPodReady(p) ? 0 : isPodRunning(p) ? 1 : 2);
  return [...pods].sort((a, b) => rank(a) - rank(b) || ordinal(a.metadata.name, b.metadata.name));
}

/** The container that runs the component: the one named after it, else the first. */
export function mainContainer(pod: KObject, preferred: string): string {
  const containers: Array<{ name: string }> = pod.spec?.containers ?? [];
  return (containers.find((c) => c.name === preferred) ?? containers[0])?.name ?? preferred;
}

const BINARY_SUFFIX: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIX: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

/** A Kubernetes quantity ("100Gi", "500M", "1.5e9") in base units; undefined when unreadable. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = value.trim().match(/^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/);
  if (!m) return undefined;
  const suffix = m[2] ?? '';
  const factor = BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix];
  return Number(m[1]) * factor;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const MAX_EVIDENCE_LINE = 300;

/** Log lines for evidence: at most `max`, each cut to a readable length. */
export function excerpt(lines: string[], max = 5): string[] {
  return lines.slice(-max).map((l) => (l.length > MAX_EVIDENCE_LINE ? `${l.slice(0, MAX_EVIDENCE_LINE)}…` : l));
}

const LINE_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))\s/;

/** The time at the start of a line as kubectl logs --timestamps prints it. */
export function lineTime(line: string): number | undefined {
  const m = LINE_TIMESTAMP.exec(line);
  if (!m) return undefined;
  const t = Date.parse(m[1]);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The largest number of lines within any window of `windowMs`, from the lines' timestamps.
 * Lines without a timestamp count as one burst together (the whole excerpt read).
 */
export function peakPerWindow(lines: string[], windowMs = 60_000): number {
  const times = lines.map(lineTime);
  if (times.some((t) => t === undefined)) return lines.length;
  const sorted = (times as number[]).sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/** Runs `fn` over items with at most `limit` at a time, keeping order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

export const LOG_TAIL_LINES = 500;

export interface ContainerLog {
  pod: KObject;
  container: string;
  previous: boolean;
  lines: string[];
}

/**
 * Recent logs (tailLines bounded) of the given pods' containers, and of the previous
 * instance of containers that restarted, since crash loops leave their cause there.
 */
export async function readRecentLogs(
  ctx: CheckContext,
  pods: KObject[],
  opts: { namespace?: string; tailLines?: number; timestamps?: boolean; includePrevious?: boolean } = {},
): Promise<ContainerLog[]> {
  const targets: Array<{ pod: KObject; container: string; previous: boolean }> = [];
  for (const pod of pods) {
    const statuses: any[] = pod.status?.containerStatuses ?? [];
    for (const c of pod.spec?.containers ?? []) {
      targets.push({ pod, container: c.name, previous: false });
      const status = statuses.find((s) => s.name === c.name);
      if (opts.includePrevious && (status?.restartCount ?? 0) > 0) targets.push({ pod, container: c.name, previous: true });
    }
  }
  const logs = await mapLimit(targets, 8, async (t) => {
    try {
      const text = await ctx.logs(t.pod.metadata.name, {
        container: t.container,
        tailLines: opts.tailLines ?? LOG_TAIL_LINES,
        namespace: opts.namespace ?? t.pod.metadata.namespace,
        ...(opts.timestamps ? { timestamps: true } : {}),
        ...(t.previous ? { previous: true } : {}),
      });
      return { ...t, lines: text.split('\n').filter((l) => l.trim() !== '') };
    } catch (err) {
      if (err instanceof ForbiddenError) throw err;
      // A previous instance the kubelet no longer keeps is not a finding.
      if (t.previous) return { ...t, lines: [] };
      throw err;
    }
  });
  return logs;
}

export function logEvidence(label: string, log: ContainerLog, lines: string[], max = 5): Evidence {
  return {
    kind: 'log',
    label: log.previous ? `${label} (previous container)` : label,
    ref: podRef(log.pod),
    container: log.container,
    lines: excerpt(lines, max),
  };
}

/** The worst of several statuses (fail > warn > pass). */
export function worst(statuses: Array<'pass' | 'warn' | 'fail'>): 'pass' | 'warn' | 'fail' {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('warn')) return 'warn';
  return 'pass';
}

export function outcome(
  status: CheckOutcome['status'],
  message: string,
  extra: { evidence?: Evidence[]; remediation?: Remediation[] } = {},
): CheckOutcome {
  const remediation = extra.remediation ?? [];
  const actions = [...new Set(remediation.map((r) => r.action).filter((a): a is string => !!a))];
  return { status, message, evidence: extra.evidence ?? [], remediation, actions };
}

/** The time of an object's last write: the newest managedFields entry, else its creation. */
export function lastChangeTime(obj: KObject): { time: number; source: 'managedFields' | 'creationTimestamp' } | undefined {
  const managed: any[] = Array.isArray(obj.metadata.managedFields) ? (obj.metadata.managedFields as any[]) : [];
  const times = managed.map((m) => Date.parse(m?.time ?? '')).filter((t) => !Number.isNaN(t));
  if (times.length) return { time: Math.max(...times), source: 'managedFields' };
  const created = Date.parse(obj.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? undefined : { time: created, source: 'creationTimestamp' };
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** The Services a ServiceMonitor selects, with the endpoint ports it scrapes. */
export function serviceMonitorTargets(monitor: KObject, services: KObject[]): Array<{ service: KObject; port: number | string }> {
  const ns = monitor.metadata.namespace;
  const nsSel = monitor.spec?.namespaceSelector ?? {};
  const inScope = (svc: KObject) => (nsSel.any === true ? true : Array.isArray(nsSel.matchNames) && nsSel.matchNames.length ? nsSel.matchNames.includes(svc.metadata.namespace) : svc.metadata.namespace === ns);
  const selected = services.filter((s) => inScope(s) && matchesLabelSelector(monitor.spec?.selector ?? {}, s.metadata.labels));
  const out: Array<{ service: KObject; port: number | string }> = [];
  for (const service of selected) {
    for (const ep of monitor.spec?.endpoints ?? [{}]) {
      const port = ep.port ?? ep.targetPort ?? service.spec?.ports?.[0]?.port;
      if (port !== undefined) out.push({ service, port });
    }
  }
  return out;
}
