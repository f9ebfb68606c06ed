// The "Configuración del entorno" section: what an L3 engineer asks first, summarized from
// the collected objects. Helm releases come from their release Secrets (identity and state
// only: values and manifests may hold secrets and never leave helm-release.ts).
import type { EnvironmentSummary, PodInfo } from '../../shared/contract-report';
import { decodeHelmReleaseSecret, HELM_RELEASE_SECRET_TYPE, revisionOf } from '../checks/helm-release';
import type { KObject } from '../checks/types';
import { itemsOf, type ClusterCollection } from './cluster-collection';
import { ordinal } from '../../shared/ordinal';

function images(spec: any): string[] {
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])] as Array<{ image?: string }>;
  return [...new Set(containers.map((c) => c.image ?? '').filter(Boolean))];
}

function selectorText(sel: any): string {
  const labels = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const exprs = (sel?.matchExpressions ?? []).map((e: any) => `${e.key} ${e.operator} (${(e.values ?? []).join(',')})`);
  const all = [...labels, ...exprs];
  return all.length ? all.join(', ') : '(all pods)';
}

export function podInfo(pod: KObject): PodInfo {
  const statuses = (pod.status?.containerStatuses ?? []) as Array<{ restartCount?: number }>;
  return {
    name: pod.metadata.name,
    phase: String(pod.status?.phase ?? 'Unknown'),
    containers: ((pod.spec?.containers ?? []) as Array<{ name: string }>).map((c) => c.name),
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
  };
}

export function summarizeEnvironment(c: ClusterCollection): EnvironmentSummary {
  const nodes = itemsOf(c, 'Node').map((n) => ({
    name: n.metadata.name,
    ready: ((n.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((x) => x.type === 'Ready' && x.status === 'True'),
    roles: Object.keys(n.metadata.labels ?? {})
      .filter((l) => l.startsWith('node-role.kubernetes.io/'))
      .map((l) => l.slice('node-role.kubernetes.io/'.length) || 'node'),
    kubelet: n.status?.nodeInfo?.kubeletVersion,
    os: n.status?.nodeInfo?.osImage,
  }));
  const workloads: EnvironmentSummary['workloads'] = [];
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) {
    for (const w of itemsOf(c, kind)) {
      workloads.push({
        kind,
        name: w.metadata.name,
        replicas: kind === 'DaemonSet' ? w.status?.desiredNumberScheduled : (w.spec?.replicas ?? 1),
        ready: kind === 'DaemonSet' ? w.status?.numberReady : (w.status?.readyReplicas ?? 0),
        images: images(w.spec?.template?.spec),
      });
    }
  }
  const imageUse = new Map<string, Set<string>>();
  for (const w of workloads) for (const i of w.images) (imageUse.get(i) ?? imageUse.set(i, new Set()).get(i)!).add(`${w.kind.toLowerCase()}/${w.name}`);
  for (const p of itemsOf(c, 'Pod')) {
    if (p.metadata.ownerReferences?.length) continue;
    for (const i of images(p.spec)) (imageUse.get(i) ?? imageUse.set(i, new Set()).get(i)!).add(`pod/${p.metadata.name}`);
  }
  const helmReleases: EnvironmentSummary['helmReleases'] = [];
  const problems = [...c.problems];
  const releaseSecrets = itemsOf(c, 'Secret')
    .filter((s) => s.type === HELM_RELEASE_SECRET_TYPE)
    .sort((a, b) => ordinal(String(a.metadata.labels?.name), String(b.metadata.labels?.name)) || revisionOf(b) - revisionOf(a));
  for (const s of releaseSecrets) {
    try {
      const r = decodeHelmReleaseSecret(s);
      helmReleases.push({
        name: r.name,
        revision: r.revision,
        status: r.status,
        chart: r.chart && r.chartVersion ? `${r.chart}-${r.chartVersion}` : r.chart,
        appVersion: r.appVersion,
        lastDeployed: r.lastDeployed,
        description: r.description,
      });
    } catch (err) {
      problems.push(`Helm release ${s.metadata.name}: ${(err as Error).message}`);
    }
  }
  return {
    context: c.context,
    namespace: c.namespace,
    server: c.server,
    kubernetesVersion: c.kubernetesVersion,
    nodes,
    workloads,
    pods: itemsOf(c, 'Pod').map(podInfo),
    services: itemsOf(c, 'Service').map((s) => ({
      name: s.metadata.name,
      type: String(s.spec?.type ?? 'ClusterIP'),
      ports: ((s.spec?.ports ?? []) as Array<{ port: number; targetPort?: unknown; protocol?: string; name?: string }>).map(
        (p) => `${p.name ? `${p.name} ` : ''}${p.port}→${String(p.targetPort ?? p.port)}/${p.protocol ?? 'TCP'}`,
      ),
    })),
    ingresses: itemsOf(c, 'Ingress').map((i) => ({
      name: i.metadata.name,
      hosts: ((i.spec?.rules ?? []) as Array<{ host?: string }>).map((r) => r.host ?? '*'),
      className: i.spec?.ingressClassName,
    })),
    pvcs: itemsOf(c, 'PersistentVolumeClaim').map((p) => ({
      name: p.metadata.name,
      status: String(p.status?.phase ?? 'Unknown'),
      capacity: p.status?.capacity?.storage ?? p.spec?.resources?.requests?.storage,
      storageClass: p.spec?.storageClassName,
    })),
    configMaps: itemsOf(c, 'ConfigMap').map((m) => ({ name: m.metadata.name, keys: Object.keys(m.data ?? {}).sort() })),
    networkPolicies: itemsOf(c, 'NetworkPolicy').map((n) => ({
      name: n.metadata.name,
      podSelector: selectorText(n.spec?.podSelector),
      policyTypes: n.spec?.policyTypes ?? [],
    })),
    helmReleases,
    images: [...imageUse.entries()].sort(([a], [b]) => ordinal(a, b)).map(([image, used]) => ({ image, workloads: [...used].sort() })),
    problems,
  };
}
