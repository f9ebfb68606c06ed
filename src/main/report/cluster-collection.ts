// Reads the environment's configuration from a live cluster for an escalation: the
// namespace's objects (written to the bundle's cluster/resources/ as a snapshot the sandbox
// can serve) and the Kubernetes version. Only the API server named in the kubeconfig is dialled.
import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { ClusterContext } from '../checks/cluster-context';
import { ForbiddenError, UnreachableError, type KObject, type ResourceName } from '../checks/types';

export interface CollectedKind {
  resource: ResourceName;
  apiVersion: string;
  kind: string;
  /** File under cluster/resources/. */
  file: string;
  clusterScoped?: boolean;
}

/** What a bundle collects, in the order it is written. */
export const COLLECTED_KINDS: CollectedKind[] = [
  { resource: 'namespaces', apiVersion: 'v1', kind: 'Namespace', file: 'namespaces.json', clusterScoped: true },
  { resource: 'nodes', apiVersion: 'v1', kind: 'Node', file: 'nodes.json', clusterScoped: true },
  { resource: 'storageclasses.storage.k8s.io', apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', file: 'storageclasses.json', clusterScoped: true },
  { resource: 'ingressclasses.networking.k8s.io', apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', file: 'ingressclasses.json', clusterScoped: true },
  { resource: 'persistentvolumes', apiVersion: 'v1', kind: 'PersistentVolume', file: 'persistentvolumes.json', clusterScoped: true },
  { resource: 'deployments.apps', apiVersion: 'apps/v1', kind: 'Deployment', file: 'deployments.json' },
  { resource: 'statefulsets.apps', apiVersion: 'apps/v1', kind: 'StatefulSet', file: 'statefulsets.json' },
  { resource: 'daemonsets.apps', apiVersion: 'apps/v1', kind: 'DaemonSet', file: 'daemonsets.json' },
  { resource: 'replicasets.apps', apiVersion: 'apps/v1', kind: 'ReplicaSet', file: 'replicasets.json' },
  { resource: 'pods', apiVersion: 'v1', kind: 'Pod', file: 'pods.json' },
  { resource: 'services', apiVersion: 'v1', kind: 'Service', file: 'services.json' },
  { resource: 'endpoints', apiVersion: 'v1', kind: 'Endpoints', file: 'endpoints.json' },
  { resource: 'ingresses.networking.k8s.io', apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', file: 'ingresses.json' },
  { resource: 'networkpolicies.networking.k8s.io', apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', file: 'networkpolicies.json' },
  { resource: 'persistentvolumeclaims', apiVersion: 'v1', kind: 'PersistentVolumeClaim', file: 'persistentvolumeclaims.json' },
  { resource: 'configmaps', apiVersion: 'v1', kind: 'ConfigMap', file: 'configmaps.json' },
  { resource: 'secrets', apiVersion: 'v1', kind: 'Secret', file: 'secrets.json' },
  { resource: 'horizontalpodautoscalers.autoscaling', apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', file: 'horizontalpodautoscalers.json' },
  { resource: 'events', apiVersion: 'v1', kind: 'Event', file: 'events.json' },
];

export interface ClusterCollection {
  context: string;
  namespace: string;
  server?: string;
  kubernetesVersion?: string;
  /** Objects per kind, in COLLECTED_KINDS order; managedFields dropped. */
  kinds: Array<CollectedKind & { items: KObject[] }>;
  /** Kinds that could not be read and why. */
  problems: string[];
  collectedAt: Date;
}

export class LiveCollectionError extends Error {
  override name = 'LiveCollectionError';
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UnreachableError(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describeFailure(err: unknown): string {
  const e = err as { code?: unknown; message?: string; cause?: { code?: string } };
  const code = typeof e?.code === 'string' ? e.code : e?.cause?.code;
  const first = (e?.message ?? String(err)).split('\n')[0];
  return code && !first.includes(code) ? `${code} ${first}` : first;
}

function stripNoise(obj: KObject, kind: CollectedKind): KObject {
  const { managedFields: _drop, ...metadata } = obj.metadata as KObject['metadata'] & { managedFields?: unknown };
  return { ...obj, apiVersion: kind.apiVersion, kind: kind.kind, metadata } as KObject;
}

/**
 * Reads the namespace's objects and the cluster-scoped ones it depends on. Throws
 * LiveCollectionError when the API server cannot be reached at all; a kind that is
 * forbidden or fails on its own is named in `problems` and the rest is kept.
 */
export async function collectCluster(opts: {
  kubeConfig: KubeConfig;
  context: string;
  namespace: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<ClusterCollection> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const server = opts.kubeConfig.getCurrentCluster()?.server;
  let kubernetesVersion: string | undefined;
  try {
    const info = await withTimeout(opts.kubeConfig.makeApiClient(VersionApi).getCode(), timeoutMs, `GET ${server ?? ''}/version`);
    kubernetesVersion = info.gitVersion;
  } catch (err) {
    const status = (err as { code?: unknown }).code;
    if (status === 401) throw new LiveCollectionError(`the cluster refused the credentials of context ${opts.context} (401 Unauthorized)`);
    if (typeof status !== 'number') throw new LiveCollectionError(`cannot reach the API server of context ${opts.context} (${server ?? 'no server'}): ${describeFailure(err)}`);
    // /version answered with an HTTP error (forbidden…): the API server is up; go on without it.
  }
  const ctx = new ClusterContext({ kubeConfig: opts.kubeConfig, namespace: opts.namespace, signal: opts.signal, requestTimeoutMs: timeoutMs });
  const problems: string[] = [];
  const settled = await Promise.allSettled(COLLECTED_KINDS.map((k) => ctx.list(k.resource, k.clusterScoped ? null : opts.namespace)));
  const unreachable = settled.find((s) => s.status === 'rejected' && s.reason instanceof UnreachableError);
  if (unreachable && settled.every((s) => s.status === 'rejected')) {
    throw new LiveCollectionError(describeFailure((unreachable as PromiseRejectedResult).reason));
  }
  const kinds: ClusterCollection['kinds'] = [];
  COLLECTED_KINDS.forEach((kind, i) => {
    const s = settled[i];
    if (s.status === 'rejected') {
      const reason = s.reason instanceof ForbiddenError ? `forbidden (list ${kind.resource})` : describeFailure(s.reason);
      problems.push(`${kind.kind}: ${reason}`);
      kinds.push({ ...kind, items: [] });
      return;
    }
    let items = s.value.map((o) => stripNoise(o, kind));
    if (kind.kind === 'Namespace') items = items.filter((n) => n.metadata.name === opts.namespace);
    kinds.push({ ...kind, items });
  });
  // Only the volumes bound to this namespace's claims.
  const pvcVolumes = new Set(kinds.find((k) => k.kind === 'PersistentVolumeClaim')?.items.map((c) => String(c.spec?.volumeName ?? '')).filter(Boolean));
  const pvs = kinds.find((k) => k.kind === 'PersistentVolume');
  if (pvs) pvs.items = pvs.items.filter((v) => pvcVolumes.has(v.metadata.name) || v.spec?.claimRef?.namespace === opts.namespace);
  return { context: opts.context, namespace: opts.namespace, server, kubernetesVersion, kinds, problems, collectedAt: new Date() };
}

export function itemsOf(collection: ClusterCollection | undefined, kind: string): KObject[] {
  return collection?.kinds.find((k) => k.kind === kind)?.items ?? [];
}
