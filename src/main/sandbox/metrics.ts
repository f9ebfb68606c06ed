// metrics.k8s.io PodMetrics/NodeMetrics and the kubelet stats summary behind the node proxy,
// computed from the scenario's metrics and volume usage for the objects that exist now.
import { findPodMetrics, matchesGlob } from './scenario-match';
import type { KubeObject, Scenario } from './snapshot-types';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(rec) : []);

const WINDOW = '15.015s';

function stamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function podMetrics(pod: KubeObject, scenario: Scenario, now: Date): KubeObject | undefined {
  if (rec(pod.status).phase !== 'Running') return undefined;
  const entry = findPodMetrics(scenario, pod.metadata.namespace ?? '', pod.metadata.name);
  if (!entry) return undefined;
  const running = new Set(arr(rec(pod.status).containerStatuses).filter((c) => rec(c.state).running).map((c) => String(c.name)));
  const containers = Object.entries(entry.containers)
    .filter(([name]) => running.size === 0 || running.has(name))
    .map(([name, usage]) => ({ name, usage: { cpu: usage.cpu, memory: usage.memory } }));
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: stamp(now),
      ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
    },
    timestamp: stamp(new Date(now.getTime() - 10_000)),
    window: WINDOW,
    containers,
  };
}

export function nodeMetrics(node: KubeObject, scenario: Scenario, now: Date): KubeObject | undefined {
  const entry = scenario.metrics.nodes.find((n) => matchesGlob(n.node, node.metadata.name));
  if (!entry) return undefined;
  return {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: node.metadata.name, creationTimestamp: stamp(now), ...(node.metadata.labels ? { labels: node.metadata.labels } : {}) },
    timestamp: stamp(new Date(now.getTime() - 10_000)),
    window: '20.05s',
    usage: { cpu: entry.cpu, memory: entry.memory },
  };
}

const SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50,
  k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15,
};

export function parseQuantityBytes(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = q.trim().match(/^([0-9.]+)([A-Za-z]*)$/);
  if (!m) return undefined;
  const factor = m[2] ? SUFFIXES[m[2]] : 1;
  return factor === undefined ? undefined : Math.round(Number(m[1]) * factor);
}

/** The kubelet's /stats/summary for one node: node filesystem and the PVC volumes of its pods. */
export function statsSummary(node: KubeObject, objects: KubeObject[], scenario: Scenario, now: Date): Obj {
  const nodeName = node.metadata.name;
  const pods = objects.filter((o) => o.kind === 'Pod' && o.apiVersion === 'v1' && rec(o.spec).nodeName === nodeName);
  // Node filesystem: its ephemeral-storage capacity; what is in use follows allocatable.
  const capacity = parseQuantityBytes(rec(rec(node.status).capacity)['ephemeral-storage']) ?? 100 * 2 ** 30;
  const allocatable = parseQuantityBytes(rec(rec(node.status).allocatable)['ephemeral-storage']) ?? capacity;
  const used = Math.max(0, capacity - allocatable);
  const time = stamp(now);
  return {
    node: {
      nodeName,
      startTime: node.metadata.creationTimestamp,
      fs: { time, availableBytes: capacity - used, capacityBytes: capacity, usedBytes: used },
    },
    pods: pods.map((pod) => {
      const ns = pod.metadata.namespace ?? '';
      const volume = arr(rec(pod.spec).volumes).flatMap((v) => {
        const claim = rec(v.persistentVolumeClaim).claimName;
        if (typeof claim !== 'string') return [];
        const usage = scenario.volumes.find((u) => u.namespace === ns && u.pvc === claim);
        if (!usage) return [];
        return [
          {
            time,
            name: String(v.name),
            pvcRef: { name: claim, namespace: ns },
            usedBytes: usage.usedBytes,
            capacityBytes: usage.capacityBytes,
            availableBytes: Math.max(0, usage.capacityBytes - usage.usedBytes),
          },
        ];
      });
      return {
        podRef: { name: pod.metadata.name, namespace: ns, uid: pod.metadata.uid },
        startTime: rec(pod.status).startTime ?? pod.metadata.creationTimestamp,
        ...(volume.length ? { volume } : {}),
      };
    }),
  };
}
