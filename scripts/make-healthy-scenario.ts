// Generates resources/ and logs/ of the built-in `healthy` scenario (the committed data is the
// product; this script is how it was made and how to remake it consistently):
//   npx jiti scripts/make-healthy-scenario.ts
// scenario.yaml and the TLS secret (scripts/make-scenario-certs.ts) are not touched.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { stableUid } from '../src/main/sandbox/snapshot';

type Obj = Record<string, any>;

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'scenarios', 'healthy');
const CAPTURED_AT = Date.parse('2026-01-10T10:00:00Z');
const NS = 'traffic-system';
const CHART = 'traffic-system-2.4.1';
const APP_VERSION = '2.4.1';
const K8S_VERSION = 'v1.29.6';

// Deterministic pseudo-random numbers so regenerating gives the same files.
let seed = 20260110;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
const between = (a: number, b: number) => Math.floor(a + rand() * (b - a + 1));
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const at = (s: string) => Date.parse(s);
const minutesBefore = (m: number) => CAPTURED_AT - m * 60_000;

function uid(kind: string, namespace: string | undefined, name: string) {
  return stableUid(kind, namespace, name);
}

function meta(kind: string, name: string, namespace: string | undefined, created: string, extra: Obj = {}): Obj {
  const m: Obj = { name };
  if (namespace) m.namespace = namespace;
  m.uid = uid(kind, namespace, name);
  m.resourceVersion = String(between(100000, 9999999));
  m.creationTimestamp = created;
  return { ...m, ...extra };
}

function helmLabels(component: string, name = 'traffic-system'): Obj {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': 'traffic-system',
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/version': APP_VERSION,
    'app.kubernetes.io/managed-by': 'Helm',
    'helm.sh/chart': CHART,
  };
}
const selectorOf = (labels: Obj) => ({
  'app.kubernetes.io/name': labels['app.kubernetes.io/name'],
  'app.kubernetes.io/instance': labels['app.kubernetes.io/instance'],
  'app.kubernetes.io/component': labels['app.kubernetes.io/component'],
});
const helmAnnotations = { 'meta.helm.sh/release-name': 'traffic-system', 'meta.helm.sh/release-namespace': NS };

// ---------------------------------------------------------------------------------------------
// Files

const files = new Map<string, Obj[]>();
function add(file: string, ...objects: Obj[]) {
  const list = files.get(file) ?? [];
  list.push(...objects);
  files.set(file, list);
}
const logs = new Map<string, string[]>();

// ---------------------------------------------------------------------------------------------
// Cluster: namespaces, CRDs, nodes, storage

const CLUSTER_CREATED = '2025-09-15T08:12:31Z';
for (const [name, created] of [
  ['default', CLUSTER_CREATED],
  ['kube-system', CLUSTER_CREATED],
  ['kube-public', CLUSTER_CREATED],
  ['kube-node-lease', CLUSTER_CREATED],
  ['ingress-nginx', '2025-09-15T09:02:10Z'],
  ['cert-manager', '2025-09-15T09:05:44Z'],
  [NS, '2025-11-03T14:20:00Z'],
] as const) {
  add('cluster/namespaces.yaml', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta('Namespace', name, undefined, created, { labels: { 'kubernetes.io/metadata.name': name } }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
}

function crd(group: string, kind: string, plural: string, scope: 'Namespaced' | 'Cluster', version: string, columns: Obj[], shortNames: string[] = [], labels: Obj = {}): Obj {
  const name = `${plural}.${group}`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: meta('CustomResourceDefinition', name, undefined, '2025-09-15T09:05:50Z', { labels }),
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames, categories: group === 'cert-manager.io' ? ['cert-manager'] : [] },
      scope,
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: columns,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
    status: {
      acceptedNames: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames },
      storedVersions: [version],
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: '2025-09-15T09:05:50Z' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: '2025-09-15T09:05:50Z' },
      ],
    },
  };
}
const readyColumns = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
];
add(
  'cluster/crds.yaml',
  crd('cert-manager.io', 'Certificate', 'certificates', 'Namespaced', 'v1', [
    ...readyColumns,
    { name: 'Secret', type: 'string', jsonPath: '.spec.secretName' },
    { name: 'Issuer', type: 'string', priority: 1, jsonPath: '.spec.issuerRef.name' },
    { name: 'Status', type: 'string', priority: 1, jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ], ['cert', 'certs']),
  crd('cert-manager.io', 'Issuer', 'issuers', 'Namespaced', 'v1', [
    ...readyColumns,
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ]),
  crd('cert-manager.io', 'ClusterIssuer', 'clusterissuers', 'Cluster', 'v1', [
    ...readyColumns,
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ], ['ciss']),
  crd('monitoring.coreos.com', 'ServiceMonitor', 'servicemonitors', 'Namespaced', 'v1', [], ['smon']),
);

interface NodeSpec {
  name: string;
  ip: string;
  cidr: string;
  cpu: string;
  memory: string;
  storage: string;
  gpu?: number;
  controlPlane?: boolean;
  zone: string;
}
const NODES: NodeSpec[] = [
  { name: 'control-plane-1', ip: '10.0.1.10', cidr: '10.244.0.0/24', cpu: '4', memory: '8148856Ki', storage: '101430960Ki', controlPlane: true, zone: 'zone-a' },
  { name: 'worker-1', ip: '10.0.1.21', cidr: '10.244.1.0/24', cpu: '8', memory: '32859992Ki', storage: '203070420Ki', zone: 'zone-a' },
  { name: 'worker-2', ip: '10.0.1.22', cidr: '10.244.2.0/24', cpu: '8', memory: '32859992Ki', storage: '203070420Ki', zone: 'zone-b' },
  { name: 'gpu-worker-1', ip: '10.0.1.31', cidr: '10.244.3.0/24', cpu: '16', memory: '65861428Ki', storage: '406140840Ki', gpu: 2, zone: 'zone-a' },
];
for (const n of NODES) {
  const labels: Obj = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
    'topology.kubernetes.io/zone': n.zone,
  };
  if (n.controlPlane) {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  if (n.gpu) {
    labels['nvidia.com/gpu.present'] = 'true';
    labels['nvidia.com/gpu.product'] = 'Tesla-T4';
    labels['nvidia.com/gpu.count'] = String(n.gpu);
    labels.accelerator = 'nvidia-tesla-t4';
  }
  const capacity: Obj = { cpu: n.cpu, 'ephemeral-storage': n.storage, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: n.memory, pods: '110' };
  if (n.gpu) capacity['nvidia.com/gpu'] = String(n.gpu);
  const allocatable: Obj = { ...capacity, cpu: `${Number(n.cpu) * 1000 - 100}m`, memory: `${parseInt(n.memory) - 204800}Ki` };
  const heartbeat = iso(minutesBefore(0.5));
  const since = iso(at('2026-01-02T04:11:09Z'));
  const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: heartbeat, lastTransitionTime: since });
  add('cluster/nodes.yaml', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta('Node', n.name, undefined, CLUSTER_CREATED, {
      labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    }),
    spec: {
      podCIDR: n.cidr,
      podCIDRs: [n.cidr],
      ...(n.controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
      ...(n.gpu ? { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: n.ip },
        { type: 'Hostname', address: n.name },
      ],
      allocatable,
      capacity,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status. AppArmor enabled'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: uid('boot', undefined, n.name),
        containerRuntimeVersion: 'containerd://1.7.13',
        kernelVersion: '6.1.0-18-amd64',
        kubeProxyVersion: K8S_VERSION,
        kubeletVersion: K8S_VERSION,
        machineID: hex(32),
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        systemUUID: uid('system', undefined, n.name),
      },
    },
  });
}

add('cluster/storage.yaml', {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: meta('StorageClass', 'standard', undefined, CLUSTER_CREATED, { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }),
  provisioner: 'driver.longhorn.io',
  parameters: { numberOfReplicas: '2', staleReplicaTimeout: '30', fsType: 'ext4' },
  reclaimPolicy: 'Delete',
  allowVolumeExpansion: true,
  volumeBindingMode: 'Immediate',
});

// ---------------------------------------------------------------------------------------------
// Workloads

interface ContainerSpec {
  name: string;
  image: string;
  ports?: Obj[];
  resources?: Obj;
  env?: Obj[];
  envFrom?: Obj[];
  args?: string[];
  command?: string[];
  readinessProbe?: Obj;
  livenessProbe?: Obj;
  volumeMounts?: Obj[];
}
interface PodRun {
  name: string;
  node: string;
  ip: string;
  created: string;
  started: string;
  restarts?: Array<{ reason: string; exitCode: number; startedAt: string; finishedAt: string }>;
}
interface Workload {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  namespace: string;
  labels: Obj;
  selector: Obj;
  created: string;
  revision: number;
  rsHash?: string;
  oldRsHashes?: string[];
  containers: ContainerSpec[];
  podSpecExtra?: Obj;
  volumes?: Obj[];
  pods: PodRun[];
  file: string;
  serviceAccount?: string;
  volumeClaimTemplates?: Obj[];
  serviceName?: string;
}

const probe = (path: string, port: number | string, extra: Obj = {}) => ({
  httpGet: { path, port, scheme: 'HTTP' },
  initialDelaySeconds: 10,
  periodSeconds: 10,
  timeoutSeconds: 3,
  successThreshold: 1,
  failureThreshold: 3,
  ...extra,
});

function containerObject(c: ContainerSpec): Obj {
  const o: Obj = { name: c.name, image: c.image, imagePullPolicy: 'IfNotPresent' };
  if (c.command) o.command = c.command;
  if (c.args) o.args = c.args;
  if (c.ports) o.ports = c.ports;
  if (c.env) o.env = c.env;
  if (c.envFrom) o.envFrom = c.envFrom;
  o.resources = c.resources ?? {};
  if (c.readinessProbe) o.readinessProbe = c.readinessProbe;
  if (c.livenessProbe) o.livenessProbe = c.livenessProbe;
  if (c.volumeMounts) o.volumeMounts = c.volumeMounts;
  o.terminationMessagePath = '/dev/termination-log';
  o.terminationMessagePolicy = 'File';
  return o;
}

function podTemplate(w: Workload, hash?: string): Obj {
  const labels = { ...w.labels, ...(hash ? { 'pod-template-hash': hash } : {}) };
  delete labels['app.kubernetes.io/version'];
  return {
    metadata: { labels, annotations: w.kind === 'Deployment' && w.namespace === NS ? { 'checksum/config': hex(64) } : undefined },
    spec: {
      ...(w.serviceAccount ? { serviceAccountName: w.serviceAccount } : {}),
      containers: w.containers.map(containerObject),
      ...(w.volumes ? { volumes: w.volumes } : {}),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      ...(w.podSpecExtra ?? {}),
    },
  };
}

