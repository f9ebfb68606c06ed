// The runbook's health-check.sh as one read: pods, services, PVCs, top pods and the last
// events of a namespace. Each block is read on its own, so a forbidden or missing API
// (metrics-server absent, no RBAC on events) leaves the other blocks intact.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  OVERVIEW_EVENT_COUNT,
  type EventRow,
  type Overview,
  type OverviewSection,
  type PodRow,
  type PvcRow,
  type SectionProblem,
  type ServiceRow,
  type TopPodRow,
} from '../../shared/contract-observe';
import { ClusterContext } from '../checks/cluster-context';
import { ForbiddenError, UnreachableError, type KObject } from '../checks/types';
import { isPodHealthy, podStatus } from './pod-status';
import { ordinal } from '../../shared/ordinal';

export function healthCheckCommands(namespace: string) {
  return {
    pods: `kubectl get pods -n ${namespace} -o wide`,
    services: `kubectl get svc,endpoints -n ${namespace}`,
    pvcs: `kubectl get pvc -n ${namespace}`,
    top: `kubectl top pods -n ${namespace} --sort-by=cpu`,
    events: `kubectl get events -n ${namespace} --sort-by='.lastTimestamp' | tail -${OVERVIEW_EVENT_COUNT}`,
  };
}

/** An error of one block as the engineer needs to read it. */
export function describeProblem(err: unknown, what: { verb: string; resource: string; namespace: string }): SectionProblem {
  if (err instanceof ForbiddenError) {
    return {
      kind: 'forbidden',
      message: `not allowed to ${err.verb} ${err.resource} in namespace ${err.namespace ?? what.namespace}`,
      verb: err.verb,
      resource: err.resource,
      namespace: err.namespace ?? what.namespace,
    };
  }
  if (err instanceof UnreachableError) return { kind: 'unreachable', message: err.message };
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  if (what.resource.includes('metrics.k8s.io') && /HTTP (404|503)|could not find the requested resource|service unavailable/i.test(message)) {
    return { kind: 'unavailable', message: `the metrics API (metrics.k8s.io) is not available: is metrics-server installed and running? (${message})` };
  }
  return { kind: 'error', message };
}

export function podRows(pods: KObject[]): PodRow[] {
  return pods
    .map((pod) => {
      const s = podStatus(pod);
      return {
        name: pod.metadata.name,
        ready: s.ready,
        status: s.status,
        restarts: s.restarts,
        ...(s.lastRestartAt ? { lastRestartAt: s.lastRestartAt } : {}),
        ...(pod.metadata.creationTimestamp ? { createdAt: pod.metadata.creationTimestamp } : {}),
        ...(pod.spec?.nodeName ? { node: pod.spec.nodeName as string } : {}),
        healthy: isPodHealthy(s),
      };
    })
    .sort((a, b) => ordinal(a.name, b.name));
}

function externalIP(svc: KObject): string {
  const ips: string[] = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'LoadBalancer': {
      const lb = (svc.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip || i.hostname).filter(Boolean);
      const all = [...lb, ...ips];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '<none>';
    default:
      return ips.length ? ips.join(',') : '<none>';
  }
}

export function serviceRows(services: KObject[], endpoints: KObject[]): ServiceRow[] {
  const byName = new Map(endpoints.map((e) => [e.metadata.name, e]));
  return services
    .map((svc) => {
      const subsets: any[] = byName.get(svc.metadata.name)?.subsets ?? [];
      const count = (key: 'addresses' | 'notReadyAddresses') => subsets.reduce((n, s) => n + (s[key]?.length ?? 0), 0);
      const ports = (svc.spec?.ports ?? [])
        .map((p: any) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
        .join(',');
      return {
        name: svc.metadata.name,
        type: svc.spec?.type ?? 'ClusterIP',
        clusterIP: svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP ?? '<none>',
        externalIP: externalIP(svc),
        ports: ports || '<none>',
        readyEndpoints: count('addresses'),
        notReadyEndpoints: count('notReadyAddresses'),
        selector: !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0,
        ...(svc.metadata.creationTimestamp ? { createdAt: svc.metadata.creationTimestamp } : {}),
      };
    })
    .sort((a, b) => ordinal(a.name, b.name));
}

const ACCESS_MODE: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

export function pvcRows(pvcs: KObject[]): PvcRow[] {
  return pvcs
    .map((pvc) => ({
      name: pvc.metadata.name,
      status: pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? 'Unknown'),
      volume: pvc.spec?.volumeName ?? '',
      capacity: pvc.status?.capacity?.storage ?? '',
      accessModes: ((pvc.status?.accessModes ?? []) as string[]).map((m) => ACCESS_MODE[m] ?? m).join(','),
      storageClass: pvc.spec?.storageClassName ?? '',
      ...(pvc.metadata.creationTimestamp ? { createdAt: pvc.metadata.creationTimestamp } : {}),
    }))
    .sort((a, b) => ordinal(a.name, b.name));
}

