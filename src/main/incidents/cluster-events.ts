// Kubernetes Warning events → timeline entries. An event object is updated in
// place as it repeats (count grows, lastTimestamp moves), so one occurrence is
// (uid, count): a refresh that sees the same pair again imports nothing.
import type { ClusterEventData } from '../../shared/incidents';

type EventTime = string | Date | null | undefined;

/** The fields Roadside reads from a core/v1 Event (client-node's CoreV1Event fits). */
export interface ClusterEventLike {
  metadata?: { uid?: string; name?: string; namespace?: string; creationTimestamp?: EventTime };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  series?: { count?: number; lastObservedTime?: EventTime } | null;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  firstTimestamp?: EventTime;
  lastTimestamp?: EventTime;
  eventTime?: EventTime;
}

export interface ClusterEventOccurrence {
  uid: string;
  count: number;
  /** The cluster's own time for this occurrence, or undefined when the event carries none. */
  atMs: number | undefined;
  namespace: string | undefined;
  title: string;
  body: string;
  data: ClusterEventData;
}

function timeOf(value: EventTime): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function isoOf(value: EventTime): string | undefined {
  const ms = timeOf(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** The occurrence a Warning event stands for; null for other types or events without identity. */
export function toClusterEventOccurrence(event: ClusterEventLike): ClusterEventOccurrence | null {
  if (!event || typeof event !== 'object' || event.type !== 'Warning') return null;
  const namespace = event.metadata?.namespace ?? event.involvedObject?.namespace;
  const uid = event.metadata?.uid ?? (event.metadata?.name ? `${namespace ?? ''}/${event.metadata.name}` : undefined);
  if (!uid) return null;
  const rawCount = event.series?.count ?? event.count ?? 1;
  const count = Number.isSafeInteger(rawCount) && rawCount > 0 ? rawCount : 1;
  const atMs =
    timeOf(event.series?.lastObservedTime) ??
    timeOf(event.lastTimestamp) ??
    timeOf(event.eventTime) ??
    timeOf(event.firstTimestamp) ??
    timeOf(event.metadata?.creationTimestamp);
  const reason = event.reason ?? 'Unknown';
  const object = event.involvedObject;
  const objectName = object?.name ? `${object.kind ? object.kind.toLowerCase() + '/' : ''}${object.name}` : undefined;
  const message = event.message ?? '';
  const source = event.source?.component ?? event.reportingComponent ?? undefined;
  return {
    uid,
    count,
    atMs,
    namespace,
    title: objectName ? `${reason}: ${objectName}` : reason,
    body: count > 1 ? `${message} (seen ${count} times)` : message,
    data: {
      uid,
      count,
      type: event.type,
      reason,
      message,
      ...(namespace ? { namespace } : {}),
      ...(object ? { involvedObject: { kind: object.kind, name: object.name, namespace: object.namespace } } : {}),
      ...(source ? { source } : {}),
      ...(isoOf(event.firstTimestamp) ? { firstTimestamp: isoOf(event.firstTimestamp) } : {}),
      ...(isoOf(event.lastTimestamp) ? { lastTimestamp: isoOf(event.lastTimestamp) } : {}),
    },
  };
}