const IMAGE_IDS = new Map<string, string>();
function imageId(image: string) {
  if (!IMAGE_IDS.has(image)) IMAGE_IDS.set(image, `${image.split(':')[0]}@sha256:${hex(64)}`);
  return IMAGE_IDS.get(image)!;
}

function readinessAt(p: PodRun): string {
  const last = p.restarts?.[p.restarts.length - 1];
  const start = Date.parse(last ? last.finishedAt : p.started);
  return iso(start + 25_000);
}

function makeWorkload(w: Workload) {
  const owner = (kind: string, name: string, ownerUid?: string) => ({ apiVersion: 'apps/v1', kind, name, uid: ownerUid ?? uid(kind, w.namespace, name), controller: true, blockOwnerDeletion: true });
  const replicas = w.pods.length;
  const isHelm = w.namespace === NS;
  const baseAnnotations = isHelm ? { ...helmAnnotations } : {};
  const lastRollout = w.pods.map((p) => p.created).sort()[0];
  if (w.kind === 'Deployment') {
    add(w.file, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('Deployment', w.name, w.namespace, w.created, {
        generation: w.revision,
        labels: w.labels,
        annotations: { 'deployment.kubernetes.io/revision': String(w.revision), ...baseAnnotations },
      }),
      spec: {
        replicas,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: w.selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: podTemplate(w),
      },
      status: {
        observedGeneration: w.revision,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: iso(Date.parse(lastRollout) + 40_000), lastTransitionTime: iso(Date.parse(lastRollout) + 40_000) },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${w.name}-${w.rsHash}" has successfully progressed.`, lastUpdateTime: iso(Date.parse(lastRollout) + 45_000), lastTransitionTime: w.created },
        ],
      },
    });
    const rsList: Array<{ hash: string; revision: number; replicas: number; created: string }> = [
      ...(w.oldRsHashes ?? []).map((hash, i) => ({ hash, revision: w.revision - (w.oldRsHashes!.length - i), replicas: 0, created: iso(Date.parse(w.created) + i * 29 * 86_400_000) })),
      { hash: w.rsHash!, revision: w.revision, replicas, created: lastRollout },
    ];
    for (const rs of rsList) {
      const name = `${w.name}-${rs.hash}`;
      add(w.file, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: meta('ReplicaSet', name, w.namespace, rs.created, {
          generation: 1,
          labels: { ...w.selector, 'pod-template-hash': rs.hash },
          annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 1), 'deployment.kubernetes.io/revision': String(rs.revision), ...baseAnnotations },
          ownerReferences: [owner('Deployment', w.name)],
        }),
        spec: { replicas: rs.replicas, selector: { matchLabels: { ...w.selector, 'pod-template-hash': rs.hash } }, template: podTemplate(w, rs.hash) },
        status: rs.replicas
          ? { replicas: rs.replicas, fullyLabeledReplicas: rs.replicas, readyReplicas: rs.replicas, availableReplicas: rs.replicas, observedGeneration: 1 }
          : { replicas: 0, observedGeneration: 2 },
      });
    }
  } else {
    add(w.file, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('StatefulSet', w.name, w.namespace, w.created, { generation: w.revision, labels: w.labels, annotations: baseAnnotations }),
      spec: {
        replicas,
        serviceName: w.serviceName,
        podManagementPolicy: 'OrderedReady',
        revisionHistoryLimit: 10,
        selector: { matchLabels: w.selector },
        template: podTemplate(w),
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        volumeClaimTemplates: w.volumeClaimTemplates,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
      status: {
        observedGeneration: w.revision,
        replicas,
        readyReplicas: replicas,
        currentReplicas: replicas,
        updatedReplicas: replicas,
        availableReplicas: replicas,
        currentRevision: `${w.name}-${w.rsHash}`,
        updateRevision: `${w.name}-${w.rsHash}`,
        collisionCount: 0,
      },
    });
  }

  for (const p of w.pods) {
    const podLabels: Obj = { ...w.selector };
    for (const [k, v] of Object.entries(w.labels)) if (k !== 'app.kubernetes.io/version' && k !== 'helm.sh/chart') podLabels[k] = v;
    if (w.kind === 'Deployment') podLabels['pod-template-hash'] = w.rsHash;
    else {
      podLabels['controller-revision-hash'] = `${w.name}-${w.rsHash}`;
      podLabels['statefulset.kubernetes.io/pod-name'] = p.name;
      podLabels['apps.kubernetes.io/pod-index'] = p.name.split('-').pop();
    }
    const ownerRef = w.kind === 'Deployment' ? owner('ReplicaSet', `${w.name}-${w.rsHash}`) : owner('StatefulSet', w.name);
    const readyAt = readinessAt(p);
    const spec = podTemplate(w).spec;
    spec.nodeName = p.node;
    spec.enableServiceLinks = true;
    spec.preemptionPolicy = 'PreemptLowerPriority';
    spec.priority = 0;
    spec.serviceAccountName ??= 'default';
    spec.tolerations = [
      ...(spec.tolerations ?? []),
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ];
    if (w.kind === 'StatefulSet') {
      spec.hostname = p.name;
      spec.subdomain = w.serviceName;
      spec.volumes = [
        { name: 'data', persistentVolumeClaim: { claimName: `data-${p.name}` } },
        ...(spec.volumes ?? []),
      ];
    }
    const guaranteed = w.containers.every((c) => c.resources?.limits && c.resources?.requests && JSON.stringify(c.resources.limits) === JSON.stringify(c.resources.requests));
    const burstable = w.containers.some((c) => c.resources?.requests || c.resources?.limits);
    add(w.file, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('Pod', p.name, w.namespace, p.created, {
        generateName: w.kind === 'Deployment' ? `${w.name}-${w.rsHash}-` : `${w.name}-`,
        labels: podLabels,
        annotations: podTemplate(w).metadata.annotations,
        ownerReferences: [ownerRef],
      }),
      spec,
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: iso(Date.parse(p.created) + 4_000) },
          { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: iso(Date.parse(p.created) + 2_000) },
          { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: readyAt },
          { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: readyAt },
          { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: p.created },
        ],
        hostIP: NODES.find((n) => n.name === p.node)!.ip,
        hostIPs: [{ ip: NODES.find((n) => n.name === p.node)!.ip }],
        podIP: p.ip,
        podIPs: [{ ip: p.ip }],
        startTime: p.created,
        qosClass: guaranteed ? 'Guaranteed' : burstable ? 'Burstable' : 'BestEffort',
        containerStatuses: w.containers.map((c, i) => {
          const restarts = i === 0 ? (p.restarts ?? []) : [];
          const last = restarts[restarts.length - 1];
          return {
            name: c.name,
            image: c.image,
            imageID: imageId(c.image),
            containerID: `containerd://${hex(64)}`,
            ready: true,
            started: true,
            restartCount: restarts.length,
            state: { running: { startedAt: last ? last.finishedAt : p.started } },
            lastState: last ? { terminated: { exitCode: last.exitCode, reason: last.reason, startedAt: last.startedAt, finishedAt: last.finishedAt, containerID: `containerd://${hex(64)}` } } : {},
          };
        }),
      },
    });
  }
}

// Secrets referenced by env
const secretEnv = (envName: string, secret: string, key: string) => ({ name: envName, valueFrom: { secretKeyRef: { name: secret, key } } });

const ROLLOUT = '2026-01-05T16:31:02Z';
const rollout = (secondsAfter: number) => iso(Date.parse(ROLLOUT) + secondsAfter * 1000);

