// The observe part of the RoadsideApi contract: the runbook's health-check (Overview) and
// its log aggregation (Logs). "Herramientas de Diagnóstico" in the runbook is the model:
// pods, services, PVCs, top pods and the last 20 events; `kubectl logs -l … --tail=1000`.
import { z } from 'zod';

/** The runbook's own selector ("Log Aggregation"). */
export const RUNBOOK_LOG_SELECTOR = 'app.kubernetes.io/name=traffic-system';
/**
 * The default: the Helm release's instance label. The runbook's selector misses PostgreSQL,
 * MinIO and Prometheus, whose charts set their own app.kubernetes.io/name.
 */
export const DEFAULT_LOG_SELECTOR = 'app.kubernetes.io/instance=traffic-system';
export const DEFAULT_LOG_TAIL = 1000;
/** Lines kept per log session (server) and shown at most (UI); the oldest go first. */
export const LOG_LINE_CAP = 50_000;
/** Lines one `logs.read` returns at most; the UI reads again for the rest. */
export const LOG_READ_PAGE = 5000;
/** Containers read per session at most (kubectl's --max-log-requests, raised). */
export const LOG_STREAM_CAP = 100;
/** How many events the health-check shows (`| tail -20`). */
export const OVERVIEW_EVENT_COUNT = 20;

const contextName = z.string().min(1).max(253);
const namespaceName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a valid namespace name');
const sessionId = z.string().min(8).max(64).regex(/^[\w-]+$/);
/** Label selector as kubectl takes it: key=value, key!=value, key, !key, key in (a,b). */
const labelSelector = z
  .string()
  .min(1)
  .max(1000)
  .regex(/^[\w./\-=!,() ]+$/, 'not a label selector (e.g. app.kubernetes.io/name=traffic-system)');

export const logFilterSchema = z
  .object({
    text: z.string().max(1000),
    regex: z.boolean().optional(),
    /** Stream indexes hidden in the view (pods switched off). */
    hiddenStreams: z.array(z.number().int().min(0)).max(LOG_STREAM_CAP).optional(),
  })
  .strict();
export type LogFilter = z.infer<typeof logFilterSchema>;

export const observeRequests = {
  'overview.get': z.object({ context: contextName.optional(), namespace: namespaceName.optional() }).strict(),
  'logs.start': z
    .object({
      /** Chosen by the UI, so it can read and stop the session it started. */
      sessionId,
      context: contextName.optional(),
      namespace: namespaceName.optional(),
      selector: labelSelector,
      tailLines: z.number().int().min(1).max(10_000).optional(),
      sinceSeconds: z.number().int().min(1).max(90 * 24 * 3600).optional(),
      follow: z.boolean().optional(),
    })
    .strict(),
  /** New lines of a following session (seq > after). */
  'logs.read': z.object({ sessionId, after: z.number().int().min(0) }).strict(),
  /** Stops following; forgets the session (the view closed) unless keepLines (they can still be saved). */
  'logs.stop': z.object({ sessionId, keepLines: z.boolean().optional() }).strict(),
  /** Saves the filtered lines (or the selected seq range) to an incident, the active one by default. */
  'logs.attach': z
    .object({
      sessionId,
      incidentId: z.string().min(1).max(64).optional(),
      filter: logFilterSchema.optional(),
      fromSeq: z.number().int().min(0).optional(),
      toSeq: z.number().int().min(0).optional(),
      caption: z.string().max(2000).optional(),
    })
    .strict(),
} as const;

export type ObserveChannel = keyof typeof observeRequests;

/** Why one block could not be read; the others still show. */
export interface SectionProblem {
  kind: 'forbidden' | 'unreachable' | 'unavailable' | 'error';
  message: string;
  /** For forbidden: the permission that is missing. */
  verb?: string;
  resource?: string;
  namespace?: string;
}

export interface OverviewSection<T> {
  /** The kubectl command that gives the same view. */
  kubectl: string;
  rows: T[];
  problem?: SectionProblem;
}

export interface PodRow {
  name: string;
  /** READY as kubectl prints it, e.g. "0/1". */
  ready: string;
  /** STATUS as kubectl computes it (CrashLoopBackOff, Init:0/2, Terminating …). */
  status: string;
  restarts: number;
  /** When the last restart ended (kubectl's "9 (2m ago)"). */
  lastRestartAt?: string;
  createdAt?: string;
  node?: string;
  /** Running (or Completed) with every container ready. */
  healthy: boolean;
}

export interface ServiceRow {
  name: string;
  type: string;
  clusterIP: string;
  externalIP: string;
  ports: string;
  readyEndpoints: number;
  notReadyEndpoints: number;
  /** False for services without a selector (their endpoints are managed by hand). */
  selector: boolean;
  createdAt?: string;
}

export interface PvcRow {
  name: string;
  status: string;
  volume: string;
  capacity: string;
  accessModes: string;
  storageClass: string;
  createdAt?: string;
}

export interface TopPodRow {
  pod: string;
  cpuMillicores: number;
  memoryMi: number;
}

export interface EventRow {
  type: string;
  reason: string;
  /** kind/name in lower case, as kubectl prints OBJECT. */
  object: string;
  message: string;
  count: number;
  lastSeen?: string;
  firstSeen?: string;
}

export interface Overview {
  context: string;
  namespace: string;
  collectedAt: string;
  pods: OverviewSection<PodRow>;
  services: OverviewSection<ServiceRow>;
  pvcs: OverviewSection<PvcRow>;
  top: OverviewSection<TopPodRow>;
  /** The last events, newest first. */
  events: OverviewSection<EventRow>;
  /** Set when no block could be read because the cluster did not answer. */
  unreachable?: string;
}

export interface LogStreamInfo {
  index: number;
  pod: string;
  container: string;
  /** Lines read for it so far. */
  lines: number;
  following: boolean;
  /** Why it could not be read, or why following it ended. */
  error?: string;
}

export interface LogLine {
  seq: number;
  stream: number;
  /** The RFC 3339 timestamp the API server put before the line; absent for lines without one. */
  time?: string;
  text: string;
}

export interface LogsStartResult {
  sessionId: string;
  context: string;
  namespace: string;
  selector: string;
  /** The kubectl command that gives the same lines. */
  kubectl: string;
  streams: LogStreamInfo[];
  lines: LogLine[];
  /** Pods the selector matched. */
  pods: number;
  /** Containers not read because of LOG_STREAM_CAP. */
  skippedStreams: number;
  /** Oldest lines dropped to stay under LOG_LINE_CAP. */
  dropped: number;
  following: boolean;
  /** More lines than this first page: read them with logs.read. */
  more: boolean;
  /** The pods could not be listed (forbidden, unreachable). */
  problem?: SectionProblem;
}

export interface LogsReadResult {
  lines: LogLine[];
  streams: LogStreamInfo[];
  following: boolean;
  dropped: number;
  /** True when more lines than one page are waiting. */
  more: boolean;
}

export interface LogsAttachResult {
  incidentId: string;
  entryId: number;
  name: string;
  lines: number;
  bytes: number;
}

export interface ObserveResponses {
  'overview.get': Overview;
  'logs.start': LogsStartResult;
  'logs.read': LogsReadResult;
  'logs.stop': { stopped: boolean };
  'logs.attach': LogsAttachResult;
}
