// The resource types the sandbox serves: the built-in groups a cluster always has, plus the
// groups and kinds found in the snapshot (CustomResourceDefinitions and objects' apiVersions).
import type { KubeObject } from './snapshot-types';
import { ordinal } from '../../shared/ordinal';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
  description?: string;
  format?: string;
}

export interface ResourceType {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresource names (log, exec, scale, status, ...) with their verbs. */
  subresources?: SubresourceType[];
  printerColumns?: PrinterColumn[];
}

export interface SubresourceType {
  name: string;
  kind: string;
  verbs: string[];
  group?: string;
  version?: string;
}

export const KUBERNETES_VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.4',
  gitCommit: 'a51b3b711150f57ffc1f526a640ec058514ed596',
  gitTreeState: 'clean',
  buildDate: '2024-08-14T19:04:53Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS: SubresourceType = { name: 'status', kind: '', verbs: ['get', 'patch', 'update'] };
const SCALE: SubresourceType = { name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' };

function builtin(
  group: string,
  versions: string[],
  plural: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return { group, versions, plural, singular: kind.toLowerCase(), kind, namespaced, verbs: RW, ...extra };
}

const withStatus = (kind: string): SubresourceType[] => [{ ...STATUS, kind }];

const BUILTIN_RESOURCES: ResourceType[] = [
  builtin('', ['v1'], 'bindings', 'Binding', true, { verbs: ['create'] }),
  builtin('', ['v1'], 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  builtin('', ['v1'], 'endpoints', 'Endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  builtin('', ['v1'], 'events', 'Event', true, { shortNames: ['ev'] }),
  builtin('', ['v1'], 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  builtin('', ['v1'], 'namespaces', 'Namespace', false, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: withStatus('Namespace'),
  }),
  builtin('', ['v1'], 'nodes', 'Node', false, {
    shortNames: ['no'],
    subresources: [...withStatus('Node'), { name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  }),
  builtin('', ['v1'], 'persistentvolumeclaims', 'PersistentVolumeClaim', true, {
    shortNames: ['pvc'],
    subresources: withStatus('PersistentVolumeClaim'),
  }),
  builtin('', ['v1'], 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: withStatus('PersistentVolume') }),
  builtin('', ['v1'], 'pods', 'Pod', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      { name: 'eviction', kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      { ...STATUS, kind: 'Pod' },
    ],
  }),
  builtin('', ['v1'], 'podtemplates', 'PodTemplate', true),
  builtin('', ['v1'], 'replicationcontrollers', 'ReplicationController', true, {
    shortNames: ['rc'],
    categories: ['all'],
    subresources: [SCALE, { ...STATUS, kind: 'ReplicationController' }],
  }),
  builtin('', ['v1'], 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: withStatus('ResourceQuota') }),
  builtin('', ['v1'], 'secrets', 'Secret', true),
  builtin('', ['v1'], 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  builtin('', ['v1'], 'services', 'Service', true, {
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [
      { name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      { ...STATUS, kind: 'Service' },
    ],
  }),
  builtin('apps', ['v1'], 'controllerrevisions', 'ControllerRevision', true),
  builtin('apps', ['v1'], 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ['all'], subresources: withStatus('DaemonSet') }),
  builtin('apps', ['v1'], 'deployments', 'Deployment', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [SCALE, { ...STATUS, kind: 'Deployment' }],
  }),
  builtin('apps', ['v1'], 'replicasets', 'ReplicaSet', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [SCALE, { ...STATUS, kind: 'ReplicaSet' }],
  }),
  builtin('apps', ['v1'], 'statefulsets', 'StatefulSet', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: [SCALE, { ...STATUS, kind: 'StatefulSet' }],
  }),
  builtin('authorization.k8s.io', ['v1'], 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true, { verbs: ['create'] }),
  builtin('authorization.k8s.io', ['v1'], 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'] }),
  builtin('authorization.k8s.io', ['v1'], 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, { verbs: ['create'] }),
  builtin('authorization.k8s.io', ['v1'], 'subjectaccessreviews', 'SubjectAccessReview', false, { verbs: ['create'] }),
  builtin('autoscaling', ['v2', 'v1'], 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: withStatus('HorizontalPodAutoscaler'),
  }),
  builtin('batch', ['v1'], 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ['all'], subresources: withStatus('CronJob') }),
  builtin('batch', ['v1'], 'jobs', 'Job', true, { categories: ['all'], subresources: withStatus('Job') }),
  builtin('coordination.k8s.io', ['v1'], 'leases', 'Lease', true),
  builtin('discovery.k8s.io', ['v1'], 'endpointslices', 'EndpointSlice', true),
  builtin('events.k8s.io', ['v1'], 'events', 'Event', true, { shortNames: ['ev'] }),
  builtin('networking.k8s.io', ['v1'], 'ingressclasses', 'IngressClass', false),
  builtin('networking.k8s.io', ['v1'], 'ingresses', 'Ingress', true, { shortNames: ['ing'], subresources: withStatus('Ingress') }),
  builtin('networking.k8s.io', ['v1'], 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  builtin('policy', ['v1'], 'poddisruptionbudgets', 'PodDisruptionBudget', true, { shortNames: ['pdb'], subresources: withStatus('PodDisruptionBudget') }),
  builtin('rbac.authorization.k8s.io', ['v1'], 'clusterrolebindings', 'ClusterRoleBinding', false),
  builtin('rbac.authorization.k8s.io', ['v1'], 'clusterroles', 'ClusterRole', false),
  builtin('rbac.authorization.k8s.io', ['v1'], 'rolebindings', 'RoleBinding', true),
  builtin('rbac.authorization.k8s.io', ['v1'], 'roles', 'Role', true),
  builtin('scheduling.k8s.io', ['v1'], 'priorityclasses', 'PriorityClass', false, { shortNames: ['pc'] }),
  builtin('storage.k8s.io', ['v1'], 'csidrivers', 'CSIDriver', false),
  builtin('storage.k8s.io', ['v1'], 'csinodes', 'CSINode', false),
  builtin('storage.k8s.io', ['v1'], 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  builtin('storage.k8s.io', ['v1'], 'volumeattachments', 'VolumeAttachment', false, { subresources: withStatus('VolumeAttachment') }),
  builtin('apiextensions.k8s.io', ['v1'], 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
    subresources: withStatus('CustomResourceDefinition'),
  }),
  builtin('metrics.k8s.io', ['v1beta1'], 'nodes', 'NodeMetrics', false, { verbs: ['get', 'list'], singular: '' }),
  builtin('metrics.k8s.io', ['v1beta1'], 'pods', 'PodMetrics', true, { verbs: ['get', 'list'], singular: '' }),
];