const W: Record<string, Workload> = {};
W.frontend = {
  kind: 'Deployment', name: 'traffic-system-frontend', namespace: NS, labels: helmLabels('frontend'), selector: selectorOf(helmLabels('frontend')),
  created: '2025-11-03T14:20:12Z', revision: 3, rsHash: '6d8f7c9b54', oldRsHashes: ['5b6c8d7f9a', '79c4b5d8f6'], file: 'traffic-system/frontend.yaml',
  containers: [{
    name: 'frontend', image: 'registry.example.com/traffic-system/frontend:2.4.1',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    readinessProbe: probe('/', 'http'), livenessProbe: probe('/', 'http', { initialDelaySeconds: 30 }),
    env: [{ name: 'API_BASE_URL', value: '/api/v1' }],
  }],
  pods: [
    { name: 'traffic-system-frontend-6d8f7c9b54-x7k2p', node: 'worker-1', ip: '10.244.1.21', created: rollout(0), started: rollout(6) },
    { name: 'traffic-system-frontend-6d8f7c9b54-q9m4n', node: 'worker-2', ip: '10.244.2.21', created: rollout(34), started: rollout(40) },
  ],
};
W.backend = {
  kind: 'Deployment', name: 'traffic-system-backend', namespace: NS, labels: helmLabels('backend'), selector: selectorOf(helmLabels('backend')),
  created: '2025-11-03T14:20:12Z', revision: 3, rsHash: '7c9d8f6b5d', oldRsHashes: ['6f4b9c7d58', '58d7c6b9f4'], file: 'traffic-system/backend.yaml',
  containers: [{
    name: 'backend', image: 'registry.example.com/traffic-system/backend:2.4.1',
    command: ['gunicorn'], args: ['traffic.wsgi:application', '--bind=0.0.0.0:8000', '--workers=4', '--timeout=60', '--access-logfile=-'],
    ports: [{ name: 'http', containerPort: 8000, protocol: 'TCP' }],
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    envFrom: [{ configMapRef: { name: 'traffic-system-backend-config' } }],
    env: [
      secretEnv('DJANGO_SECRET_KEY', 'traffic-system-secrets', 'django-secret-key'),
      secretEnv('DATABASE_PASSWORD', 'traffic-system-postgresql', 'password'),
      secretEnv('MINIO_ACCESS_KEY', 'traffic-system-minio', 'root-user'),
      secretEnv('MINIO_SECRET_KEY', 'traffic-system-minio', 'root-password'),
    ],
    readinessProbe: probe('/api/v1/health/', 'http'), livenessProbe: probe('/api/v1/health/', 'http', { initialDelaySeconds: 30, periodSeconds: 20 }),
    volumeMounts: [{ name: 'logs', mountPath: '/app/logs' }, { name: 'shared-storage', mountPath: '/app/media' }],
  }],
  volumes: [{ name: 'logs', emptyDir: {} }, { name: 'shared-storage', persistentVolumeClaim: { claimName: 'traffic-system-shared-storage' } }],
  pods: [
    {
      name: 'traffic-system-backend-7c9d8f6b5d-h2x8r', node: 'worker-1', ip: '10.244.1.22', created: rollout(0), started: rollout(9),
      restarts: [{ reason: 'Error', exitCode: 1, startedAt: rollout(9), finishedAt: '2026-01-08T03:12:41Z' }],
    },
    { name: 'traffic-system-backend-7c9d8f6b5d-m5t9w', node: 'worker-2', ip: '10.244.2.22', created: rollout(38), started: rollout(47) },
  ],
};
W.ml = {
  kind: 'Deployment', name: 'traffic-system-ml-service', namespace: NS, labels: helmLabels('ml-service'), selector: selectorOf(helmLabels('ml-service')),
  created: '2025-11-03T14:20:12Z', revision: 3, rsHash: '5f7b9c8d46', oldRsHashes: ['7d5f8b6c94', '6c8d9f7b45'], file: 'traffic-system/ml-service.yaml',
  containers: [{
    name: 'ml-service', image: 'registry.example.com/traffic-system/ml-service:2.4.1-cuda12.2',
    ports: [{ name: 'http', containerPort: 8001, protocol: 'TCP' }],
    resources: { requests: { cpu: '2000m', memory: '4Gi', 'nvidia.com/gpu': '1' }, limits: { cpu: '4000m', memory: '8Gi', 'nvidia.com/gpu': '1' } },
    env: [
      { name: 'MODEL_NAME', value: 'plate-detector-v3.2' },
      { name: 'MODEL_CACHE_DIR', value: '/app/model_cache' },
      { name: 'MAX_BATCH_SIZE', value: '8' },
      { name: 'MAX_QUEUE_SIZE', value: '64' },
      { name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' },
    ],
    readinessProbe: probe('/health', 'http', { initialDelaySeconds: 40 }), livenessProbe: probe('/health', 'http', { initialDelaySeconds: 90, periodSeconds: 30, timeoutSeconds: 10 }),
    volumeMounts: [{ name: 'model-cache', mountPath: '/app/model_cache' }, { name: 'tmp', mountPath: '/tmp' }],
  }],
  volumes: [{ name: 'model-cache', emptyDir: { sizeLimit: '20Gi' } }, { name: 'tmp', emptyDir: { sizeLimit: '10Gi' } }],
  podSpecExtra: {
    nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  },
  pods: [
    { name: 'traffic-system-ml-service-5f7b9c8d46-k8v2c', node: 'gpu-worker-1', ip: '10.244.3.11', created: rollout(0), started: rollout(14) },
    { name: 'traffic-system-ml-service-5f7b9c8d46-r3n7j', node: 'gpu-worker-1', ip: '10.244.3.12', created: rollout(71), started: rollout(83) },
  ],
};
W.minio = {
  kind: 'Deployment', name: 'traffic-system-minio', namespace: NS,
  labels: { ...helmLabels('minio', 'minio'), 'helm.sh/chart': 'minio-14.1.3' }, selector: selectorOf(helmLabels('minio', 'minio')),
  created: '2025-11-03T14:20:12Z', revision: 1, rsHash: '84d6c5f9b7', file: 'traffic-system/minio.yaml',
  containers: [{
    name: 'minio', image: 'docker.io/bitnami/minio:2024.1.16-debian-11-r0',
    ports: [{ name: 'minio-api', containerPort: 9000, protocol: 'TCP' }, { name: 'minio-console', containerPort: 9001, protocol: 'TCP' }],
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } },
    env: [
      secretEnv('MINIO_ROOT_USER', 'traffic-system-minio', 'root-user'),
      secretEnv('MINIO_ROOT_PASSWORD', 'traffic-system-minio', 'root-password'),
      { name: 'MINIO_DEFAULT_BUCKETS', value: 'infraction-images,evidence' },
      { name: 'MINIO_PROMETHEUS_AUTH_TYPE', value: 'public' },
    ],
    readinessProbe: probe('/minio/health/ready', 'minio-api', { initialDelaySeconds: 5 }), livenessProbe: probe('/minio/health/live', 'minio-api', { initialDelaySeconds: 5 }),
    volumeMounts: [{ name: 'data', mountPath: '/bitnami/minio/data' }],
  }],
  volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'traffic-system-minio' } }],
  pods: [{ name: 'traffic-system-minio-84d6c5f9b7-t6w4z', node: 'worker-2', ip: '10.244.2.23', created: '2025-11-03T14:20:14Z', started: '2025-11-03T14:20:31Z' }],
};
W.prometheus = {
  kind: 'Deployment', name: 'traffic-system-prometheus-server', namespace: NS,
  labels: { ...helmLabels('server', 'prometheus'), 'helm.sh/chart': 'prometheus-25.8.2' }, selector: selectorOf(helmLabels('server', 'prometheus')),
  created: '2025-11-03T14:20:12Z', revision: 2, rsHash: '6b9f4d7c85', oldRsHashes: ['5c7d8b9f64'], file: 'traffic-system/prometheus.yaml', serviceAccount: 'traffic-system-prometheus-server',
  containers: [
    {
      name: 'prometheus-server', image: 'quay.io/prometheus/prometheus:v2.48.1',
      args: ['--storage.tsdb.retention.time=15d', '--config.file=/etc/config/prometheus.yml', '--storage.tsdb.path=/data', '--web.enable-lifecycle'],
      ports: [{ containerPort: 9090, protocol: 'TCP' }],
      resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      readinessProbe: probe('/-/ready', 9090, { initialDelaySeconds: 30 }), livenessProbe: probe('/-/healthy', 9090, { initialDelaySeconds: 30 }),
      volumeMounts: [{ name: 'config-volume', mountPath: '/etc/config' }, { name: 'storage-volume', mountPath: '/data' }],
    },
    {
      name: 'prometheus-server-configmap-reload', image: 'quay.io/prometheus-operator/prometheus-config-reloader:v0.70.0',
      args: ['--watched-dir=/etc/config', '--reload-url=http://127.0.0.1:9090/-/reload'],
      resources: {},
      volumeMounts: [{ name: 'config-volume', mountPath: '/etc/config', readOnly: true }],
    },
  ],
  volumes: [{ name: 'config-volume', configMap: { name: 'traffic-system-prometheus-server', defaultMode: 420 } }, { name: 'storage-volume', emptyDir: {} }],
  pods: [{ name: 'traffic-system-prometheus-server-6b9f4d7c85-p2l8s', node: 'worker-1', ip: '10.244.1.24', created: '2025-12-02T09:46:40Z', started: '2025-12-02T09:46:52Z' }],
};
W.postgresql = {
  kind: 'StatefulSet', name: 'traffic-system-postgresql', namespace: NS,
  labels: { ...helmLabels('primary', 'postgresql'), 'helm.sh/chart': 'postgresql-13.2.24' }, selector: selectorOf(helmLabels('primary', 'postgresql')),
  created: '2025-11-03T14:20:12Z', revision: 3, rsHash: '7b8c9d6f5b', file: 'traffic-system/postgresql.yaml', serviceName: 'traffic-system-postgresql-hl',
  containers: [{
    name: 'postgresql', image: 'docker.io/bitnami/postgresql:15.5.0-debian-11-r5',
    ports: [{ name: 'tcp-postgresql', containerPort: 5432, protocol: 'TCP' }],
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2000m', memory: '4Gi' } },
    env: [
      { name: 'POSTGRESQL_PORT_NUMBER', value: '5432' },
      { name: 'POSTGRES_USER', value: 'trafficuser' },
      { name: 'POSTGRES_DATABASE', value: 'trafficdb' },
      secretEnv('POSTGRES_PASSWORD', 'traffic-system-postgresql', 'password'),
      secretEnv('POSTGRES_POSTGRES_PASSWORD', 'traffic-system-postgresql', 'postgres-password'),
      { name: 'POSTGRESQL_SHARED_PRELOAD_LIBRARIES', value: 'pg_stat_statements' },
    ],
    readinessProbe: { exec: { command: ['/bin/sh', '-c', '-e', 'exec pg_isready -U "trafficuser" -d "dbname=trafficdb" -h 127.0.0.1 -p 5432'] }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 6 },
    livenessProbe: { exec: { command: ['/bin/sh', '-c', 'exec pg_isready -U "trafficuser" -d "dbname=trafficdb" -h 127.0.0.1 -p 5432'] }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 6 },
    volumeMounts: [{ name: 'data', mountPath: '/bitnami/postgresql' }, { name: 'postgresql-config', mountPath: '/bitnami/postgresql/conf/conf.d' }, { name: 'dshm', mountPath: '/dev/shm' }],
  }],
  volumes: [{ name: 'postgresql-config', configMap: { name: 'traffic-system-postgresql-config', defaultMode: 420 } }, { name: 'dshm', emptyDir: { medium: 'Memory' } }],
  podSpecExtra: { securityContext: { fsGroup: 1001 } },
  volumeClaimTemplates: [{
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem' },
  }],
  pods: [{ name: 'traffic-system-postgresql-0', node: 'worker-1', ip: '10.244.1.23', created: rollout(2), started: rollout(5) }],
};
W.ingress = {
  kind: 'Deployment', name: 'ingress-nginx-controller', namespace: 'ingress-nginx',
  labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/part-of': 'ingress-nginx', 'app.kubernetes.io/version': '1.9.5' },
  selector: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
  created: '2025-09-15T09:02:15Z', revision: 1, rsHash: '7d4db76c8b', file: 'ingress-nginx/controller.yaml', serviceAccount: 'ingress-nginx',
  containers: [{
    name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.9.5',
    args: ['/nginx-ingress-controller', '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller', '--election-id=ingress-nginx-leader', '--controller-class=k8s.io/ingress-nginx', '--ingress-class=nginx', '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--validating-webhook=:8443'],
    ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'https', containerPort: 443, protocol: 'TCP' }, { name: 'webhook', containerPort: 8443, protocol: 'TCP' }, { name: 'metrics', containerPort: 10254, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '90Mi' } },
    readinessProbe: probe('/healthz', 10254), livenessProbe: probe('/healthz', 10254, { failureThreshold: 5 }),
  }],
  pods: [{ name: 'ingress-nginx-controller-7d4db76c8b-9xq2m', node: 'worker-2', ip: '10.244.2.10', created: '2025-12-14T02:10:03Z', started: '2025-12-14T02:10:08Z' }],
};
W.coredns = {
  kind: 'Deployment', name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, selector: { 'k8s-app': 'kube-dns' },
  created: CLUSTER_CREATED, revision: 1, rsHash: '5d78c9869d', file: 'kube-system/coredns.yaml', serviceAccount: 'coredns',
  containers: [{
    name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.1', args: ['-conf', '/etc/coredns/Corefile'],
    ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }, { name: 'metrics', containerPort: 9153, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } },
    readinessProbe: probe('/ready', 8181, { initialDelaySeconds: 0 }), livenessProbe: probe('/health', 8080, { initialDelaySeconds: 60, timeoutSeconds: 5, failureThreshold: 5 }),
    volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
  }],
  volumes: [{ name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }], defaultMode: 420 } }],
  podSpecExtra: { priorityClassName: 'system-cluster-critical', dnsPolicy: 'Default' },
  pods: [
    { name: 'coredns-5d78c9869d-4kx9p', node: 'worker-1', ip: '10.244.1.2', created: '2025-09-15T08:13:40Z', started: '2025-09-15T08:13:44Z' },
    { name: 'coredns-5d78c9869d-w8h6t', node: 'worker-2', ip: '10.244.2.2', created: '2025-09-15T08:13:40Z', started: '2025-09-15T08:13:45Z' },
  ],
};
W.certManager = {
  kind: 'Deployment', name: 'cert-manager', namespace: 'cert-manager',
  labels: { app: 'cert-manager', 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/version': 'v1.13.3' },
  selector: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/component': 'controller' },
  created: '2025-09-15T09:05:52Z', revision: 1, rsHash: '6f6d9c9b8d', file: 'cert-manager/cert-manager.yaml', serviceAccount: 'cert-manager',
  containers: [{
    name: 'cert-manager-controller', image: 'quay.io/jetstack/cert-manager-controller:v1.13.3',
    args: ['--v=2', '--cluster-resource-namespace=$(POD_NAMESPACE)', '--leader-election-namespace=kube-system'],
    ports: [{ name: 'http-metrics', containerPort: 9402, protocol: 'TCP' }],
    resources: {},
  }],
  pods: [{ name: 'cert-manager-6f6d9c9b8d-zl5vh', node: 'worker-1', ip: '10.244.1.30', created: '2025-09-15T09:05:53Z', started: '2025-09-15T09:06:02Z' }],
};
for (const w of Object.values(W)) makeWorkload(w);

// ---------------------------------------------------------------------------------------------
// Services, Endpoints, EndpointSlices

interface ServiceSpec {
  name: string;
  namespace: string;
  labels: Obj;
  selector?: Obj;
  clusterIP: string;
  ports: Array<{ name: string; port: number; targetPort: number | string; protocol?: string }>;
  workload?: Workload;
  file: string;
  type?: string;
  extra?: Obj;
  status?: Obj;
  created?: string;
  endpointsFor?: Array<{ ip: string; node?: string }>;
}

function targetPortNumber(w: Workload | undefined, tp: number | string): number {
  if (typeof tp === 'number') return tp;
  for (const c of w?.containers ?? []) for (const p of c.ports ?? []) if (p.name === tp) return p.containerPort;
  throw new Error(`no port named ${tp}`);
}

function makeService(s: ServiceSpec) {
  const created = s.created ?? s.workload?.created ?? CLUSTER_CREATED;
  add(s.file, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('Service', s.name, s.namespace, created, { labels: s.labels, ...(s.namespace === NS ? { annotations: helmAnnotations } : {}) }),
    spec: {
      type: s.type ?? 'ClusterIP',
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort })),
      ...(s.selector ? { selector: s.selector } : {}),
      sessionAffinity: 'None',
      ...(s.extra ?? {}),
    },
    status: s.status ?? { loadBalancer: {} },
  });
  const pods = s.workload?.pods ?? [];
  const addresses = s.endpointsFor
    ? s.endpointsFor.map((e) => ({ ip: e.ip, ...(e.node ? { nodeName: e.node } : {}) }))
    : pods.map((p) => ({ ip: p.ip, nodeName: p.node, targetRef: { kind: 'Pod', name: p.name, namespace: s.namespace, uid: uid('Pod', s.namespace, p.name) } }));
  const ports = s.ports.map((p) => ({ name: p.name, port: targetPortNumber(s.workload, p.targetPort), protocol: p.protocol ?? 'TCP' }));
  add(s.file, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta('Endpoints', s.name, s.namespace, created, { labels: s.labels, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': pods.length ? pods.map((p) => readinessAt(p)).sort().pop() : created } }),
    subsets: [{ addresses, ports }],
  });
  add(s.file, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta('EndpointSlice', `${s.name}-${hex(5).replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)])}`, s.namespace, created, {
      generateName: `${s.name}-`,
      labels: { ...s.labels, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': s.name },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: s.name, uid: uid('Service', s.namespace, s.name), controller: true, blockOwnerDeletion: true }],
    }),
    addressType: 'IPv4',
    endpoints: addresses.map((a: Obj) => ({
      addresses: [a.ip],
      conditions: { ready: true, serving: true, terminating: false },
      ...(a.nodeName ? { nodeName: a.nodeName } : {}),
      ...(a.targetRef ? { targetRef: a.targetRef } : {}),
    })),
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
  });
}

