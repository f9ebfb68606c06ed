// A small traffic-system cluster built in code for the sandbox API tests.
import type { KubeObject, LogFile, Snapshot } from '../../src/main/sandbox/snapshot-types';

export const ADMIN_TOKEN = 'admin-token-0123456789';
export const OPERATOR_TOKEN = 'operator-token-0123456789';
const NS = 'traffic-system';

function ago(now: Date, seconds: number): string {
  return new Date(now.getTime() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function readyPod(now: Date, name: string, labels: Record<string, string>, owner: KubeObject['metadata']['ownerReferences'], node: string, ip: string, container: string, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels, creationTimestamp: ago(now, 3 * 86400), ownerReferences: owner },
    spec: { nodeName: node, containers: [{ name: container, image, ports: [{ name: 'http', containerPort: 8000 }] }] },
    status: {
      phase: 'Running',
      podIP: ip,
      hostIP: '192.0.2.10',
      startTime: ago(now, 3 * 86400),
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [{ name: container, image, ready: true, started: true, restartCount: 0, state: { running: { startedAt: ago(now, 3 * 86400) } } }],
    },
  };
}

export function buildFixtureSnapshot(now: Date, opts: { latencyMs?: number } = {}): Snapshot {
  const backendLabels = { 'app.kubernetes.io/name': 'traffic-system', 'app.kubernetes.io/component': 'backend', 'pod-template-hash': '7d9f8c6b5d' };
  const backendTemplateLabels = { 'app.kubernetes.io/name': 'traffic-system', 'app.kubernetes.io/component': 'backend' };
  const rsOwner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'traffic-system-backend-7d9f8c6b5d', uid: 'uid-rs-backend', controller: true }];
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, creationTimestamp: ago(now, 30 * 86400) }, status: { phase: 'Active' } },
    ...['node-a', 'node-b'].map(
      (name, i): KubeObject => ({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: i === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : { 'nvidia.com/gpu.present': 'true' }, creationTimestamp: ago(now, 40 * 86400) },
        spec: {},
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [{ type: 'InternalIP', address: `192.0.2.${10 + i}` }],
          capacity: { cpu: '8', memory: '32Gi', 'ephemeral-storage': '100Gi' },
          allocatable: { cpu: '8', memory: '32Gi', 'ephemeral-storage': '95Gi' },
          nodeInfo: { kubeletVersion: 'v1.30.4', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '5.15.0-105-generic', containerRuntimeVersion: 'containerd://1.7.12' },
        },
      }),
    ),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'traffic-system-backend', namespace: NS, uid: 'uid-deploy-backend', generation: 4, creationTimestamp: ago(now, 3 * 86400), annotations: { 'deployment.kubernetes.io/revision': '3' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: backendTemplateLabels },
        template: {
          metadata: { labels: backendTemplateLabels },
          spec: { containers: [{ name: 'backend', image: 'registry.example/traffic/backend:2.4.1', ports: [{ name: 'http', containerPort: 8000 }], env: [{ name: 'DEBUG', value: 'false' }] }] },
        },
      },
      status: { observedGeneration: 4, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2, conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'traffic-system-backend-7d9f8c6b5d',
        namespace: NS,
        uid: 'uid-rs-backend',
        labels: backendLabels,
        annotations: { 'deployment.kubernetes.io/revision': '3' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'traffic-system-backend', uid: 'uid-deploy-backend', controller: true }],
      },
      spec: { replicas: 2, selector: { matchLabels: backendLabels }, template: { metadata: { labels: backendLabels }, spec: {} } },
      status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
    },
    readyPod(now, 'traffic-system-backend-7d9f8c6b5d-abcde', backendLabels, rsOwner, 'node-a', '10.244.1.10', 'backend', 'registry.example/traffic/backend:2.4.1'),
    readyPod(now, 'traffic-system-backend-7d9f8c6b5d-fghij', backendLabels, rsOwner, 'node-b', '10.244.2.11', 'backend', 'registry.example/traffic/backend:2.4.1'),
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'traffic-system-postgresql-0', namespace: NS, uid: 'uid-pg-0', labels: { 'app.kubernetes.io/name': 'postgresql' }, creationTimestamp: ago(now, 5 * 86400) },
      spec: {
        nodeName: 'node-a',
        containers: [{ name: 'postgresql', image: 'postgres:15.6' }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-traffic-system-postgresql-0' } }],
      },
      status: {
        phase: 'Running',
        podIP: '10.244.1.20',
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'postgresql',
            image: 'postgres:15.6',
            ready: false,
            restartCount: 7,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(now, 240) } },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'traffic-system-backend', namespace: NS, creationTimestamp: ago(now, 30 * 86400) },
      spec: { type: 'ClusterIP', clusterIP: '10.96.12.34', selector: backendTemplateLabels, ports: [{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'traffic-system-backend', namespace: NS },
      subsets: [{ addresses: [{ ip: '10.244.1.10' }, { ip: '10.244.2.11' }], ports: [{ name: 'http', port: 8000 }] }],
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data-traffic-system-postgresql-0', namespace: NS, creationTimestamp: ago(now, 30 * 86400) },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', volumeName: 'pvc-0a1b2c', resources: { requests: { storage: '20Gi' } } },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '20Gi' } },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'traffic-system-postgresql', namespace: NS },
      type: 'Opaque',
      data: { password: Buffer.from('not-a-real-password').toString('base64') },
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'traffic-system-postgresql-0.17a1', namespace: NS },
      involvedObject: { kind: 'Pod', namespace: NS, name: 'traffic-system-postgresql-0', uid: 'uid-pg-0', apiVersion: 'v1', fieldPath: 'spec.containers{postgresql}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container postgresql in pod traffic-system-postgresql-0',
      type: 'Warning',
      count: 42,
      firstTimestamp: ago(now, 3600),
      lastTimestamp: ago(now, 60),
      source: { component: 'kubelet', host: 'node-a' },
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'traffic-system-backend.17a2', namespace: NS },
      involvedObject: { kind: 'Deployment', namespace: NS, name: 'traffic-system-backend', apiVersion: 'apps/v1' },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set traffic-system-backend-7d9f8c6b5d to 2',
      type: 'Normal',
      count: 1,
      firstTimestamp: ago(now, 7200),
      lastTimestamp: ago(now, 7200),
      source: { component: 'deployment-controller' },
    },
  ];
  const logs: LogFile[] = [
    {
      namespace: NS,
      pod: 'traffic-system-postgresql-0',
      container: 'postgresql',
      previous: false,
      lines: [1, 2, 3, 4, 5].map((i) => `${ago(now, 300 - i * 10)} LOG:  database system startup attempt ${i}`),
    },
    {
      namespace: NS,
      pod: 'traffic-system-postgresql-0',
      container: 'postgresql',
      previous: true,
      lines: [`${ago(now, 250)} FATAL:  could not open file "global/pg_filenode.map": No space left on device`],
    },
  ];
  return {
    source: 'fixture',
    objects,
    logs,
    skipped: [],
    scenario: {
      name: 'fixture',
      title: { es: 'Prueba', en: 'Fixture' },
      latencyMs: opts.latencyMs ?? 0,
      users: [
        { name: 'roadside-admin', token: ADMIN_TOKEN, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }] },
        {
          name: 'l1-operator',
          token: OPERATOR_TOKEN,
          rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'pods/log', 'deployments', 'services', 'events'], verbs: ['get', 'list', 'watch'] }],
        },
      ],
      exec: [],
      http: [
        { namespace: NS, service: 'traffic-system-backend', port: 8000, method: 'GET', path: '/api/health/', status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok","time":"{{now}}"}', delayMs: 0 },
      ],
      metrics: {
        pods: [{ namespace: NS, pod: 'traffic-system-backend-*', containers: { backend: { cpu: '250m', memory: '300Mi' } } }],
        nodes: [
          { node: 'node-a', cpu: '1500m', memory: '6Gi' },
          { node: 'node-b', cpu: '3', memory: '12Gi' },
        ],
      },
      volumes: [{ namespace: NS, pvc: 'data-traffic-system-postgresql-0', usedBytes: 20 * 2 ** 30 - 2 ** 20, capacityBytes: 20 * 2 ** 30 }],
      expect: [],
    },
  };
}