function eventTime(e: KObject): string | undefined {
  return e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp;
}

/** The last `count` events, newest first (kubectl --sort-by=.lastTimestamp | tail, reversed). */
export function latestEvents(events: KObject[], count = OVERVIEW_EVENT_COUNT): EventRow[] {
  const time = (e: KObject) => {
    const t = Date.parse(eventTime(e) ?? '');
    return Number.isNaN(t) ? -Infinity : t;
  };
  return [...events]
    .sort((a, b) => time(b) - time(a))
    .slice(0, count)
    .map((e) => {
      const lastSeen = eventTime(e);
      const firstSeen = e.firstTimestamp ?? e.eventTime;
      return {
        type: e.type ?? '',
        reason: e.reason ?? '',
        object: `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
        message: String(e.message ?? e.note ?? '').trim(),
        count: e.series?.count ?? e.count ?? 1,
        ...(lastSeen ? { lastSeen } : {}),
        ...(firstSeen ? { firstSeen } : {}),
      };
    });
}

export interface CollectOverviewOptions {
  kubeConfig: KubeConfig;
  context: string;
  namespace: string;
  signal?: AbortSignal;
  requestTimeoutMs?: number;
  now?: () => Date;
}

export async function collectOverview(opts: CollectOverviewOptions): Promise<Overview> {
  const { namespace } = opts;
  const ctx = new ClusterContext({
    kubeConfig: opts.kubeConfig,
    namespace,
    requestTimeoutMs: opts.requestTimeoutMs ?? 8000,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const commands = healthCheckCommands(namespace);
  const [pods, services, endpoints, pvcs, metrics, events] = await Promise.allSettled([
    ctx.list('pods', namespace),
    ctx.list('services', namespace),
    ctx.list('endpoints', namespace),
    ctx.list('persistentvolumeclaims', namespace),
    ctx.podMetrics(namespace),
    ctx.list('events', namespace),
  ]);

  function section<T, R>(
    result: PromiseSettledResult<T>,
    kubectl: string,
    what: { verb: string; resource: string },
    rows: (value: T) => R[],
  ): OverviewSection<R> {
    if (result.status === 'fulfilled') return { kubectl, rows: rows(result.value) };
    return { kubectl, rows: [], problem: describeProblem(result.reason, { ...what, namespace }) };
  }

  const servicesSection: OverviewSection<ServiceRow> =
    services.status === 'fulfilled'
      ? {
          kubectl: commands.services,
          rows: serviceRows(services.value, endpoints.status === 'fulfilled' ? endpoints.value : []),
          ...(endpoints.status === 'rejected' ? { problem: describeProblem(endpoints.reason, { verb: 'list', resource: 'endpoints', namespace }) } : {}),
        }
      : section(services, commands.services, { verb: 'list', resource: 'services' }, () => []);

  const overview: Overview = {
    context: opts.context,
    namespace,
    collectedAt: (opts.now?.() ?? new Date()).toISOString(),
    pods: section(pods, commands.pods, { verb: 'list', resource: 'pods' }, podRows),
    services: servicesSection,
    pvcs: section(pvcs, commands.pvcs, { verb: 'list', resource: 'persistentvolumeclaims' }, pvcRows),
    top: section(metrics, commands.top, { verb: 'list', resource: 'pods.metrics.k8s.io' }, (list) =>
      list
        .map((m) => ({
          pod: m.pod,
          cpuMillicores: Math.round(m.containers.reduce((n, c) => n + c.cpuMillicores, 0)),
          memoryMi: Math.round(m.containers.reduce((n, c) => n + c.memoryBytes, 0) / (1024 * 1024)),
        }))
        .sort((a, b) => b.cpuMillicores - a.cpuMillicores || ordinal(a.pod, b.pod)) satisfies TopPodRow[],
    ),
    events: section(events, commands.events, { verb: 'list', resource: 'events' }, (list) => latestEvents(list)),
  };
  const blocks = [overview.pods, overview.services, overview.pvcs, overview.events];
  if (blocks.every((b) => b.problem?.kind === 'unreachable')) overview.unreachable = blocks[0].problem!.message;
  return overview;
}