const svcLabels = (component: string, name = 'traffic-system') => {
  const l = helmLabels(component, name);
  return l;
};
makeService({ name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' }, clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443 }], endpointsFor: [{ ip: '10.0.1.10' }], file: 'cluster/kubernetes-service.yaml' });
makeService({ name: 'traffic-system-frontend', namespace: NS, labels: svcLabels('frontend'), selector: W.frontend.selector, clusterIP: '10.96.112.20', ports: [{ name: 'http', port: 80, targetPort: 'http' }], workload: W.frontend, file: 'traffic-system/frontend.yaml' });
makeService({ name: 'traffic-system-backend', namespace: NS, labels: svcLabels('backend'), selector: W.backend.selector, clusterIP: '10.96.112.21', ports: [{ name: 'http', port: 8000, targetPort: 'http' }], workload: W.backend, file: 'traffic-system/backend.yaml' });
makeService({ name: 'traffic-system-ml-service', namespace: NS, labels: svcLabels('ml-service'), selector: W.ml.selector, clusterIP: '10.96.112.22', ports: [{ name: 'http', port: 8001, targetPort: 'http' }], workload: W.ml, file: 'traffic-system/ml-service.yaml' });
makeService({ name: 'traffic-system-minio', namespace: NS, labels: W.minio.labels, selector: W.minio.selector, clusterIP: '10.96.112.23', ports: [{ name: 'minio-api', port: 9000, targetPort: 'minio-api' }, { name: 'minio-console', port: 9001, targetPort: 'minio-console' }], workload: W.minio, file: 'traffic-system/minio.yaml' });
makeService({ name: 'traffic-system-postgresql', namespace: NS, labels: W.postgresql.labels, selector: W.postgresql.selector, clusterIP: '10.96.112.24', ports: [{ name: 'tcp-postgresql', port: 5432, targetPort: 'tcp-postgresql' }], workload: W.postgresql, file: 'traffic-system/postgresql.yaml' });
makeService({ name: 'traffic-system-postgresql-hl', namespace: NS, labels: { ...W.postgresql.labels, 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' }, selector: W.postgresql.selector, clusterIP: 'None', ports: [{ name: 'tcp-postgresql', port: 5432, targetPort: 'tcp-postgresql' }], workload: W.postgresql, file: 'traffic-system/postgresql.yaml', extra: { publishNotReadyAddresses: true } });
makeService({ name: 'traffic-system-prometheus-server', namespace: NS, labels: W.prometheus.labels, selector: W.prometheus.selector, clusterIP: '10.96.112.25', ports: [{ name: 'http', port: 80, targetPort: 9090 }], workload: W.prometheus, file: 'traffic-system/prometheus.yaml' });
makeService({
  name: 'ingress-nginx-controller', namespace: 'ingress-nginx', labels: W.ingress.labels, selector: W.ingress.selector, clusterIP: '10.96.45.10', type: 'LoadBalancer',
  ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'https', port: 443, targetPort: 'https' }], workload: W.ingress, file: 'ingress-nginx/controller.yaml',
  extra: { externalTrafficPolicy: 'Local', allocateLoadBalancerNodePorts: true, healthCheckNodePort: 31852 },
  status: { loadBalancer: { ingress: [{ ip: '203.0.113.10', ipMode: 'VIP' }] } },
});
makeService({ name: 'ingress-nginx-controller-admission', namespace: 'ingress-nginx', labels: W.ingress.labels, selector: W.ingress.selector, clusterIP: '10.96.45.11', ports: [{ name: 'https-webhook', port: 443, targetPort: 'webhook' }], workload: W.ingress, file: 'ingress-nginx/controller.yaml' });
makeService({
  name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' }, selector: { 'k8s-app': 'kube-dns' }, clusterIP: '10.96.0.10',
  ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, targetPort: 53 }, { name: 'metrics', port: 9153, targetPort: 9153 }], workload: W.coredns, file: 'kube-system/coredns.yaml',
  extra: { }, created: CLUSTER_CREATED,
});
makeService({ name: 'cert-manager', namespace: 'cert-manager', labels: W.certManager.labels, selector: W.certManager.selector, clusterIP: '10.96.50.10', ports: [{ name: 'tcp-prometheus-servicemonitor', port: 9402, targetPort: 9402 }], workload: W.certManager, file: 'cert-manager/cert-manager.yaml' });

// ---------------------------------------------------------------------------------------------
// Storage: PVCs and PVs

function pvcAndPv(name: string, size: string, mode: string, created: string, boundOn: string, labels: Obj, file: string) {
  const pvcUid = uid('PersistentVolumeClaim', NS, name);
  const pvName = `pvc-${pvcUid}`;
  add(file, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta('PersistentVolumeClaim', name, NS, created, {
      labels,
      annotations: {
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': 'driver.longhorn.io',
        'volume.kubernetes.io/storage-provisioner': 'driver.longhorn.io',
      },
      finalizers: ['kubernetes.io/pvc-protection'],
    }),
    spec: { accessModes: [mode], resources: { requests: { storage: size } }, storageClassName: 'standard', volumeMode: 'Filesystem', volumeName: pvName },
    status: { phase: 'Bound', accessModes: [mode], capacity: { storage: size } },
  });
  add('cluster/persistent-volumes.yaml', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: meta('PersistentVolume', pvName, undefined, boundOn, {
      annotations: { 'pv.kubernetes.io/provisioned-by': 'driver.longhorn.io', 'volume.kubernetes.io/provisioner-deletion-secret-name': '', 'volume.kubernetes.io/provisioner-deletion-secret-namespace': '' },
      finalizers: ['kubernetes.io/pv-protection', 'external-provisioner.volume.kubernetes.io/finalizer'],
    }),
    spec: {
      accessModes: [mode],
      capacity: { storage: size },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace: NS, uid: pvcUid, resourceVersion: String(between(100000, 999999)) },
      csi: { driver: 'driver.longhorn.io', fsType: 'ext4', volumeHandle: pvName, volumeAttributes: { numberOfReplicas: '2', staleReplicaTimeout: '30', 'storage.kubernetes.io/csiProvisionerIdentity': '1694766123456-8081-driver.longhorn.io' } },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'standard',
      volumeMode: 'Filesystem',
    },
    status: { phase: 'Bound', lastPhaseTransitionTime: boundOn },
  });
}
pvcAndPv('data-traffic-system-postgresql-0', '100Gi', 'ReadWriteOnce', '2025-11-03T14:20:13Z', '2025-11-03T14:20:16Z', selectorOf(W.postgresql.labels), 'traffic-system/storage.yaml');
pvcAndPv('traffic-system-shared-storage', '100Gi', 'ReadWriteMany', '2025-11-03T14:20:12Z', '2025-11-03T14:20:15Z', helmLabels('shared-storage'), 'traffic-system/storage.yaml');
pvcAndPv('traffic-system-minio', '200Gi', 'ReadWriteOnce', '2025-11-03T14:20:12Z', '2025-11-03T14:20:15Z', W.minio.labels, 'traffic-system/storage.yaml');

