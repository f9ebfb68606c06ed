// The runbook's log aggregation (`kubectl logs -l <selector> --tail=1000`), done per
// container and merged by timestamp, optionally followed. A session holds at most
// LOG_LINE_CAP lines (the oldest go first) and follows at most LOG_STREAM_CAP containers.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { IncomingMessage } from 'node:http';
import {
  DEFAULT_LOG_TAIL,
  LOG_LINE_CAP,
  LOG_READ_PAGE,
  LOG_STREAM_CAP,
  type LogLine,
  type LogsReadResult,
  type LogsStartResult,
  type LogStreamInfo,
  type SectionProblem,
} from '../../shared/contract-observe';
import { ForbiddenError, UnreachableError, type KObject } from '../checks/types';
import { openContainerLog, readContainerLog } from '../kube/pod-log';
import { compareKeys, LineSplitter, mergeByTime, parseLogLine, parseLogText, type TimedLine } from './log-merge';
import { describeProblem } from './overview';
import { ordinal } from '../../shared/ordinal';

const READ_CONCURRENCY = 6;
/** Follow batches are merged and published at this pace. */
const FLUSH_MS = 200;

export interface LogSessionOptions {
  kubeConfig: KubeConfig;
  context: string;
  namespace: string;
  selector: string;
  tailLines?: number;
  sinceSeconds?: number;
  follow?: boolean;
  lineCap?: number;
  /** Called with each merged batch that following adds (the CLI prints them). */
  onLines?: (lines: LogLine[]) => void;
  /** Called once when following stopped on its own (every stream ended). */
  onFollowEnded?: () => void;
  requestTimeoutMs?: number;
}

interface StreamState extends LogStreamInfo {
  /** Key of the last line seen, for dropping what a follow request repeats. */
  last?: { ms: number; ns: number; texts: Set<string> };
  pending: TimedLine[];
  splitter: LineSplitter;
  response?: IncomingMessage;
}

/** `kubectl logs` for the same selection. */
export function logsKubectl(opts: { namespace: string; selector: string; tailLines?: number; sinceSeconds?: number; follow?: boolean }): string {
  const since = opts.sinceSeconds ? ` --since=${opts.sinceSeconds}s` : '';
  return (
    `kubectl logs -l ${opts.selector} -n ${opts.namespace} --tail=${opts.tailLines ?? DEFAULT_LOG_TAIL}${since}` +
    ` --timestamps --prefix --all-containers --max-log-requests=${LOG_STREAM_CAP}${opts.follow ? ' -f' : ''}`
  );
}

function translateListError(err: unknown, namespace: string, server: string): Error {
  const code = (err as { code?: unknown })?.code;
  if (code === 403) return new ForbiddenError('list', 'pods', namespace);
  if (code === 401) return new UnreachableError('the cluster refused the credentials (401 Unauthorized)');
  const cause = (err as { cause?: { code?: unknown } })?.cause?.code ?? (typeof code === 'string' ? code : undefined);
  if (typeof cause === 'string') return new UnreachableError(`cannot reach the API server ${server}: ${cause}`);
  if (typeof code === 'number') {
    const body = (err as { body?: unknown }).body;
    let message = typeof body === 'string' ? body : '';
    try {
      message = JSON.parse(message).message ?? message;
    } catch {
      // not JSON
    }
    return new Error(`list pods: HTTP ${code} ${message}`.trim());
  }
  return err instanceof Error ? err : new Error(String(err));
}

async function listSelectedPods(kc: KubeConfig, namespace: string, selector: string, timeoutMs: number): Promise<KObject[]> {
  const api = kc.makeApiClient(CoreV1Api);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const list = await Promise.race([
      api.listNamespacedPod({ namespace, labelSelector: selector }),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new UnreachableError(`the API server did not answer within ${timeoutMs} ms`)))),
    ]);
    return list.items as unknown as KObject[];
  } catch (err) {
    if (err instanceof UnreachableError) throw err;
    throw translateListError(err, namespace, kc.getCurrentCluster()?.server ?? '');
  }
}

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]);
      }
    }),
  );
  return out;
}

