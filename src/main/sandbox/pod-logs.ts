// GET pods/<name>/log: container choice, previous, sinceSeconds/sinceTime, tailLines,
// timestamps and limitBytes over the log files of the snapshot, with the real API's errors.
import type { KubeObject, LogFile } from './snapshot-types';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(rec) : []);

export interface LogOptions {
  container?: string;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

export type LogResult = { ok: true; container: string; text: string } | { ok: false; code: number; reason: string; message: string };

export function parseLogOptions(params: URLSearchParams): LogOptions | string {
  const num = (name: string): number | undefined | string => {
    const raw = params.get(name);
    if (raw === null || raw === '') return undefined;
    const n = Number(raw);
    return Number.isInteger(n) ? n : `${name}: Invalid value: "${raw}"`;
  };
  const tailLines = num('tailLines');
  const sinceSeconds = num('sinceSeconds');
  const limitBytes = num('limitBytes');
  for (const v of [tailLines, sinceSeconds, limitBytes]) if (typeof v === 'string') return v;
  if (typeof sinceSeconds === 'number' && sinceSeconds < 1) return 'PodLogOptions "" is invalid: sinceSeconds: Invalid value: must be greater than 0';
  const bool = (name: string) => params.get(name) === 'true' || params.get(name) === '1';
  return {
    container: params.get('container') || undefined,
    previous: bool('previous'),
    timestamps: bool('timestamps'),
    tailLines: tailLines as number | undefined,
    sinceSeconds: sinceSeconds as number | undefined,
    sinceTime: params.get('sinceTime') || undefined,
    limitBytes: limitBytes as number | undefined,
  };
}

function lineTime(line: string): number {
  const space = line.indexOf(' ');
  return Date.parse(space < 0 ? line : line.slice(0, space));
}

function stripTimestamp(line: string): string {
  const space = line.indexOf(' ');
  if (space < 0) return Number.isNaN(Date.parse(line)) ? line : '';
  return Number.isNaN(Date.parse(line.slice(0, space))) ? line : line.slice(space + 1);
}

export function readPodLog(
  pod: KubeObject,
  logs: LogFile[],
  opts: LogOptions,
  now: Date,
  runtimeLines?: (container: string) => string[] | undefined,
): LogResult {
  const name = pod.metadata.name;
  const namespace = pod.metadata.namespace ?? '';
  const spec = rec(pod.spec);
  const containers = arr(spec.containers).map((c) => String(c.name));
  const initContainers = arr(spec.initContainers).map((c) => String(c.name));
  let container = opts.container;
  if (!container) {
    if (containers.length === 1) container = containers[0];
    else {
      const init = initContainers.length ? ` or one of the init containers: [${initContainers.join(' ')}]` : '';
      return { ok: false, code: 400, reason: 'BadRequest', message: `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${init}` };
    }
  }
  if (!containers.includes(container) && !initContainers.includes(container)) {
    return { ok: false, code: 400, reason: 'BadRequest', message: `container ${container} is not valid for pod ${name}` };
  }
  const file = logs.find((l) => l.namespace === namespace && l.pod === name && l.container === container && l.previous === opts.previous);
  let lines: string[];
  if (opts.previous) {
    if (!file) {
      return { ok: false, code: 400, reason: 'BadRequest', message: `previous terminated container "${container}" in pod "${name}" not found` };
    }
    lines = file.lines;
  } else if (file) {
    lines = file.lines;
  } else {
    const statuses = [...arr(rec(pod.status).containerStatuses), ...arr(rec(pod.status).initContainerStatuses)];
    const state = rec(statuses.find((s) => s.name === container)?.state);
    const waiting = rec(state.waiting);
    if (state.waiting && !state.running && !state.terminated && (waiting.reason === 'ContainerCreating' || waiting.reason === 'PodInitializing' || !waiting.reason)) {
      return { ok: false, code: 400, reason: 'BadRequest', message: `container "${container}" in pod "${name}" is waiting to start: ${String(waiting.reason ?? 'ContainerCreating')}` };
    }
    lines = runtimeLines?.(container) ?? [];
  }
  let since: number | undefined;
  if (opts.sinceSeconds !== undefined) since = now.getTime() - opts.sinceSeconds * 1000;
  else if (opts.sinceTime) since = Date.parse(opts.sinceTime);
  if (since !== undefined && !Number.isNaN(since)) {
    const from = since;
    lines = lines.filter((l) => {
      const t = lineTime(l);
      return Number.isNaN(t) || t >= from;
    });
  }
  if (opts.tailLines !== undefined) lines = opts.tailLines <= 0 ? [] : lines.slice(-opts.tailLines);
  if (!opts.timestamps) lines = lines.map(stripTimestamp);
  let text = lines.length ? lines.join('\n') + '\n' : '';
  if (opts.limitBytes !== undefined && opts.limitBytes >= 0) text = Buffer.from(text).subarray(0, opts.limitBytes).toString();
  return { ok: true, container, text };
}