// ---------------------------------------------------------------------------------------------
// Config, secrets, Helm releases

function configMap(name: string, namespace: string, data: Obj, labels: Obj, file: string, created = '2025-11-03T14:20:12Z') {
  add(file, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('ConfigMap', name, namespace, created, { labels, ...(namespace === NS ? { annotations: helmAnnotations } : {}) }),
    data,
  });
}
configMap('traffic-system-postgresql-config', NS, {
  'postgresql.conf': [
    '# Managed by Helm (traffic-system). Performance settings from the runbook.',
    'max_connections = 200',
    'shared_buffers = 256MB',
    'effective_cache_size = 1GB',
    'work_mem = 4MB',
    'maintenance_work_mem = 64MB',
    'random_page_cost = 1.1',
    "shared_preload_libraries = 'pg_stat_statements'",
    'pg_stat_statements.track = all',
    'log_min_duration_statement = 1000',
    "log_line_prefix = '[%p] '",
    "timezone = 'UTC'",
    '',
  ].join('\n'),
}, W.postgresql.labels, 'traffic-system/postgresql.yaml');
configMap('traffic-system-backend-config', NS, {
  DJANGO_SETTINGS_MODULE: 'traffic.settings.production',
  DJANGO_ALLOWED_HOSTS: 'traffic-system.example.com,traffic-system-backend,localhost',
  DATABASE_HOST: 'traffic-system-postgresql',
  DATABASE_PORT: '5432',
  DATABASE_NAME: 'trafficdb',
  DATABASE_USER: 'trafficuser',
  MINIO_ENDPOINT: 'traffic-system-minio:9000',
  MINIO_BUCKET: 'infraction-images',
  ML_SERVICE_URL: 'http://traffic-system-ml-service:8001',
  JWT_ACCESS_TOKEN_LIFETIME_MINUTES: '15',
  JWT_REFRESH_TOKEN_LIFETIME_DAYS: '1',
  TIME_ZONE: 'UTC',
  LOG_LEVEL: 'INFO',
  LOG_DIR: '/app/logs',
}, helmLabels('backend'), 'traffic-system/backend.yaml');
configMap('traffic-system-prometheus-server', NS, {
  'prometheus.yml': [
    'global:',
    '  scrape_interval: 30s',
    '  scrape_timeout: 10s',
    '  evaluation_interval: 30s',
    'rule_files:',
    '  - /etc/config/alerting_rules.yml',
    'scrape_configs:',
    '  - job_name: prometheus',
    '    static_configs:',
    '      - targets: [localhost:9090]',
    '  - job_name: traffic-system-backend',
    '    metrics_path: /metrics',
    '    kubernetes_sd_configs:',
    '      - role: endpoints',
    '        namespaces: {names: [traffic-system]}',
    '    relabel_configs:',
    '      - source_labels: [__meta_kubernetes_service_label_app_kubernetes_io_component]',
    '        regex: backend',
    '        action: keep',
    '  - job_name: traffic-system-ml-service',
    '    metrics_path: /metrics',
    '    kubernetes_sd_configs:',
    '      - role: endpoints',
    '        namespaces: {names: [traffic-system]}',
    '    relabel_configs:',
    '      - source_labels: [__meta_kubernetes_service_label_app_kubernetes_io_component]',
    '        regex: ml-service',
    '        action: keep',
    '  - job_name: traffic-system-minio',
    '    metrics_path: /minio/v2/metrics/cluster',
    '    static_configs:',
    '      - targets: [traffic-system-minio:9000]',
    '',
  ].join('\n'),
  'alerting_rules.yml': [
    'groups:',
    '  - name: traffic-system',
    '    rules:',
    '      - alert: BackendDown',
    '        expr: up{job="traffic-system-backend"} == 0',
    '        for: 2m',
    '        labels: {severity: critical}',
    '      - alert: MLServiceQueueBacklog',
    '        expr: ml_inference_queue_depth > 32',
    '        for: 5m',
    '        labels: {severity: warning}',
    '      - alert: PostgresVolumeAlmostFull',
    '        expr: kubelet_volume_stats_used_bytes{persistentvolumeclaim="data-traffic-system-postgresql-0"} / kubelet_volume_stats_capacity_bytes > 0.85',
    '        for: 10m',
    '        labels: {severity: warning}',
    '',
  ].join('\n'),
}, W.prometheus.labels, 'traffic-system/prometheus.yaml', '2025-12-02T09:45:30Z');
configMap('ingress-nginx-controller', 'ingress-nginx', {
  'allow-snippet-annotations': 'false',
  'use-forwarded-headers': 'true',
  // Without $time_local: the collector's timestamp (kubectl logs --timestamps) is the time.
  'log-format-upstream': '$remote_addr - $remote_user "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id',
}, W.ingress.labels, 'ingress-nginx/controller.yaml', '2025-09-15T09:02:15Z');
configMap('coredns', 'kube-system', {
  Corefile: [
    '.:53 {',
    '    errors',
    '    health {',
    '       lameduck 5s',
    '    }',
    '    ready',
    '    kubernetes cluster.local in-addr.arpa ip6.arpa {',
    '       pods insecure',
    '       fallthrough in-addr.arpa ip6.arpa',
    '       ttl 30',
    '    }',
    '    prometheus :9153',
    '    forward . /etc/resolv.conf {',
    '       max_concurrent 1000',
    '    }',
    '    cache 30',
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n'),
}, {}, 'kube-system/coredns.yaml', CLUSTER_CREATED);

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
function secret(name: string, namespace: string, type: string, data: Record<string, string>, labels: Obj, file: string, created = '2025-11-03T14:20:12Z', annotations: Obj = helmAnnotations) {
  add(file, {
    apiVersion: 'v1',
    kind: 'Secret',
    type,
    metadata: meta('Secret', name, namespace, created, { labels, annotations }),
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
}
// Training data: made-up credentials that exist only in this sandbox.
secret('traffic-system-postgresql', NS, 'Opaque', { password: 'tr4ff1c-Db-s4ndb0x', 'postgres-password': 'pg-Adm1n-s4ndb0x' }, W.postgresql.labels, 'traffic-system/secrets.yaml');
secret('traffic-system-secrets', NS, 'Opaque', {
  'django-secret-key': 'q7Jm2xV9pLrT4cW8nYb3KzF6hD1sAeG5uRi0oXwN+Zk=',
  'jwt-signing-key': 'c2FuZGJveC1qd3Qtc2lnbmluZy1rZXktbm90LWZvci1wcm9kdWN0aW9u',
}, helmLabels('backend'), 'traffic-system/secrets.yaml');
secret('traffic-system-minio', NS, 'Opaque', { 'root-user': 'traffic-minio-admin', 'root-password': 'm1n10-s4ndb0x-Pa55' }, W.minio.labels, 'traffic-system/secrets.yaml');

const RELEASES = [
  { version: 1, chartVersion: '2.3.0', deployed: '2025-11-03T14:20:00Z', status: 'superseded', description: 'Install complete' },
  { version: 2, chartVersion: '2.4.0', deployed: '2025-12-02T09:45:12Z', status: 'superseded', description: 'Upgrade complete' },
  { version: 3, chartVersion: '2.4.1', deployed: '2026-01-05T16:30:48Z', status: 'deployed', description: 'Upgrade complete' },
];
for (const r of RELEASES) {
  const release = {
    name: 'traffic-system',
    info: {
      first_deployed: RELEASES[0].deployed,
      last_deployed: r.deployed,
      deleted: '',
      description: r.description,
      status: r.status,
      notes: 'Traffic system is available at https://traffic-system.example.com\n',
    },
    chart: {
      metadata: {
        name: 'traffic-system',
        version: r.chartVersion,
        description: 'Traffic infraction detection system',
        apiVersion: 'v2',
        appVersion: r.chartVersion,
        type: 'application',
        dependencies: [
          { name: 'postgresql', version: '13.2.24', repository: 'oci://registry-1.docker.io/bitnamicharts', enabled: true },
          { name: 'minio', version: '14.1.3', repository: 'oci://registry-1.docker.io/bitnamicharts', enabled: true },
          { name: 'prometheus', version: '25.8.2', repository: 'https://prometheus-community.github.io/helm-charts', enabled: true },
        ],
      },
      lock: null,
      templates: [],
      values: { backend: { replicaCount: 2 }, frontend: { replicaCount: 2 }, mlService: { replicaCount: 2 } },
      schema: null,
      files: [],
    },
    config: {
      global: { domain: 'traffic-system.example.com' },
      backend: { image: { tag: r.chartVersion } },
      mlService: { image: { tag: `${r.chartVersion}-cuda12.2` }, resources: { limits: { cpu: '4000m', memory: '8Gi', 'nvidia.com/gpu': 1 } } },
      postgresql: { primary: { resources: { limits: { cpu: '2000m', memory: '4Gi' } } } },
    },
    manifest: `---\n# Source: traffic-system/templates/backend/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: traffic-system-backend\n  labels:\n    helm.sh/chart: traffic-system-${r.chartVersion}\n`,
    version: r.version,
    namespace: NS,
  };
  // Helm stores base64(gzip(JSON)); the Secret's data adds the usual base64 on top.
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  add('traffic-system/helm-releases.yaml', {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: meta('Secret', `sh.helm.release.v1.traffic-system.v${r.version}`, NS, r.deployed, {
      labels: { modifiedAt: String(Math.floor(Date.parse(r.deployed) / 1000) + 95), name: 'traffic-system', owner: 'helm', status: r.status, version: String(r.version) },
    }),
    data: { release: b64(helmEncoded) },
  });
}

// ---------------------------------------------------------------------------------------------
// Ingress, cert-manager, monitoring, HPA, network policies

add('cluster/ingress-class.yaml', {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: meta('IngressClass', 'nginx', undefined, '2025-09-15T09:02:15Z', { labels: W.ingress.labels, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }),
  spec: { controller: 'k8s.io/ingress-nginx' },
});
add('traffic-system/ingress.yaml', {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: meta('Ingress', 'traffic-system', NS, '2025-11-03T14:20:12Z', {
    generation: 1,
    labels: helmLabels('ingress'),
    annotations: {
      ...helmAnnotations,
      'cert-manager.io/issuer': 'traffic-system-selfsigned',
      'nginx.ingress.kubernetes.io/proxy-body-size': '20m',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '60',
    },
  }),
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['traffic-system.example.com'], secretName: 'traffic-system-tls' }],
    rules: [{
      host: 'traffic-system.example.com',
      http: {
        paths: [
          { path: '/api', pathType: 'Prefix', backend: { service: { name: 'traffic-system-backend', port: { number: 8000 } } } },
          { path: '/admin', pathType: 'Prefix', backend: { service: { name: 'traffic-system-backend', port: { number: 8000 } } } },
          { path: '/', pathType: 'Prefix', backend: { service: { name: 'traffic-system-frontend', port: { number: 80 } } } },
        ],
      },
    }],
  },
  status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
});

