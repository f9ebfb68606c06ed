// Small readings shared by the runbook checks: pod and container state, label selectors,
// Kubernetes quantities, log line matching and psql output.
import type { Evidence, ObjectRef } from '../../../shared/checks';
import { UnreachableError, type CheckContext, type KObject, type PodMetric, type SystemNames } from '../types';

/** Runbook headings, exactly as written in the guide (section › problem). */
export const RUNBOOK = {
  frontendBackend: '1. Problemas de Conectividad › Frontend no puede conectar al Backend',
  databaseUnreachable: '1. Problemas de Conectividad › Base de Datos Inaccesible',
  mlServiceSlow: '2. Problemas de Performance › Alto Tiempo de Respuesta en ML Service',
  databaseSlow: '2. Problemas de Performance › Base de Datos Lenta',
} as const;

// ---------------------------------------------------------------- quantities

const BINARY_SUFFIX: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity ("3950m", "7800Mi", "1.5", "2e3") as a plain number; NaN when unreadable. */
export function parseQuantity(value: string | number | undefined | null): number {
  if (value === undefined || value === null) return NaN;
  if (typeof value === 'number') return value;
  const m = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|K|M|G|T|P|E)?)\s*$/.exec(value);
  if (!m) return NaN;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return base * (BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix] ?? NaN);
}

/** CPU in millicores ("3950m" → 3950, "2" → 2000). */
export function parseCpuMillicores(value: string | number | undefined | null): number {
  return parseQuantity(value) * 1000;
}

