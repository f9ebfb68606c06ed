// The diagnostics engine: picks the checks of a run, runs them with a concurrency limit and a
// per-check timeout over one shared read cache, turns what they return (or throw) into findings,
// and scores the result.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { CheckProgress, DiagnoseResult, Finding, Section } from '../../shared/checks';
import { ALL_CHECKS } from './registry';
import { canRunProbePods, type ProbePodSpec } from './probe-pod';
import { computeHealthScore, summarizeFindings } from './score';
import {
  CLUSTER_SCOPED_RESOURCES,
  ForbiddenError,
  UnreachableError,
  type Check,
  type CheckContext,
  type CheckOutcome,
  type ExecResult,
  type HttpResult,
  type KObject,
  type ListRead,
  type LogOptions,
  type NodeMetric,
  type PodMetric,
  type ResourceName,
  type SystemNames,
} from './types';

export interface RunChecksOptions {
  /** The cluster to read: a context, or a factory given the run's abort signal. */
  context: CheckContext | ((signal: AbortSignal) => CheckContext);
  contextName: string;
  namespace: string;
  /** Check ids to run (opt-in checks included when named). */
  checks?: string[];
  /** Sections to run when no ids are given (default: all). */
  sections?: Section[];
  params?: Record<string, string>;
  /** Checks running at once (default 10, the burst client-go allows kubectl). */
  concurrency?: number;
  /** Time each check may take (default 15000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: CheckProgress) => void;
  /** Run opt-in checks too when selecting by section. */
  includeOptIn?: boolean;
  /** The checks to choose from (default: the runbook's). */
  registry?: readonly Check[];
  runId?: string;
}

export class UnknownCheckError extends Error {
  override name = 'UnknownCheckError';
  constructor(
    readonly ids: string[],
    readonly available: string[],
  ) {
    super(`unknown check id${ids.length > 1 ? 's' : ''}: ${ids.join(', ')}`);
  }
}

export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;

/** A context that counts the API requests it made (ClusterContext does). */
interface CountsRequests {
  readonly requestCount: number;
}

function countsRequests(ctx: object): ctx is CountsRequests {
  return typeof (ctx as Partial<CountsRequests>).requestCount === 'number';
}

/** A context that can find a Service's pods through the run's cache before port-forwarding (ClusterContext can). */
interface ForwardsThroughReads {
  httpGetThrough(reads: Pick<CheckContext, 'get' | 'list'>, ...args: Parameters<CheckContext['httpGet']>): Promise<HttpResult>;
}

function forwardsThroughReads(ctx: object): ctx is ForwardsThroughReads {
  return typeof (ctx as Partial<ForwardsThroughReads>).httpGetThrough === 'function';
}

/** Lines a log read asks for at least: checks asking fewer share the read (the last N of it). */
export const SHARED_LOG_TAIL_LINES = 1000;
const TIMESTAMP_PREFIX = /^\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d) /;