/** Group order as a real API server lists them (kubectl resolves ambiguous names by this order). */
const GROUP_ORDER = [
  'apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling',
  'batch', 'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io',
  'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io', 'metrics.k8s.io',
];

/** Virtual resources whose objects the sandbox computes; they are never stored. */
export const COMPUTED_GROUPS = new Set(['metrics.k8s.io', 'authorization.k8s.io']);

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function joinApiVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function guessPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return lower.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(lower)) return lower + 'es';
  return lower + 's';
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function resourceFromCrd(crd: KubeObject): ResourceType | undefined {
  const spec = asRecord(crd.spec);
  const names = asRecord(spec.names);
  const group = typeof spec.group === 'string' ? spec.group : '';
  const plural = typeof names.plural === 'string' ? names.plural : '';
  const kind = typeof names.kind === 'string' ? names.kind : '';
  if (!group || !plural || !kind) return undefined;
  const versionEntries = Array.isArray(spec.versions) ? spec.versions.map(asRecord) : [];
  const served = versionEntries.filter((v) => v.served !== false && typeof v.name === 'string');
  // Preferred: the storage version, then the order given.
  served.sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
  const versions = served.map((v) => String(v.name));
  if (versions.length === 0 && typeof spec.version === 'string') versions.push(spec.version);
  if (versions.length === 0) return undefined;
  const preferred = served[0] ?? {};
  const subresources: SubresourceType[] = [];
  const sub = asRecord(preferred.subresources);
  if (sub.status) subresources.push({ ...STATUS, kind });
  if (sub.scale) subresources.push({ ...SCALE });
  const printerColumns = (Array.isArray(preferred.additionalPrinterColumns) ? preferred.additionalPrinterColumns : [])
    .map(asRecord)
    .filter((c) => typeof c.name === 'string' && typeof c.jsonPath === 'string')
    .map((c) => ({
      name: String(c.name),
      type: typeof c.type === 'string' ? c.type : 'string',
      jsonPath: String(c.jsonPath),
      priority: typeof c.priority === 'number' ? c.priority : 0,
      description: typeof c.description === 'string' ? c.description : undefined,
      format: typeof c.format === 'string' ? c.format : undefined,
    }));
  return {
    group,
    versions,
    plural,
    singular: typeof names.singular === 'string' ? names.singular : kind.toLowerCase(),
    kind,
    namespaced: spec.scope !== 'Cluster',
    verbs: RW,
    shortNames: strings(names.shortNames),
    categories: strings(names.categories),
    subresources,
    printerColumns,
  };
}