const CERT_NOT_BEFORE = iso(CAPTURED_AT - 30 * 86_400_000);
const CERT_NOT_AFTER = iso(CAPTURED_AT + 60 * 86_400_000);
add('traffic-system/certificates.yaml', {
  apiVersion: 'cert-manager.io/v1',
  kind: 'Issuer',
  metadata: meta('Issuer', 'traffic-system-selfsigned', NS, '2025-11-03T14:20:12Z', { generation: 1, labels: helmLabels('tls'), annotations: helmAnnotations }),
  spec: { selfSigned: {} },
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'IsReady', message: '', lastTransitionTime: '2025-11-03T14:20:13Z', observedGeneration: 1 }] },
}, {
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: meta('Certificate', 'traffic-system-tls', NS, '2025-11-03T14:20:13Z', {
    generation: 1,
    labels: helmLabels('ingress'),
    ownerReferences: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'traffic-system', uid: uid('Ingress', NS, 'traffic-system'), controller: true, blockOwnerDeletion: true }],
  }),
  spec: {
    dnsNames: ['traffic-system.example.com'],
    issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'traffic-system-selfsigned' },
    secretName: 'traffic-system-tls',
    usages: ['digital signature', 'key encipherment'],
    duration: '2160h0m0s',
    renewBefore: '720h0m0s',
  },
  status: {
    conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', lastTransitionTime: CERT_NOT_BEFORE, observedGeneration: 1 }],
    notBefore: CERT_NOT_BEFORE,
    notAfter: CERT_NOT_AFTER,
    renewalTime: iso(CAPTURED_AT + 30 * 86_400_000),
    revision: 2,
  },
});

function serviceMonitor(name: string, component: string) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: meta('ServiceMonitor', name, NS, '2025-11-03T14:20:13Z', { generation: 1, labels: { ...helmLabels(component), release: 'prometheus' }, annotations: helmAnnotations }),
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'traffic-system', 'app.kubernetes.io/component': component } },
      namespaceSelector: { matchNames: [NS] },
      endpoints: [{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }],
    },
  };
}
add('traffic-system/monitoring.yaml', serviceMonitor('traffic-system-backend', 'backend'), serviceMonitor('traffic-system-ml-service', 'ml-service'));

add('traffic-system/ml-service.yaml', {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: meta('HorizontalPodAutoscaler', 'traffic-system-ml-service', NS, '2025-11-03T14:20:12Z', { labels: helmLabels('ml-service'), annotations: helmAnnotations }),
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'traffic-system-ml-service' },
    minReplicas: 2,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } }],
  },
  status: {
    currentReplicas: 2,
    desiredReplicas: 2,
    lastScaleTime: '2026-01-09T18:42:10Z',
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 48, averageValue: '962m' } } }],
    conditions: [
      { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size', lastTransitionTime: '2026-01-09T18:47:10Z' },
      { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)', lastTransitionTime: '2026-01-05T16:33:01Z' },
      { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range', lastTransitionTime: '2026-01-09T18:42:10Z' },
    ],
  },
});

function netpol(name: string, spec: Obj) {
  add('traffic-system/network-policies.yaml', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta('NetworkPolicy', name, NS, '2025-11-03T14:20:12Z', { generation: 1, labels: helmLabels('network-policy'), annotations: helmAnnotations }),
    spec,
  });
}
const component = (c: string) => ({ matchLabels: { 'app.kubernetes.io/name': 'traffic-system', 'app.kubernetes.io/component': c } });
netpol('default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
netpol('allow-frontend-to-backend', {
  podSelector: component('backend'), policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: component('frontend') }], ports: [{ protocol: 'TCP', port: 8000 }] }],
});
netpol('allow-ingress-nginx', {
  podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['frontend', 'backend'] }] }, policyTypes: ['Ingress'],
  ingress: [{
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
    ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 8000 }],
  }],
});
netpol('allow-backend-to-postgresql', {
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgresql' } }, policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: component('backend') }], ports: [{ protocol: 'TCP', port: 5432 }] }],
});
netpol('allow-backend-to-minio', {
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'minio' } }, policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: component('backend') }, { podSelector: component('ml-service') }], ports: [{ protocol: 'TCP', port: 9000 }] }],
});
netpol('allow-backend-to-ml-service', {
  podSelector: component('ml-service'), policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: component('backend') }], ports: [{ protocol: 'TCP', port: 8001 }] }],
});
netpol('allow-prometheus-scrape', {
  podSelector: {}, policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server' } } }] }],
});