/** Memory in bytes ("7800Mi" → 8178892800). */
export function parseMemoryBytes(value: string | number | undefined | null): number {
  return parseQuantity(value);
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

export function formatMillicores(m: number): string {
  return Number.isFinite(m) ? `${Math.round(m)}m` : '?';
}

export function percent(used: number, of: number): number {
  return of > 0 ? Math.round((used / of) * 1000) / 10 : NaN;
}

// ---------------------------------------------------------------- selectors and pods

/** Does a label set satisfy a Service-style selector (equality only)? An empty selector selects nothing here. */
export function selectsLabels(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** matchLabels plus matchExpressions of a LabelSelector. */
export function matchesLabelSelector(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    if (e.operator === 'In' && !(has && e.values?.includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values?.includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

export function podRef(pod: KObject): ObjectRef {
  return { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace };
}

export function objectRef(kind: string, o: KObject): ObjectRef {
  return { kind, name: o.metadata.name, namespace: o.metadata.namespace };
}

export function isPodReady(pod: KObject): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** Pods that are meant to be running (finished Job pods are left out). */
export function isPodActive(pod: KObject): boolean {
  return pod.status?.phase !== 'Succeeded' && !pod.metadata.deletionTimestamp;
}

/** Pods of a traffic-system component (app.kubernetes.io/component). */
export function componentPods(pods: KObject[], component: string): KObject[] {
  return pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === component);
}

/** The workload by name, or the one labelled with the component. */
export function findWorkload(objects: KObject[], name: string, component?: string): KObject | undefined {
  return (
    objects.find((o) => o.metadata.name === name) ??
    (component ? objects.find((o) => o.metadata.labels?.['app.kubernetes.io/component'] === component) : undefined)
  );
}

/** Pods a Deployment/StatefulSet selects. */
export function workloadPods(workload: KObject, pods: KObject[]): KObject[] {
  return pods.filter((p) => matchesLabelSelector(workload.spec?.selector, p.metadata.labels) && isPodActive(p));
}

export function containerStatuses(pod: KObject): any[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

export function restartCount(pod: KObject): number {
  return (pod.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);
}

export interface Termination {
  container: string;
  reason: string;
  exitCode?: number;
  finishedAt?: string;
}

/** The most recent termination of any container (current state if terminated, otherwise last state). */
export function lastTermination(pod: KObject): Termination | undefined {
  let best: Termination | undefined;
  for (const cs of pod.status?.containerStatuses ?? []) {
    const t = cs.state?.terminated ?? cs.lastState?.terminated;
    if (!t) continue;
    const candidate: Termination = { container: cs.name, reason: t.reason ?? `exit code ${t.exitCode}`, exitCode: t.exitCode, finishedAt: t.finishedAt };
    if (!best || (candidate.finishedAt ?? '') > (best.finishedAt ?? '')) best = candidate;
  }
  return best;
}

/** "waiting: CrashLoopBackOff (back-off 5m0s…)", "running since …", "terminated: OOMKilled (exit 137)". */
export function describeContainerState(cs: any): string {
  const s = cs?.state ?? {};
  if (s.waiting) return `waiting: ${s.waiting.reason ?? 'unknown'}${s.waiting.message ? ` (${truncate(s.waiting.message, 160)})` : ''}`;
  if (s.terminated) return `terminated: ${s.terminated.reason ?? 'unknown'} (exit ${s.terminated.exitCode ?? '?'})`;
  if (s.running) return `running since ${s.running.startedAt ?? '?'}${cs.ready === false ? ', not ready' : ''}`;
  return 'unknown';
}

export interface PodProblem {
  /** CrashLoopBackOff, ImagePullBackOff, Unschedulable, Pending, OOMKilled, Evicted, NotReady, … */
  reason: string;
  detail: string;
}

const IMAGE_PULL = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);

/** Why a pod is not serving, or undefined when it is Running and Ready. */
export function podProblem(pod: KObject): PodProblem | undefined {
  const status = pod.status ?? {};
  if (status.reason === 'Evicted') return { reason: 'Evicted', detail: truncate(status.message ?? 'evicted by the kubelet', 200) };
  if (status.phase === 'Failed') return { reason: status.reason ?? 'Failed', detail: truncate(status.message ?? 'pod failed', 200) };
  for (const cs of containerStatuses(pod)) {
    const waiting = cs.state?.waiting;
    if (waiting && (waiting.reason === 'CrashLoopBackOff' || IMAGE_PULL.has(waiting.reason) || /Error$/.test(waiting.reason ?? ''))) {
      const last = cs.lastState?.terminated;
      const lastText = last ? `; last termination ${last.reason ?? 'exit ' + last.exitCode}${last.exitCode !== undefined ? ` (exit ${last.exitCode})` : ''}` : '';
      return { reason: IMAGE_PULL.has(waiting.reason) ? 'ImagePullBackOff' : waiting.reason, detail: `container ${cs.name} ${describeContainerState(cs)}, ${cs.restartCount ?? 0} restarts${lastText}` };
    }
    if (cs.state?.terminated?.reason === 'OOMKilled') return { reason: 'OOMKilled', detail: `container ${cs.name} was OOMKilled (exit ${cs.state.terminated.exitCode ?? 137})` };
  }
  if (status.phase === 'Pending') {
    const scheduled = (status.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False') return { reason: scheduled.reason ?? 'Unschedulable', detail: truncate(scheduled.message ?? 'not scheduled', 240) };
    const waiting = containerStatuses(pod).find((cs) => cs.state?.waiting);
    return { reason: 'Pending', detail: waiting ? `container ${waiting.name} ${describeContainerState(waiting)}` : 'pod is Pending' };
  }
  if (status.phase !== 'Running') return { reason: status.phase ?? 'Unknown', detail: `pod phase ${status.phase ?? 'unknown'}` };
  if (!isPodReady(pod)) {
    const notReady = (status.containerStatuses ?? []).filter((cs: any) => !cs.ready);
    const oom = notReady.find((cs: any) => cs.lastState?.terminated?.reason === 'OOMKilled');
    if (oom) return { reason: 'OOMKilled', detail: `container ${oom.name} ${describeContainerState(oom)}, last termination OOMKilled` };
    return {
      reason: 'NotReady',
      detail: notReady.length ? notReady.map((cs: any) => `container ${cs.name} ${describeContainerState(cs)}`).join('; ') : 'Ready condition is not True',
    };
  }
  return undefined;
}

/** Age in milliseconds of an RFC3339 timestamp, relative to now. */
export function ageMs(timestamp: string | undefined, now: Date): number {
  if (!timestamp) return Infinity;
  const t = Date.parse(timestamp);
  return Number.isFinite(t) ? now.getTime() - t : Infinity;
}

// ---------------------------------------------------------------- logs

export interface LogPattern {
  id: string;
  label: string;
  /** A regular expression, or a predicate for lines a regex cannot judge alone. */
  match: RegExp | ((line: string) => boolean);
}

export interface LogMatch {
  id: string;
  label: string;
  count: number;
  examples: string[];
}

/** Counts the lines matching each pattern (a line counts for the first pattern it matches). */
export function matchLogLines(text: string, patterns: LogPattern[], maxExamples = 5): LogMatch[] {
  const out = patterns.map((p) => ({ id: p.id, label: p.label, count: 0, examples: [] as string[] }));
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const i = patterns.findIndex((p) => (typeof p.match === 'function' ? p.match(line) : p.match.test(line)));
    if (i === -1) continue;
    out[i].count++;
    if (out[i].examples.length < maxExamples) out[i].examples.push(truncate(line, 400));
  }
  return out.filter((m) => m.count > 0);
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function logEvidence(label: string, pod: KObject | ObjectRef, lines: string[], container?: string): Evidence {
  const ref = 'metadata' in pod ? podRef(pod as KObject) : (pod as ObjectRef);
  return { kind: 'log', label, ref, ...(container ? { container } : {}), lines };
}

// ---------------------------------------------------------------- psql

/**
 * Rows of psql's default aligned output (header, `---+---` rule, rows, "(N rows)"),
 * or of unaligned output (`-A`, `|` separated, header first unless `-t`).
 */
export function parsePsqlTable(text: string): Array<Record<string, string>> {
  const lines = text.replace(/\r/g, '').split('\n');
  const ruleIndex = lines.findIndex((l) => /^\s*-+(\+-+)*\s*$/.test(l) && l.includes('-'));
  if (ruleIndex > 0) {
    const header = lines[ruleIndex - 1].split('|').map((h) => h.trim());
    const rows: Array<Record<string, string>> = [];
    for (const line of lines.slice(ruleIndex + 1)) {
      if (!line.trim() || /^\(\d+ rows?\)$/.test(line.trim())) continue;
      const cells = line.split('|').map((c) => c.trim());
      rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
    }
    return rows;
  }
  const content = lines.filter((l) => l.trim() && !/^\(\d+ rows?\)$/.test(l.trim()));
  if (content.length < 2 || !content[0].includes('|')) return [];
  const header = content[0].split('|').map((h) => h.trim());
  return content.slice(1).map((line) => {
    const cells = line.split('|').map((c) => c.trim());
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** The single value of a one-row, one-column psql answer (aligned or `-tA`). */
export function psqlScalar(text: string): string | undefined {
  const rows = parsePsqlTable(text);
  if (rows.length > 0) return Object.values(rows[0])[0];
  const plain = text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^\(\d+ rows?\)$/.test(l));
  return plain.length === 1 ? plain[0] : undefined;
}

/** A memory setting as PostgreSQL prints it ("256MB", "4096kB", "1GB") in bytes. */
export function parsePgMemory(value: string, unit?: string): number {
  const v = value.trim();
  const m = /^(\d+(?:\.\d+)?)\s*(B|kB|MB|GB|TB)?$/.exec(v);
  if (!m) return NaN;
  const n = Number(m[1]);
  const factor: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
  if (m[2]) return n * factor[m[2]];
  // pg_settings gives a bare number with a unit column ("32768" "8kB").
  const u = unit ? /^(\d+)?\s*(B|kB|MB|GB|TB)$/.exec(unit.trim()) : null;
  if (u) return n * Number(u[1] ?? 1) * factor[u[2]];
  return n;
}

/** The postgres pod of the release (statefulset pod 0, or any pod labelled postgresql). */
export function postgresPodName(names: SystemNames): string {
  return `${names.postgresStatefulSet}-0`;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Pod metrics for a usage check, or why there are none: a missing metrics API is a note in
 * the verdict, not a failure of the check; an unreachable cluster or a cancelled run is.
 */
export async function podMetricsOrNote(ctx: CheckContext): Promise<{ metrics: PodMetric[]; note?: string }> {
  try {
    return { metrics: await ctx.podMetrics() };
  } catch (err) {
    if (err instanceof UnreachableError || ctx.signal.aborted) throw err;
    return { metrics: [], note: `no usage metrics: ${errorText(err)}` };
  }
}