/** The last `tailLines` lines of a log read with timestamps, with or without them. */
export function logView(text: string, tailLines: number | undefined, timestamps: boolean): string {
  let lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (tailLines !== undefined && lines.length > tailLines) lines = lines.slice(lines.length - tailLines);
  if (!timestamps) lines = lines.map((l) => l.replace(TIMESTAMP_PREFIX, ''));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Which checks a run executes, in registry order. */
export function planChecks(registry: readonly Check[], opts: Pick<RunChecksOptions, 'checks' | 'sections' | 'includeOptIn'>): Check[] {
  if (opts.checks && opts.checks.length > 0) {
    const unknown = opts.checks.filter((id) => !registry.some((c) => c.id === id));
    if (unknown.length) throw new UnknownCheckError(unknown, registry.map((c) => c.id));
    return registry.filter((c) => opts.checks!.includes(c.id));
  }
  return registry.filter((c) => (!opts.sections || opts.sections.includes(c.section)) && (!c.optIn || opts.includeOptIn));
}

class TimeoutReason extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/** Settles with the promise, or rejects as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The read was already started: its failure, too, is nobody's business now.
    promise.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * The run's read cache: each list (resource, namespace) and each log read is requested once,
 * concurrent callers share the same in-flight promise. Everything else passes through.
 */
export class RunReadCache {
  private readonly lists = new Map<string, Promise<KObject[]>>();
  private readonly gets = new Map<string, Promise<KObject | undefined>>();
  private readonly logReads = new Map<string, Promise<string>>();
  private readonly logViews = new Map<string, Promise<string>>();
  private podMetricReads = new Map<string, Promise<PodMetric[]>>();
  private nodeMetricRead?: Promise<NodeMetric[]>;

  constructor(
    readonly inner: CheckContext,
    readonly names: SystemNames,
  ) {}

  private nsKey(namespace: string | null | undefined, resource?: ResourceName): string {
    const ns = this.nsArg(namespace, resource);
    return ns === null ? '*' : ns;
  }

  private nsArg(namespace: string | null | undefined, resource?: ResourceName): string | null {
    if (resource && CLUSTER_SCOPED_RESOURCES.has(resource)) return null;
    return namespace === undefined ? this.names.namespace : namespace;
  }

  /**
   * A list, read once per run. A namespace's list is taken from the list across all
   * namespaces when the run reads that one (cluster.recent-events reads both), and read
   * on its own if that one is refused.
   */
  list(resource: ResourceName, namespace?: string | null): Promise<KObject[]> {
    const ns = this.nsArg(namespace, resource);
    const key = `${resource} ${this.nsKey(namespace, resource)}`;
    let p = this.lists.get(key);
    if (!p) {
      const everywhere = ns === null ? undefined : this.lists.get(`${resource} *`);
      p = everywhere
        ? everywhere.then(
            (items) => items.filter((o) => o.metadata.namespace === ns),
            () => this.inner.list(resource, ns),
          )
        : this.inner.list(resource, ns);
      this.lists.set(key, p);
    }
    return p;
  }

  private closed = false;

  /** The run is over: reads still queued by prefetch are not sent. */
  close(): void {
    this.closed = true;
  }

  /** Starts reading the lists the run's checks declare, at most `limit` at a time. */
  prefetch(reads: readonly ListRead[], limit: number): void {
    // Lists across all namespaces first: a namespace's list of the same kind is taken from them.
    const queue = reads
      .map((r) => (typeof r === 'string' ? ([r, undefined] as const) : r))
      .sort((a, b) => Number(this.nsArg(b[1], b[0]) === null) - Number(this.nsArg(a[1], a[0]) === null));
    const derived = new Set(queue.filter(([r, ns]) => this.nsArg(ns, r) === null).map(([r]) => r));
    const started = new Set<string>();
    const pending: Array<() => void> = [];
    let active = 0;
    for (const [resource, namespace] of queue) {
      const key = `${resource} ${this.nsKey(namespace, resource)}`;
      if (started.has(key) || this.lists.has(key)) continue;
      started.add(key);
      if (this.nsArg(namespace, resource) !== null && derived.has(resource)) {
        this.list(resource, namespace).catch(() => undefined);
        continue;
      }
      const read = new Promise<void>((resolve) => (active < limit ? (active++, resolve()) : pending.push(resolve))).then(() =>
        (this.closed ? Promise.reject(new Error('the run is over')) : this.inner.list(resource, this.nsArg(namespace, resource))).finally(() => {
          active--;
          const next = pending.shift();
          if (next) {
            active++;
            next();
          }
        }),
      );
      // A failed read is judged by the checks that use it; nobody else must see it as unhandled.
      read.catch(() => undefined);
      this.lists.set(key, read);
    }
  }

  async get(resource: ResourceName, name: string, namespace?: string | null): Promise<KObject | undefined> {
    const listed = this.lists.get(`${resource} ${this.nsKey(namespace, resource)}`);
    if (listed) {
      try {
        return (await listed).find((o) => o.metadata.name === name);
      } catch (err) {
        // Credentials that may get the object but not list its kind: ask for it alone.
        if (err instanceof UnreachableError) throw err;
      }
    }
    const key = `${resource} ${this.nsKey(namespace)} ${name}`;
    let p = this.gets.get(key);
    if (!p) {
      p = this.inner.get(resource, name, this.nsArg(namespace));
      this.gets.set(key, p);
    }
    return p;
  }

  /**
   * One read per container log: every read asks for timestamps and at least
   * SHARED_LOG_TAIL_LINES lines, and each caller gets the tail and form it asked for.
   */
  async logs(pod: string, opts: LogOptions & { namespace?: string } = {}): Promise<string> {
    const namespace = opts.namespace ?? this.names.namespace;
    const tail = opts.tailLines === undefined ? undefined : Math.max(opts.tailLines, SHARED_LOG_TAIL_LINES);
    const key = JSON.stringify([pod, namespace, opts.container ?? '', opts.previous ?? false, tail ?? null, opts.sinceSeconds ?? null]);
    let p = this.logReads.get(key);
    if (!p) {
      p = this.inner.logs(pod, {
        namespace,
        ...(opts.container ? { container: opts.container } : {}),
        ...(opts.previous ? { previous: true } : {}),
        ...(tail !== undefined ? { tailLines: tail } : {}),
        ...(opts.sinceSeconds !== undefined ? { sinceSeconds: opts.sinceSeconds } : {}),
        timestamps: true,
      });
      this.logReads.set(key, p);
    }
    // Checks reading the same log the same way share the cut, too.
    const viewKey = `${key} ${opts.tailLines ?? ''} ${opts.timestamps ? 't' : ''}`;
    let view = this.logViews.get(viewKey);
    if (!view) {
      view = p.then((text) => logView(text, opts.tailLines, opts.timestamps ?? false));
      this.logViews.set(viewKey, view);
    }
    return view;
  }

  podMetrics(namespace?: string | null): Promise<PodMetric[]> {
    const key = this.nsKey(namespace);
    let p = this.podMetricReads.get(key);
    if (!p) {
      p = this.inner.podMetrics(this.nsArg(namespace));
      this.podMetricReads.set(key, p);
    }
    return p;
  }

  nodeMetrics(): Promise<NodeMetric[]> {
    this.nodeMetricRead ??= this.inner.nodeMetrics();
    return this.nodeMetricRead;
  }

  /** The context one check sees: the shared cache, its own abort signal. */
  forCheck(signal: AbortSignal, params: Record<string, string>): CheckContext {
    const inner = this.inner;
    // Probe pods (network.dns-probe) are an optional capability of the context.
    const probe = canRunProbePods(inner)
      ? { runProbePod: (spec: ProbePodSpec) => untilAborted(inner.runProbePod({ ...spec, signal }), signal) }
      : {};
    return {
      ...probe,
      names: this.names,
      params,
      signal,
      now: () => inner.now(),
      list: (resource, namespace) => untilAborted(this.list(resource, namespace), signal),
      get: (resource, name, namespace) => untilAborted(this.get(resource, name, namespace), signal),
      logs: (pod, opts) => untilAborted(this.logs(pod, opts), signal),
      exec: (pod, container, argv, opts): Promise<ExecResult> => untilAborted(inner.exec(pod, container, argv, opts), signal),
      httpGet: (service, port, path, opts): Promise<HttpResult> =>
        untilAborted(forwardsThroughReads(inner) ? inner.httpGetThrough(this, service, port, path, opts) : inner.httpGet(service, port, path, opts), signal),
      podMetrics: (namespace) => untilAborted(this.podMetrics(namespace), signal),
      nodeMetrics: () => untilAborted(this.nodeMetrics(), signal),
      nodeStatsSummary: (node) => untilAborted(inner.nodeStatsSummary(node), signal),
      can: (verb, resource, opts) => untilAborted(inner.can(verb, resource, opts), signal),
      ...(inner.rulesReview ? { rulesReview: (namespace: string) => untilAborted(inner.rulesReview!(namespace), signal) } : {}),
    };
  }
}

function baseFinding(check: Check, names: SystemNames): Omit<Finding, 'status' | 'message'> {
  let kubectl: string[] = [];
  try {
    kubectl = check.kubectl(names);
  } catch {
    kubectl = [];
  }
  return { check: check.id, section: check.section, evidence: [], kubectl, remediation: [], actions: [], runbook: check.runbook };
}

function findingFromOutcome(check: Check, names: SystemNames, outcome: CheckOutcome, durationMs: number): Finding {
  const remediation = outcome.remediation ?? [];
  const actions = outcome.actions ?? [...new Set(remediation.map((r) => r.action).filter((a): a is string => Boolean(a)))];
  return {
    ...baseFinding(check, names),
    status: outcome.status,
    message: outcome.message,
    evidence: outcome.evidence ?? [],
    remediation,
    actions,
    durationMs,
  };
}

/** Runs the chosen checks and returns their findings, summary and score. */
export async function runChecks(opts: RunChecksOptions): Promise<DiagnoseResult> {
  const registry = opts.registry ?? ALL_CHECKS;
  const plan = planChecks(registry, opts);
  const runId = opts.runId ?? randomUUID();
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const started = Date.now();
  const startedAt = new Date(started).toISOString();

  // Aborted by the caller's signal or when the cluster turns out to be unreachable.
  const run = new AbortController();
  // Every check and request in flight listens to the run's signal; many at once is normal.
  setMaxListeners(0, run.signal);
  const onCallerAbort = () => run.abort(abortReason(opts.signal!));
  if (opts.signal?.aborted) run.abort(abortReason(opts.signal));
  else opts.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const context = typeof opts.context === 'function' ? opts.context(run.signal) : opts.context;
  const names: SystemNames = { ...context.names, namespace: opts.namespace };
  const params = { ...context.params, ...opts.params };
  const cache = new RunReadCache(context, names);
  cache.prefetch(
    plan.flatMap((check) => {
      try {
        return check.reads?.(names) ?? [];
      } catch {
        return [];
      }
    }),
    concurrency,
  );

  const findings: Array<{ index: number; finding: Finding; severity: Check['severity'] }> = [];
  let unreachable: string | undefined;
  let done = 0;
  const total = plan.length;
  const progress = (p: Omit<CheckProgress, 'runId' | 'total' | 'done'>) => {
    try {
      opts.onProgress?.({ runId, done, total, ...p });
    } catch {
      // a listener's failure is not the run's
    }
  };
  progress({});

  const record = (index: number, check: Check, finding: Finding) => {
    findings.push({ index, finding, severity: check.severity });
    done++;
    progress({ check: check.id, status: finding.status });
  };

  const runOne = async (index: number, check: Check): Promise<void> => {
    const t0 = Date.now();
    const missing = (check.params ?? []).filter((p) => !params[p]);
    if (missing.length) {
      record(index, check, {
        ...baseFinding(check, names),
        status: 'skipped',
        message: `skipped: needs the parameter ${missing.join(', ')} (e.g. --param ${missing[0]}=…)`,
        durationMs: 0,
      });
      return;
    }
    const own = new AbortController();
    // A check may wait on many reads at once (cluster.access asks all its needs together).
    setMaxListeners(0, own.signal);
    const timer = setTimeout(() => own.abort(new TimeoutReason(timeoutMs)), timeoutMs);
    const onRunAbort = () => own.abort(abortReason(run.signal));
    run.signal.addEventListener('abort', onRunAbort, { once: true });
    let finding: Finding | undefined;
    try {
      const outcome = await untilAborted(check.run(cache.forCheck(own.signal, params)), own.signal);
      finding = findingFromOutcome(check, names, outcome, Date.now() - t0);
    } catch (err) {
      const durationMs = Date.now() - t0;
      const reason = own.signal.aborted ? own.signal.reason : undefined;
      if (reason instanceof TimeoutReason) {
        finding = { ...baseFinding(check, names), status: 'error', message: reason.message, durationMs };
      } else if (run.signal.aborted) {
        finding = undefined; // cancelled or unreachable: the check did not finish
      } else if (err instanceof UnreachableError) {
        unreachable ??= err.message;
        run.abort(err);
      } else if (err instanceof ForbiddenError) {
        finding = { ...baseFinding(check, names), status: 'skipped', message: `skipped: ${err.message}`, durationMs };
      } else {
        finding = { ...baseFinding(check, names), status: 'error', message: err instanceof Error ? err.message : String(err), durationMs };
      }
    } finally {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', onRunAbort);
    }
    if (finding) record(index, check, finding);
  };

  // Checks that declare no lists start first: the others find their lists already being read.
  const order = plan.map((_, index) => index).sort((a, b) => Number(Boolean(plan[a].reads)) - Number(Boolean(plan[b].reads)));
  let next = 0;
  const worker = async () => {
    while (next < order.length && !run.signal.aborted) {
      const index = order[next++];
      await runOne(index, plan[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, worker));
  cache.close();
  opts.signal?.removeEventListener('abort', onCallerAbort);

  findings.sort((a, b) => a.index - b.index);
  const list = findings.map((f) => f.finding);
  const result: DiagnoseResult = {
    context: opts.contextName,
    namespace: opts.namespace,
    startedAt,
    durationMs: Date.now() - started,
    requests: countsRequests(context) ? context.requestCount : 0,
    summary: summarizeFindings(list),
    score: computeHealthScore(findings.map((f) => ({ section: f.finding.section, status: f.finding.status, severity: f.severity }))),
    findings: list,
  };
  if (unreachable !== undefined) result.unreachable = unreachable;
  if (opts.signal?.aborted && unreachable === undefined) result.cancelled = true;
  return result;
}