// RBAC for the people who run the runbook (the sandbox enforces its own users; these are data).
add('traffic-system/rbac.yaml', {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: meta('Role', 'traffic-system-l1-support', NS, '2025-11-04T10:00:00Z'),
  rules: [
    { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'endpoints', 'events', 'persistentvolumeclaims', 'configmaps'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
  ],
}, {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: meta('Role', 'traffic-system-l2-support', NS, '2025-11-04T10:00:00Z'),
  rules: [
    { apiGroups: ['', 'apps', 'networking.k8s.io', 'cert-manager.io', 'monitoring.coreos.com', 'autoscaling'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods/exec', 'pods/portforward', 'services/proxy'], verbs: ['create', 'get'] },
    { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale', 'statefulsets'], verbs: ['patch', 'update'] },
  ],
});

// ---------------------------------------------------------------------------------------------
// Events (the last hour before capture)

interface EventSpec {
  kind: string;
  name: string;
  namespace: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
  host?: string;
  first: number; // minutes before capture
  last: number;
  count: number;
  apiVersion?: string;
  fieldPath?: string;
}
function event(e: EventSpec) {
  const name = `${e.name}.${hex(16)}`;
  add('events.yaml', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta('Event', name, e.namespace, iso(minutesBefore(e.first))),
    involvedObject: {
      apiVersion: e.apiVersion ?? 'v1',
      kind: e.kind,
      name: e.name,
      namespace: e.namespace,
      uid: uid(e.kind, e.namespace, e.name),
      ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
    },
    reason: e.reason,
    message: e.message,
    source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
    firstTimestamp: iso(minutesBefore(e.first)),
    lastTimestamp: iso(minutesBefore(e.last)),
    count: e.count,
    type: e.type,
    eventTime: null,
    reportingComponent: e.component,
    reportingInstance: e.host ?? '',
  });
}
event({ kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', name: 'traffic-system-ml-service', namespace: NS, type: 'Warning', reason: 'FailedGetResourceMetric', message: 'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API', component: 'horizontal-pod-autoscaler', first: 58, last: 57, count: 2 });
event({ kind: 'Pod', name: W.backend.pods[1].name, namespace: NS, type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: Get "http://10.244.2.22:8000/api/v1/health/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', component: 'kubelet', host: 'worker-2', first: 52, last: 52, count: 1, fieldPath: 'spec.containers{backend}' });
event({ kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', name: 'traffic-system', namespace: NS, type: 'Normal', reason: 'Sync', message: 'Scheduled for sync', component: 'nginx-ingress-controller', first: 49, last: 49, count: 1 });
event({ kind: 'Certificate', apiVersion: 'cert-manager.io/v1', name: 'traffic-system-tls', namespace: NS, type: 'Normal', reason: 'Reused', message: 'Reusing private key stored in existing Secret resource "traffic-system-tls"', component: 'cert-manager-certificates-key-manager', first: 41, last: 41, count: 1 });
event({ kind: 'Deployment', apiVersion: 'apps/v1', name: 'traffic-system-ml-service', namespace: NS, type: 'Normal', reason: 'ScalingReplicaSet', message: 'Scaled down replica set traffic-system-ml-service-5f7b9c8d46 to 2 from 3', component: 'deployment-controller', first: 38, last: 38, count: 1 });
event({ kind: 'Pod', name: W.ml.pods[0].name, namespace: NS, type: 'Normal', reason: 'Pulled', message: 'Container image "registry.example.com/traffic-system/ml-service:2.4.1-cuda12.2" already present on machine', component: 'kubelet', host: 'gpu-worker-1', first: 31, last: 31, count: 1, fieldPath: 'spec.containers{ml-service}' });
event({ kind: 'Pod', name: W.coredns.pods[0].name, namespace: 'kube-system', type: 'Warning', reason: 'DNSConfigForming', message: 'Search Line limits were exceeded, some search paths have been omitted, the applied search line is: kube-system.svc.cluster.local svc.cluster.local cluster.local example.internal', component: 'kubelet', host: 'worker-1', first: 55, last: 25, count: 4 });
event({ kind: 'Node', name: 'worker-2', namespace: 'default', type: 'Normal', reason: 'NodeHasNoDiskPressure', message: 'Node worker-2 status is now: NodeHasNoDiskPressure', component: 'kubelet', host: 'worker-2', first: 22, last: 22, count: 1 });
event({ kind: 'Pod', name: W.ingress.pods[0].name, namespace: 'ingress-nginx', type: 'Normal', reason: 'RELOAD', message: 'NGINX reload triggered due to a change in configuration', component: 'nginx-ingress-controller', first: 49, last: 49, count: 1 });

// ---------------------------------------------------------------------------------------------
// Logs

function stamp(ms: number): string {
  // Millisecond order is the real order; the nanoseconds below it are noise, as from containerd.
  const base = new Date(Math.floor(ms)).toISOString().slice(0, 23);
  return `${base}${String(Math.floor(rand() * 1e6)).padStart(6, '0')}Z`;
}
function logFile(namespace: string, pod: string, container: string, lines: Array<[number, string]>, previous = false) {
  const sorted = [...lines].sort((a, b) => a[0] - b[0]);
  logs.set(`${namespace}/${pod}/${container}${previous ? '.previous' : ''}.log`, sorted.map(([ms, text]) => `${stamp(ms)} ${text}`));
}
/** Times spread over the `minutes` before capture, about one every `everySeconds`. */
function recentTimes(minutes: number, everySeconds: number): number[] {
  const out: number[] = [];
  let t = CAPTURED_AT - minutes * 60_000;
  while (t < CAPTURED_AT - 2_000) {
    out.push(t);
    t += Math.max(200, (everySeconds * (0.3 + rand() * 1.4)) * 1000);
  }
  return out;
}

const USERS = ['operador.garcia', 'operador.lopez', 'supervisor.martin', 'agente.ruiz', 'agente.fernandez'];
const PLATES = () => `${between(1000, 9999)}${pick(['BCD', 'FGH', 'JKL', 'MNP', 'RST', 'VWX'])}`;
const BACKEND_REQUESTS: Array<() => [string, number, number]> = [
  () => [`GET /api/v1/infractions/?page=${between(1, 40)}&status=${pick(['pending', 'reviewed', 'sent'])} HTTP/1.1`, 200, between(3000, 12000)],
  () => [`GET /api/v1/infractions/${between(180000, 214000)}/ HTTP/1.1`, 200, between(900, 2400)],
  () => ['POST /api/v1/detections/ HTTP/1.1', 201, between(300, 700)],
  () => ['GET /api/v1/cameras/ HTTP/1.1', 200, between(4000, 6000)],
  () => [`PATCH /api/v1/infractions/${between(180000, 214000)}/ HTTP/1.1`, 200, between(700, 1200)],
  () => ['POST /api/v1/auth/token/refresh/ HTTP/1.1', 200, 483],
  () => ['GET /api/v1/stats/daily/ HTTP/1.1', 200, between(800, 1500)],
];

function backendLines(podIp: string, fromMinutes: number, ingressIp = '10.244.2.10'): Array<[number, string]> {
  const lines: Array<[number, string]> = [];
  for (const t of recentTimes(fromMinutes, 10)) {
    lines.push([t, `10.244.${podIp.split('.')[2]}.1 - - "GET /api/v1/health/ HTTP/1.1" 200 15 "-" "kube-probe/1.29" 0.004`]);
  }
  for (const t of recentTimes(fromMinutes, 4)) {
    const [req, status, size] = pick(BACKEND_REQUESTS)();
    const ms = between(18, 160);
    lines.push([t, `${ingressIp} - ${pick(USERS)} "${req}" ${status} ${size} "https://traffic-system.example.com/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36" ${(ms / 1000).toFixed(3)}`]);
    if (req.startsWith('POST /api/v1/detections/')) {
      lines.push([t + ms, `[INFO] infractions.ml_client: plate detection request_id=${hex(12)} plate=${PLATES()} confidence=0.${between(90, 99)} latency_ms=${between(90, 180)}`]);
    }
  }
  for (const t of recentTimes(fromMinutes, 300)) {
    lines.push([t, `[INFO] infractions.tasks: uploaded evidence image bucket=infraction-images key=${new Date(CAPTURED_AT).toISOString().slice(0, 10)}/${hex(24)}.jpg size=${between(180000, 420000)}`]);
  }
  lines.push([CAPTURED_AT - between(300, 900) * 1000, `[WARNING] django.request: Not Found: /api/v1/infractions/${between(300000, 399999)}/`]);
  return lines;
}
const backendStartup = (t: number, podIp: string): Array<[number, string]> => [
  [t, '[INFO] gunicorn.error: Starting gunicorn 21.2.0'],
  [t + 20, '[INFO] gunicorn.error: Listening at: http://0.0.0.0:8000 (1)'],
  [t + 30, '[INFO] gunicorn.error: Using worker: sync'],
  ...[7, 8, 9, 10].map((pid, i) => [t + 60 + i * 15, `[INFO] gunicorn.error: Booting worker with pid: ${pid}`] as [number, string]),
  [t + 900, `[INFO] traffic.apps: connected to PostgreSQL traffic-system-postgresql:5432/trafficdb as trafficuser (server 15.5)`],
  [t + 950, '[INFO] traffic.apps: MinIO bucket infraction-images reachable at traffic-system-minio:9000'],
  [t + 990, `[INFO] traffic.apps: ML service http://traffic-system-ml-service:8001 ready (model plate-detector-v3.2) from ${podIp}`],
];

{
  const [h2, m5] = W.backend.pods;
  const restartAt = Date.parse(h2.restarts![0].finishedAt);
  logFile(NS, h2.name, 'backend', [...backendStartup(restartAt + 1500, h2.ip), ...backendLines(h2.ip, 30)]);
  logFile(NS, m5.name, 'backend', [...backendStartup(Date.parse(m5.started) + 500, m5.ip), ...backendLines(m5.ip, 30)]);
  // The restart two days before capture: a database failover during maintenance.
  const prevStart = Date.parse(h2.started) + 500;
  logFile(NS, h2.name, 'backend', [
    ...backendStartup(prevStart, h2.ip),
    [restartAt - 61_000, '[ERROR] django.db.backends: connection to server at "traffic-system-postgresql" (10.96.112.24), port 5432 failed: server closed the connection unexpectedly'],
    [restartAt - 60_500, '[ERROR] gunicorn.error: Exception in worker process'],
    [restartAt - 60_400, 'django.db.utils.OperationalError: server closed the connection unexpectedly'],
    [restartAt - 60_300, '\tThis probably means the server terminated abnormally before or while processing the request.'],
    [restartAt - 1_000, '[INFO] gunicorn.error: Worker exiting (pid: 7)'],
    [restartAt - 500, '[INFO] gunicorn.error: Shutting down: Master'],
    [restartAt - 400, '[INFO] gunicorn.error: Reason: Worker failed to boot.'],
  ], true);
}

for (const p of W.frontend.pods) {
  const lines: Array<[number, string]> = [
    [Date.parse(p.started) + 100, '/docker-entrypoint.sh: Configuration complete; ready for start up'],
    [Date.parse(p.started) + 300, 'nginx: [notice] start worker processes'],
  ];
  for (const t of recentTimes(30, 6)) {
    const asset = pick(['/', '/index.html', '/static/js/main.8f3a2c1d.js', '/static/css/main.4b2e9a7c.css', '/favicon.ico', '/static/media/logo.3c9f.svg']);
    const status = asset === '/' || asset === '/index.html' ? 200 : pick([200, 200, 304]);
    lines.push([t, `10.244.2.10 - - "GET ${asset} HTTP/1.1" ${status} ${status === 304 ? 0 : between(500, 190000)} "https://traffic-system.example.com/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36" "203.0.113.${between(20, 90)}"`]);
  }
  for (const t of recentTimes(30, 10)) lines.push([t, `10.244.${p.ip.split('.')[2]}.1 - - "GET / HTTP/1.1" 200 612 "-" "kube-probe/1.29" "-"`]);
  logFile(NS, p.name, 'frontend', lines);
}

for (const p of W.ml.pods) {
  const s = Date.parse(p.started);
  const lines: Array<[number, string]> = [
    [s + 200, 'INFO:     Started server process [1]'],
    [s + 300, 'INFO:     Waiting for application startup.'],
    [s + 2_000, '[startup] CUDA available: True, device 0: Tesla T4 (15360 MiB), driver 535.129.03, CUDA 12.2'],
    [s + 9_000, '[startup] loaded model plate-detector-v3.2 from /app/model_cache/plate-detector-v3.2.onnx in 6.8s'],
    [s + 9_500, '[startup] warm-up batch of 8 done in 412 ms'],
    [s + 9_600, 'INFO:     Application startup complete.'],
    [s + 9_700, 'INFO:     Uvicorn running on http://0.0.0.0:8001 (Press CTRL+C to quit)'],
  ];
  for (const t of recentTimes(30, 8)) {
    const batch = between(1, 6);
    lines.push([t, `[inference] model=plate-detector-v3.2 batch=${batch} latency_ms=${between(70, 160)} gpu_mem_mb=${between(8900, 9400)} queue_depth=${between(0, 2)}`]);
    lines.push([t + 150, `INFO:     10.244.${pick(['1', '2'])}.22:${between(40000, 60000)} - "POST /v1/detect HTTP/1.1" 200 OK`]);
  }
  for (const t of recentTimes(30, 10)) lines.push([t, `INFO:     10.244.3.1:${between(40000, 60000)} - "GET /health HTTP/1.1" 200 OK`]);
  for (const t of recentTimes(30, 30)) lines.push([t, `INFO:     10.244.1.24:${between(40000, 60000)} - "GET /metrics HTTP/1.1" 200 OK`]);
  logFile(NS, p.name, 'ml-service', lines);
}

{
  const p = W.postgresql.pods[0];
  const s = Date.parse(p.started);
  const lines: Array<[number, string]> = [
    [s + 100, '[1] LOG:  pgaudit extension initialized'],
    [s + 200, '[1] LOG:  starting PostgreSQL 15.5 on x86_64-pc-linux-gnu, compiled by gcc (Debian 10.2.1-6) 10.2.1 20210110, 64-bit'],
    [s + 210, '[1] LOG:  listening on IPv4 address "0.0.0.0", port 5432'],
    [s + 220, '[1] LOG:  listening on IPv6 address "::", port 5432'],
    [s + 230, '[1] LOG:  listening on Unix socket "/tmp/.s.PGSQL.5432"'],
    [s + 400, '[84] LOG:  database system was shut down at 2026-01-05 16:30:58 UTC'],
    [s + 600, '[1] LOG:  database system is ready to accept connections'],
  ];
  for (const t of recentTimes(60, 300)) {
    lines.push([t, '[58] LOG:  checkpoint starting: time']);
    const buffers = between(400, 2600);
    lines.push([t + 27_000, `[58] LOG:  checkpoint complete: wrote ${buffers} buffers (${(buffers / 327.68).toFixed(1)}%); 0 WAL file(s) added, 0 removed, 1 recycled; write=26.912 s, sync=0.008 s, total=26.948 s; sync files=${between(20, 60)}, longest=0.004 s, average=0.001 s; distance=${between(4000, 20000)} kB, estimate=${between(12000, 20000)} kB`]);
  }
  logFile(NS, p.name, 'postgresql', lines);
}

{
  const p = W.minio.pods[0];
  const s = Date.parse(p.started);
  logFile(NS, p.name, 'minio', [
    [s + 100, 'minio INFO  ==> ** Starting MinIO setup **'],
    [s + 900, 'minio INFO  ==> Creating default buckets: infraction-images,evidence'],
    [s + 1200, 'minio INFO  ==> ** MinIO setup finished! **'],
    [s + 1500, 'MinIO Object Storage Server'],
    [s + 1510, 'Copyright: 2015-2024 MinIO, Inc.'],
    [s + 1520, 'License: GNU AGPLv3 <https://www.gnu.org/licenses/agpl-3.0.html>'],
    [s + 1530, 'Version: RELEASE.2024-01-16T16-07-38Z (go1.21.6 linux/amd64)'],
    [s + 1540, 'Status:         1 Online, 0 Offline. '],
    [s + 1550, 'S3-API: http://10.244.2.23:9000  http://127.0.0.1:9000 '],
    [s + 1560, 'Console: http://10.244.2.23:9001 http://127.0.0.1:9001 '],
    [s + 1570, 'Documentation: https://min.io/docs/minio/linux/index.html'],
  ]);
}

{
  const p = W.prometheus.pods[0];
  const s = Date.parse(p.started);
  const ts = (ms: number) => new Date(ms).toISOString();
  const lines: Array<[number, string]> = [
    [s + 100, `ts=${ts(s + 100)} caller=main.go:539 level=info msg="No time or size retention was set so using the default time retention" duration=15d`],
    [s + 200, `ts=${ts(s + 200)} caller=main.go:583 level=info msg="Starting Prometheus Server" mode=server version="(version=2.48.1, branch=HEAD, revision=63894216648f0d6be310c9d16fb48293c45c9310)"`],
    [s + 3_000, `ts=${ts(s + 3_000)} caller=main.go:1009 level=info msg="TSDB started"`],
    [s + 3_100, `ts=${ts(s + 3_100)} caller=main.go:1191 level=info msg="Loading configuration file" filename=/etc/config/prometheus.yml`],
    [s + 3_200, `ts=${ts(s + 3_200)} caller=kubernetes.go:329 level=info component="discovery manager scrape" discovery=kubernetes config=traffic-system-backend msg="Using pod service account via in-cluster config"`],
    [s + 3_300, `ts=${ts(s + 3_300)} caller=main.go:1228 level=info msg="Completed loading of configuration file" filename=/etc/config/prometheus.yml totalDuration=12.183ms`],
    [s + 3_400, `ts=${ts(s + 3_400)} caller=main.go:970 level=info msg="Server is ready to receive web requests."`],
  ];
  for (const t of recentTimes(120, 2 * 3600 / 3)) {
    lines.push([t, `ts=${ts(t)} caller=compact.go:519 level=info component=tsdb msg="write block" mint=${t - 7_200_000} maxt=${t} ulid=01HM${hex(22).toUpperCase()} duration=${between(300, 900)}.${between(100, 999)}ms`]);
    lines.push([t + 900, `ts=${ts(t + 900)} caller=head.go:1298 level=info component=tsdb msg="Head GC completed" caller=truncateMemory duration=${between(20, 90)}.${between(100, 999)}ms`]);
  }
  logFile(NS, p.name, 'prometheus-server', lines);
  const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/');
  logFile(NS, p.name, 'prometheus-server-configmap-reload', [
    [s + 50, `level=info ts=${ts(s + 50)} caller=main.go:115 msg="Starting prometheus-config-reloader" version="(version=0.70.0, branch=refs/tags/v0.70.0, revision=c2c673f7123f3745a2a982b4a2bdc43a11f50fad)"`],
    [s + 60, `level=info ts=${ts(s + 60)} caller=reloader.go:246 msg="reloading via HTTP"`],
    [s + 4_000, `level=info ts=${ts(s + 4_000)} caller=reloader.go:424 msg="Reload triggered" cfg_in= cfg_out= watched_dirs=/etc/config`],
    [s + 4_100, `${ymd(s + 4_100)} Watching directory: "/etc/config"`],
  ]);
}

{
  const p = W.ingress.pods[0];
  const s = Date.parse(p.started);
  const klog = (level: string, ms: number, file: string, msg: string) => {
    const d = new Date(ms);
    const mmdd = `${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    return `${level}${mmdd} ${d.toISOString().slice(11, 19)}.${String(between(0, 999999)).padStart(6, '0')}       7 ${file}] ${msg}`;
  };
  const lines: Array<[number, string]> = [
    [s + 10, '-------------------------------------------------------------------------------'],
    [s + 11, 'NGINX Ingress controller'],
    [s + 12, '  Release:       v1.9.5'],
    [s + 13, '  Build:         f503c4bb5fa7d857ad29e94970eb550c2bc00b7c'],
    [s + 14, '  Repository:    https://github.com/kubernetes/ingress-nginx'],
    [s + 15, '  nginx version: nginx/1.21.6'],
    [s + 16, '-------------------------------------------------------------------------------'],
    [s + 500, klog('I', s + 500, 'main.go:205', '"Creating API client" host="https://10.96.0.1:443"')],
    [s + 900, klog('I', s + 900, 'main.go:249', '"Running in Kubernetes cluster" major="1" minor="29" git="v1.29.6" state="clean" platform="linux/amd64"')],
    [s + 2_000, klog('I', s + 2_000, 'nginx.go:260', '"Starting NGINX Ingress controller"')],
    [s + 4_000, klog('I', s + 4_000, 'leaderelection.go:250', 'attempting to acquire leader lease ingress-nginx/ingress-nginx-leader...')],
    [s + 4_500, klog('I', s + 4_500, 'controller.go:190', '"Configuration changes detected, backend reload required"')],
    [s + 5_000, klog('I', s + 5_000, 'controller.go:210', '"Backend successfully reloaded"')],
    [CAPTURED_AT - 49 * 60_000, klog('I', CAPTURED_AT - 49 * 60_000, 'event.go:298', '"Event occurred" object="traffic-system/traffic-system" fieldPath="" kind="Ingress" apiVersion="networking.k8s.io/v1" type="Normal" reason="Sync" message="Scheduled for sync"')],
  ];
  for (const t of recentTimes(30, 2)) {
    const api = rand() < 0.6;
    const client = `203.0.113.${between(20, 90)}`;
    if (api) {
      const [req, status, size] = pick(BACKEND_REQUESTS)();
      const pod = pick(W.backend.pods);
      const rt = (between(18, 160) / 1000).toFixed(3);
      lines.push([t, `${client} - - "${req.replace('HTTP/1.1', 'HTTP/2.0')}" ${status} ${size} "https://traffic-system.example.com/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36" ${between(40, 900)} ${rt} [traffic-system-traffic-system-backend-8000] [] ${pod.ip}:8000 ${size} ${rt} ${status} ${hex(32)}`]);
    } else {
      const pod = pick(W.frontend.pods);
      const size = between(500, 190000);
      lines.push([t, `${client} - - "GET ${pick(['/', '/static/js/main.8f3a2c1d.js', '/static/css/main.4b2e9a7c.css'])} HTTP/2.0" 200 ${size} "https://traffic-system.example.com/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36" ${between(40, 400)} 0.002 [traffic-system-traffic-system-frontend-80] [] ${pod.ip}:8080 ${size} 0.002 200 ${hex(32)}`]);
    }
  }
  logFile('ingress-nginx', p.name, 'controller', lines);
}

for (const p of W.coredns.pods) {
  const s = Date.parse(p.started);
  logFile('kube-system', p.name, 'coredns', [
    [s + 100, '.:53'],
    [s + 110, '[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908'],
    [s + 120, 'CoreDNS-1.11.1'],
    [s + 130, 'linux/amd64, go1.20.7, ae2bbc2'],
    [CAPTURED_AT - 55 * 60_000, '[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908'],
  ]);
}

{
  const p = W.certManager.pods[0];
  const klog = (ms: number, file: string, msg: string) => {
    const d = new Date(ms);
    return `I${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')} ${d.toISOString().slice(11, 19)}.${String(between(0, 999999)).padStart(6, '0')}       1 ${file}] ${msg}`;
  };
  const s = Date.parse(p.started);
  logFile('cert-manager', p.name, 'cert-manager-controller', [
    [s + 100, klog(s + 100, 'start.go:129', '"starting controller" logger="cert-manager" version="v1.13.3" revision="5aaa3b1b5b3bb8ee7d2d23a5b51b1f4c1e7b5f71"')],
    [s + 500, klog(s + 500, 'leaderelection.go:250', 'attempting to acquire leader lease kube-system/cert-manager-controller...')],
    [s + 4_000, klog(s + 4_000, 'leaderelection.go:260', 'successfully acquired lease kube-system/cert-manager-controller')],
    [CAPTURED_AT - 41 * 60_000, klog(CAPTURED_AT - 41 * 60_000, 'conditions.go:263', '"Setting lastTransitionTime for Certificate condition" logger="cert-manager.certificates-readiness" certificate="traffic-system/traffic-system-tls" condition="Ready"')],
    [CAPTURED_AT - 41 * 60_000 + 50, klog(CAPTURED_AT - 41 * 60_000 + 50, 'sync.go:116', '"certificate does not require re-issuance. certificate renewal scheduled near expiry time." logger="cert-manager.certificates-trigger" key="traffic-system/traffic-system-tls"')],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Write

for (const sub of ['resources', 'logs']) {
  const dir = join(OUT, sub);
  for (const entry of (() => { try { return readdirSync(dir, { recursive: true }) as string[]; } catch { return []; } })()) {
    if (String(entry).endsWith('secret-traffic-system-tls.yaml')) continue;
    const full = join(dir, String(entry));
    if (/\.(ya?ml|json|log)$/.test(full)) rmSync(full);
  }
}
const clean = (v: unknown): unknown => JSON.parse(JSON.stringify(v)); // drops undefined
for (const [file, objects] of files) {
  const path = join(OUT, 'resources', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, objects.map((o) => stringify(clean(o), { lineWidth: 0 })).join('---\n'));
}
for (const [file, lines] of logs) {
  const path = join(OUT, 'logs', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lines.join('\n') + '\n');
}
console.log(`healthy: ${[...files.values()].reduce((n, l) => n + l.length, 0)} objects in ${files.size} files, ${logs.size} log files`);