export interface ApiGroupInfo {
  name: string;
  versions: string[];
}

/** Resource types known to one sandbox; rebuilt when CRDs or new kinds appear. */
export class ResourceRegistry {
  private types: ResourceType[] = [];

  constructor(objects: KubeObject[]) {
    this.refresh(objects);
  }

  refresh(objects: KubeObject[]): void {
    const types = BUILTIN_RESOURCES.map((t) => ({ ...t }));
    const byGroupKind = new Map(types.map((t) => [`${t.group}|${t.kind}`, t]));
    for (const obj of objects) {
      if (obj.kind !== 'CustomResourceDefinition') continue;
      const crdType = resourceFromCrd(obj);
      if (crdType && !byGroupKind.has(`${crdType.group}|${crdType.kind}`)) {
        types.push(crdType);
        byGroupKind.set(`${crdType.group}|${crdType.kind}`, crdType);
      }
    }
    for (const obj of objects) {
      if (!obj.apiVersion || !obj.kind || obj.kind.endsWith('List')) continue;
      const { group, version } = splitApiVersion(obj.apiVersion);
      const existing = byGroupKind.get(`${group}|${obj.kind}`);
      if (existing) {
        if (!existing.versions.includes(version) && !BUILTIN_RESOURCES.includes(existing)) existing.versions.push(version);
        continue;
      }
      const inferred: ResourceType = {
        group,
        versions: [version],
        plural: guessPlural(obj.kind),
        singular: obj.kind.toLowerCase(),
        kind: obj.kind,
        namespaced: Boolean(obj.metadata?.namespace),
        verbs: RW,
        subresources: [{ ...STATUS, kind: obj.kind }],
      };
      types.push(inferred);
      byGroupKind.set(`${group}|${obj.kind}`, inferred);
    }
    this.types = types;
  }

  all(): ResourceType[] {
    return this.types;
  }

  groups(): ApiGroupInfo[] {
    const versionsByGroup = new Map<string, string[]>();
    for (const t of this.types) {
      if (!t.group) continue;
      const versions = versionsByGroup.get(t.group) ?? [];
      for (const v of t.versions) if (!versions.includes(v)) versions.push(v);
      versionsByGroup.set(t.group, versions);
    }
    const rank = (g: string) => {
      const i = GROUP_ORDER.indexOf(g);
      return i < 0 ? GROUP_ORDER.length : i;
    };
    return [...versionsByGroup.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || ordinal(a, b))
      .map(([name, versions]) => ({ name, versions }));
  }

  /** The type served at group/version under that plural name, if any. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.plural === plural && t.versions.includes(version));
  }

  forObject(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): ResourceType | undefined {
    const { group } = splitApiVersion(obj.apiVersion);
    return this.types.find((t) => t.group === group && t.kind === obj.kind);
  }

  resourceList(group: string, version: string): Record<string, unknown> | undefined {
    const types = this.types.filter((t) => t.group === group && t.versions.includes(version));
    if (types.length === 0) return undefined;
    const resources: Record<string, unknown>[] = [];
    for (const t of [...types].sort((a, b) => ordinal(a.plural, b.plural))) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: t.verbs,
        ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
        ...(t.categories?.length ? { categories: t.categories } : {}),
      });
      for (const sub of t.subresources ?? []) {
        resources.push({
          name: `${t.plural}/${sub.name}`,
          singularName: '',
          namespaced: t.namespaced,
          ...(sub.group !== undefined ? { group: sub.group, version: sub.version } : {}),
          kind: sub.kind || t.kind,
          verbs: sub.verbs,
        });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: joinApiVersion(group, version), resources };
  }

  groupList(): Record<string, unknown> {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.groups().map((g) => this.groupObject(g)),
    };
  }

  group(name: string): Record<string, unknown> | undefined {
    const g = this.groups().find((x) => x.name === name);
    return g ? { kind: 'APIGroup', apiVersion: 'v1', ...this.groupObject(g) } : undefined;
  }

  private groupObject(g: ApiGroupInfo): Record<string, unknown> {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  }
}
