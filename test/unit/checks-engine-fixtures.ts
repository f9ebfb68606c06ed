// Kubernetes objects for check-verdict tests, shaped like what the API returns for the
// traffic-system, and a helper that runs one check through the engine over a FakeCluster.
import type { Finding } from '../../src/shared/checks';
import { runChecks } from '../../src/main/checks/engine';
import type { Check, KObject } from '../../src/main/checks/types';
import { FakeCluster, type FakeClusterSpec } from '../support/fake-cluster';

export const NS = 'traffic-system';
export const NOW = new Date('2026-01-10T10:00:00Z');

export function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString();
}

export function componentLabels(component: string, name = 'traffic-system'): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': 'traffic-system', 'app.kubernetes.io/component': component };
}

export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  container?: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  owner?: string;
  phase?: string;
  ready?: boolean;
  restartCount?: number;
  state?: Record<string, unknown>;
  lastState?: Record<string, unknown>;
  conditions?: Array<Record<string, unknown>>;
  reason?: string;
  message?: string;
}

export function pod(name: string, o: PodOptions = {}): KObject {
  const container = o.container ?? 'app';
  const ready = o.ready ?? true;
  const phase = o.phase ?? 'Running';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? NS,
      labels: o.labels ?? {},
      ...(o.owner ? { ownerReferences: [{ kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
    },
    spec: { nodeName: 'worker-1', containers: [{ name: container, image: `${container}:1`, ports: o.ports ?? [], resources: o.resources ?? {} }] },
    status: {
      phase,
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.message ? { message: o.message } : {}),
      conditions: o.conditions ?? [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: ready ? 'True' : 'False' },
      ],
      containerStatuses:
        phase === 'Pending' && !o.state
          ? []
          : [
              {
                name: container,
                ready,
                restartCount: o.restartCount ?? 0,
                state: o.state ?? { running: { startedAt: ago(86400) } },
                lastState: o.lastState ?? {},
              },
            ],
    },
  };
}

export function deployment(name: string, component: string, o: { replicas?: number; available?: number; ready?: number; containers?: any[] } = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: componentLabels(component) },
    spec: {
      replicas: o.replicas ?? 2,
      selector: { matchLabels: componentLabels(component) },
      template: { metadata: { labels: componentLabels(component) }, spec: { containers: o.containers ?? [{ name: component }] } },
    },
    status: { replicas: o.replicas ?? 2, readyReplicas: o.ready ?? o.available ?? o.replicas ?? 2, availableReplicas: o.available ?? o.replicas ?? 2 },
  };
}

export function service(name: string, selector: Record<string, string>, ports: Array<{ name?: string; port: number; targetPort?: number | string }>): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { type: 'ClusterIP', selector, ports } };
}

export function endpoints(name: string, ready: number, notReady = 0): KObject {
  const addr = (i: number) => ({ ip: `10.244.0.${i + 10}` });
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: NS },
    subsets: [
      {
        ...(ready ? { addresses: Array.from({ length: ready }, (_, i) => addr(i)) } : {}),
        ...(notReady ? { notReadyAddresses: Array.from({ length: notReady }, (_, i) => addr(i + ready)) } : {}),
        ports: [{ port: 8000 }],
      },
    ],
  };
}

export function fake(spec: FakeClusterSpec): FakeCluster {
  return new FakeCluster({ now: NOW, ...spec });
}

/** Runs one check through the engine, as the app does. */
export async function runCheck(check: Check, cluster: FakeCluster): Promise<Finding> {
  const result = await runChecks({ context: cluster, contextName: 'test', namespace: NS, registry: [check], checks: [check.id], timeoutMs: 5000 });
  if (result.findings.length !== 1) throw new Error(`expected one finding, got ${result.findings.length}`);
  return result.findings[0];
}

export function checkOf(checks: Check[], id: string): Check {
  const c = checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}