function describeStreamError(err: unknown): string {
  if (err instanceof ForbiddenError) return err.message;
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

export class LogSession {
  readonly streams: StreamState[] = [];
  private lines: LogLine[] = [];
  private nextSeq = 1;
  private droppedLines = 0;
  private following = false;
  private readonly controller = new AbortController();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly cap: number;
  private started: Promise<void> = Promise.resolve();
  private openResponses = 0;
  private closedWaiters: Array<() => void> = [];
  /** Last time the UI read it (the registry stops following that nobody reads). */
  lastReadAt = Date.now();
  readonly createdAt = Date.now();
  pods = 0;
  skippedStreams = 0;
  problem?: SectionProblem;

  private constructor(readonly opts: LogSessionOptions) {
    this.cap = opts.lineCap ?? LOG_LINE_CAP;
  }

  /** Lists the pods, reads each container's tail, merges them, and starts following if asked. */
  static async open(opts: LogSessionOptions): Promise<LogSession> {
    const session = new LogSession(opts);
    await session.readInitial();
    return session;
  }

  get isFollowing(): boolean {
    return this.following;
  }

  get dropped(): number {
    return this.droppedLines;
  }

  get allLines(): readonly LogLine[] {
    return this.lines;
  }

  get kubectl(): string {
    const { namespace, selector, tailLines, sinceSeconds, follow } = this.opts;
    return logsKubectl({ namespace, selector, ...(tailLines ? { tailLines } : {}), ...(sinceSeconds ? { sinceSeconds } : {}), ...(follow ? { follow } : {}) });
  }

  private async readInitial(): Promise<void> {
    const { kubeConfig: kc, namespace, selector } = this.opts;
    const timeout = this.opts.requestTimeoutMs ?? 10_000;
    let pods: KObject[];
    try {
      pods = await listSelectedPods(kc, namespace, selector, timeout);
    } catch (err) {
      this.problem = describeProblem(err, { verb: 'list', resource: 'pods', namespace });
      return;
    }
    pods.sort((a, b) => ordinal(a.metadata.name, b.metadata.name));
    this.pods = pods.length;
    const wanted: Array<{ pod: string; container: string }> = [];
    for (const pod of pods) for (const c of pod.spec?.containers ?? []) wanted.push({ pod: pod.metadata.name, container: c.name });
    this.skippedStreams = Math.max(0, wanted.length - LOG_STREAM_CAP);
    wanted.slice(0, LOG_STREAM_CAP).forEach((w, index) =>
      this.streams.push({ index, pod: w.pod, container: w.container, lines: 0, following: false, pending: [], splitter: new LineSplitter() }),
    );

    const texts = await mapLimit(this.streams, READ_CONCURRENCY, async (s) => {
      try {
        return await readContainerLog(kc, {
          namespace,
          pod: s.pod,
          container: s.container,
          tailLines: this.opts.tailLines ?? DEFAULT_LOG_TAIL,
          ...(this.opts.sinceSeconds ? { sinceSeconds: this.opts.sinceSeconds } : {}),
          signal: this.controller.signal,
          headersTimeoutMs: timeout,
        });
      } catch (err) {
        s.error = describeStreamError(err);
        return '';
      }
    });
    const inputs = this.streams.map((s, i) => ({ stream: s.index, lines: parseLogText(texts[i]) }));
    for (const input of inputs) {
      const s = this.streams[input.stream];
      s.lines = input.lines.length;
      this.remember(s, input.lines);
    }
    this.append(mergeByTime(inputs));
    if (this.opts.follow) this.startFollowing();
  }

  /** The key of the newest line of a stream, and the texts at that key. */
  private remember(s: StreamState, lines: TimedLine[]): void {
    for (const l of lines) {
      if (Number.isNaN(l.ms)) continue;
      if (!s.last || compareKeys(l, s.last) > 0) s.last = { ms: l.ms, ns: l.ns, texts: new Set([l.text]) };
      else if (compareKeys(l, s.last) === 0) s.last.texts.add(l.text);
    }
  }

  private append(merged: Array<{ stream: number; time?: string; text: string }>): LogLine[] {
    const added = merged.map((m) => ({ seq: this.nextSeq++, stream: m.stream, ...(m.time ? { time: m.time } : {}), text: m.text }));
    this.lines.push(...added);
    const over = this.lines.length - this.cap;
    if (over > 0) {
      this.lines.splice(0, over);
      this.droppedLines += over;
    }
    return added;
  }

  private startFollowing(): void {
    const live = this.streams.filter((s) => !s.error);
    if (!live.length) return;
    this.following = true;
    const startedAt = new Date();
    const { kubeConfig: kc, namespace } = this.opts;
    this.started = Promise.all(
      live.map(async (s) => {
        // The server rounds sinceTime down to the second: what it repeats is dropped by key.
        const since = s.last ? new Date(Math.floor(s.last.ms / 1000) * 1000) : startedAt;
        try {
          const res = await openContainerLog(kc, {
            namespace,
            pod: s.pod,
            container: s.container,
            follow: true,
            sinceTime: since.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            signal: this.controller.signal,
            headersTimeoutMs: this.opts.requestTimeoutMs ?? 10_000,
          });
          if (this.controller.signal.aborted) {
            res.destroy();
            return;
          }
          s.response = res;
          s.following = true;
          this.openResponses++;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => this.receive(s, s.splitter.push(chunk)));
          res.on('close', () => {
            this.receive(s, s.splitter.end());
            s.following = false;
            s.response = undefined;
            if (!this.controller.signal.aborted) s.error = 'the log stream ended (container restarted or deleted?)';
            this.openResponses--;
            this.afterStreamClosed();
          });
          res.on('error', () => undefined);
        } catch (err) {
          if (!this.controller.signal.aborted) s.error = describeStreamError(err);
        }
      }),
    ).then(() => {
      if (this.openResponses === 0) this.afterStreamClosed();
    });
  }

  private receive(s: StreamState, raw: string[]): void {
    if (!raw.length) return;
    for (const r of raw) {
      const line = parseLogLine(r);
      if (!Number.isNaN(line.ms) && s.last) {
        const c = compareKeys(line, s.last);
        if (c < 0 || (c === 0 && s.last.texts.has(line.text))) continue;
      }
      this.remember(s, [line]);
      s.pending.push(line);
      s.lines++;
    }
    if (!this.flushTimer && s.pending.length) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const inputs = this.streams.filter((s) => s.pending.length).map((s) => ({ stream: s.index, lines: s.pending.splice(0) }));
    if (!inputs.length) return;
    const added = this.append(mergeByTime(inputs));
    this.opts.onLines?.(added);
  }

  private afterStreamClosed(): void {
    if (this.openResponses > 0) return;
    const wasFollowing = this.following;
    this.following = false;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flush();
    }
    for (const w of this.closedWaiters.splice(0)) w();
    if (wasFollowing && !this.controller.signal.aborted) this.opts.onFollowEnded?.();
  }

  /** Lines after `after` (a seq), one page at a time. */
  read(after: number): LogsReadResult {
    this.lastReadAt = Date.now();
    const first = this.lines[0]?.seq ?? this.nextSeq;
    const from = Math.max(0, after + 1 - first);
    const lines = this.lines.slice(from, from + LOG_READ_PAGE);
    return {
      lines,
      streams: this.streamInfos(),
      following: this.following,
      dropped: this.droppedLines,
      more: from + LOG_READ_PAGE < this.lines.length,
    };
  }

  streamInfos(): LogStreamInfo[] {
    return this.streams.map((s) => ({
      index: s.index,
      pod: s.pod,
      container: s.container,
      lines: s.lines,
      following: s.following,
      ...(s.error ? { error: s.error } : {}),
    }));
  }

  startResult(sessionId: string): LogsStartResult {
    const page = this.lines.slice(0, LOG_READ_PAGE);
    return {
      sessionId,
      context: this.opts.context,
      namespace: this.opts.namespace,
      selector: this.opts.selector,
      kubectl: this.kubectl,
      streams: this.streamInfos(),
      lines: page,
      pods: this.pods,
      skippedStreams: this.skippedStreams,
      dropped: this.droppedLines,
      following: this.following,
      more: this.lines.length > LOG_READ_PAGE,
      ...(this.problem ? { problem: this.problem } : {}),
    };
  }

  /** Stops following; resolves once every follow response has closed. Lines are kept. */
  async stopFollowing(): Promise<void> {
    this.controller.abort();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.started;
    for (const s of this.streams) s.response?.destroy();
    if (this.openResponses > 0) await new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    this.following = false;
  }
}
