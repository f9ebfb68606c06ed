// Kubernetes objects as the API returns them, for the storage/auth/network/monitoring/cluster
// check tests. Only the fields the checks read, with the shapes the API uses.
import { gzipSync } from 'node:zlib';
import type { Check, KObject } from '../../src/main/checks/types';

export const NS = 'traffic-system';
export const NOW = new Date('2026-01-10T10:00:00Z');

export interface PodOptions {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  node?: string;
  phase?: string;
  ready?: boolean;
  waitingReason?: string;
  reason?: string;
  containers?: Array<{ name: string; ports?: Array<{ name?: string; containerPort: number; protocol?: string }> }>;
  claims?: string[];
  startTime?: string;
  containerStartedAt?: string;
  restartCount?: number;
}

export function pod(o: PodOptions): KObject {
  const containers = o.containers ?? [{ name: 'main' }];
  const phase = o.phase ?? 'Running';
  const ready = o.ready ?? phase === 'Running';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: o.name, namespace: o.namespace ?? NS, labels: o.labels ?? {}, annotations: o.annotations ?? {} },
    spec: {
      nodeName: o.node ?? 'worker-1',
      containers: containers.map((c) => ({ name: c.name, ports: c.ports ?? [] })),
      volumes: (o.claims ?? []).map((claim, i) => ({ name: `vol-${i}`, persistentVolumeClaim: { claimName: claim } })),
    },
    status: {
      phase,
      ...(o.reason ? { reason: o.reason } : {}),
      startTime: o.startTime ?? '2026-01-05T16:31:02Z',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        ready,
        restartCount: o.restartCount ?? 0,
        state: o.waitingReason
          ? { waiting: { reason: o.waitingReason } }
          : phase === 'Running'
            ? { running: { startedAt: o.containerStartedAt ?? o.startTime ?? '2026-01-05T16:31:10Z' } }
            : {},
      })),
    },
  };
}

export const component = (c: string) => ({ 'app.kubernetes.io/name': 'traffic-system', 'app.kubernetes.io/component': c });

export function backendPod(name = 'traffic-system-backend-7c9d8f6b5d-h2x8r', extra: Partial<PodOptions> = {}): KObject {
  return pod({
    name,
    labels: component('backend'),
    containers: [{ name: 'backend', ports: [{ name: 'http', containerPort: 8000, protocol: 'TCP' }] }],
    claims: ['traffic-system-shared-storage'],
    ...extra,
  });
}

export function frontendPod(name = 'traffic-system-frontend-6d8f7c9b54-q9m4n'): KObject {
  return pod({ name, labels: component('frontend'), containers: [{ name: 'frontend', ports: [{ name: 'http', containerPort: 8080 }] }] });
}

export function mlPod(name = 'traffic-system-ml-service-5f7b9c8d46-k8v2c', extra: Partial<PodOptions> = {}): KObject {
  return pod({ name, labels: component('ml-service'), node: 'gpu-worker-1', containers: [{ name: 'ml-service', ports: [{ name: 'http', containerPort: 8001 }] }], ...extra });
}

export function postgresPod(): KObject {
  return pod({
    name: 'traffic-system-postgresql-0',
    labels: { 'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': 'traffic-system' },
    containers: [{ name: 'postgresql', ports: [{ name: 'tcp-postgresql', containerPort: 5432 }] }],
    claims: ['data-traffic-system-postgresql-0'],
    node: 'worker-2',
  });
}

export function minioPod(extra: Partial<PodOptions> = {}): KObject {
  return pod({
    name: 'traffic-system-minio-84d6c5f9b7-t6w4z',
    labels: { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/instance': 'traffic-system' },
    containers: [{ name: 'minio', ports: [{ name: 'minio-api', containerPort: 9000 }, { name: 'minio-console', containerPort: 9001 }] }],
    claims: ['traffic-system-minio'],
    node: 'worker-2',
    ...extra,
  });
}

export function prometheusPod(extra: Partial<PodOptions> = {}): KObject {
  return pod({
    name: 'traffic-system-prometheus-server-6b9f4d7c85-p2l8s',
    labels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server' },
    containers: [{ name: 'prometheus-server', ports: [{ containerPort: 9090 }] }],
    ...extra,
  });
}

export function service(name: string, selector: Record<string, string>, ports: Array<{ name?: string; port: number; targetPort?: number | string }>, labels: Record<string, string> = selector): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS, labels }, spec: { selector, ports: ports.map((p) => ({ protocol: 'TCP', ...p })) } };
}

export function systemServices(): KObject[] {
  return [
    service('traffic-system-backend', component('backend'), [{ name: 'http', port: 8000, targetPort: 'http' }]),
    service('traffic-system-ml-service', component('ml-service'), [{ name: 'http', port: 8001, targetPort: 'http' }]),
    service('traffic-system-postgresql', { 'app.kubernetes.io/name': 'postgresql' }, [{ name: 'tcp-postgresql', port: 5432, targetPort: 'tcp-postgresql' }]),
    service('traffic-system-minio', { 'app.kubernetes.io/name': 'minio' }, [{ name: 'minio-api', port: 9000, targetPort: 'minio-api' }]),
    service('traffic-system-prometheus-server', { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server' }, [{ name: 'http', port: 80, targetPort: 9090 }]),
  ];
}

export function networkPolicy(name: string, spec: Record<string, unknown>, namespace = NS): KObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

export function namespaceObject(name: string, labels: Record<string, string> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

export function checkOf(checks: Check[], id: string): Check {
  const check = checks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check;
}

/** Every finding must be shaped for the UI: a message, and action ids matching remediation. */
export function allText(outcome: { message: string; evidence?: unknown[]; remediation?: unknown[] }): string {
  return JSON.stringify(outcome);
}

/** What Helm stores: gzip of the release JSON, base64 by Helm, base64 again by Kubernetes. */
export function encodeRelease(release: unknown, opts: { gzip?: boolean } = {}): string {
  const json = Buffer.from(JSON.stringify(release));
  const helm = (opts.gzip === false ? json : gzipSync(json)).toString('base64');
  return Buffer.from(helm).toString('base64');
}

export function release(revision: number, status: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'traffic-system',
    namespace: 'traffic-system',
    version: revision,
    info: {
      first_deployed: '2025-11-03T14:20:00Z',
      last_deployed: `2026-01-0${revision}T10:00:00Z`,
      status,
      description: status === 'failed' ? 'Upgrade "traffic-system" failed: timed out waiting for the condition' : 'Upgrade complete',
      notes: 'NOTES',
    },
    chart: { metadata: { name: 'traffic-system', version: `2.4.${revision}`, appVersion: `2.4.${revision}` }, values: { secretKey: 'chart-default-hunter2' } },
    config: { backend: { djangoSecretKey: 'super-secret-value-123' }, postgresql: { auth: { password: 'pg-password-xyz' } } },
    manifest: 'apiVersion: v1\nkind: Secret\ndata:\n  password: cGctcGFzc3dvcmQteHl6\n',
    ...extra,
  };
}

export function releaseSecret(revision: number, status: string, data: string = encodeRelease(release(revision, status)), name = 'traffic-system'): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: { name: `sh.helm.release.v1.${name}.v${revision}`, namespace: 'traffic-system', labels: { owner: 'helm', name, status, version: String(revision) } },
    data: { release: data },
  };
}
