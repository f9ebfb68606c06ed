// NetworkPolicy evaluation: would a connection from one pod to another pod's port be
// allowed under the namespace's policies? Follows the networking.k8s.io/v1 semantics:
// a pod is isolated for a direction when any policy of its namespace selects it with that
// policy type; an isolated pod accepts only what at least one selecting policy allows.
// ipBlock peers describe addresses outside the pod network and never match a pod here.
import type { KObject } from './types';
import { matchesLabelSelector, type LabelSelector } from './runbook/section-helpers';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PodEndpoint {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Container ports, for policies that name a port. */
  ports: Array<{ name?: string; containerPort: number; protocol?: string }>;
}

export interface NamespaceLabels {
  name: string;
  labels: Record<string, string>;
}

export interface Connection {
  from: PodEndpoint;
  to: PodEndpoint;
  port: number;
  protocol?: Protocol;
}

export interface DirectionVerdict {
  allowed: boolean;
  /** Whether any policy selects the pod for this direction. */
  isolated: boolean;
  /** Policies that select the pod for this direction. */
  selecting: string[];
  /** Selecting policies with a rule that allows the connection. */
  allowing: string[];
  /** When denied: the selecting policies (none of whose rules allow the connection). */
  blocking: string[];
}

export interface ConnectionVerdict {
  allowed: boolean;
  ingress: DirectionVerdict;
  egress: DirectionVerdict;
}

type PolicyType = 'Ingress' | 'Egress';

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: PolicyPort[];
}

/**
 * The policy's types as the API server defaults them: the given list when non-empty,
 * else Ingress, plus Egress when the policy has egress rules.
 */
export function policyTypesOf(policy: KObject): PolicyType[] {
  const given: unknown[] = Array.isArray(policy.spec?.policyTypes) ? policy.spec.policyTypes : [];
  if (given.length) return given.filter((t): t is PolicyType => t === 'Ingress' || t === 'Egress');
  const types: PolicyType[] = ['Ingress'];
  if (Array.isArray(policy.spec?.egress) && policy.spec.egress.length) types.push('Egress');
  return types;
}

export function policySelectsPod(policy: KObject, pod: PodEndpoint): boolean {
  const ns = policy.metadata.namespace;
  if (ns !== undefined && ns !== pod.namespace) return false;
  return matchesLabelSelector(policy.spec?.podSelector ?? {}, pod.labels);
}

function namespaceLabels(namespaces: NamespaceLabels[], name: string): Record<string, string> {
  const found = namespaces.find((n) => n.name === name);
  // Every namespace carries its name as a label (since Kubernetes 1.21), even when unlisted.
  return { 'kubernetes.io/metadata.name': name, ...(found?.labels ?? {}) };
}

function peerMatches(peer: Peer, policyNamespace: string, pod: PodEndpoint, namespaces: NamespaceLabels[]): boolean {
  if (peer.ipBlock) return false;
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  if (peer.namespaceSelector) {
    if (!matchesLabelSelector(peer.namespaceSelector, namespaceLabels(namespaces, pod.namespace))) return false;
  } else if (pod.namespace !== policyNamespace) {
    return false;
  }
  return peer.podSelector ? matchesLabelSelector(peer.podSelector, pod.labels) : true;
}

function portMatches(port: PolicyPort, conn: Connection): boolean {
  const protocol = (port.protocol ?? 'TCP').toUpperCase();
  if (protocol !== (conn.protocol ?? 'TCP')) return false;
  if (port.port === undefined || port.port === null) return true;
  if (typeof port.port === 'number' || /^\d+$/.test(String(port.port))) {
    const start = Number(port.port);
    const end = typeof port.endPort === 'number' ? port.endPort : start;
    return conn.port >= start && conn.port <= end;
  }
  // A named port is resolved on the destination pod's containers.
  return conn.to.ports.some(
    (p) => p.name === port.port && p.containerPort === conn.port && (p.protocol ?? 'TCP').toUpperCase() === protocol,
  );
}

function ruleAllows(rule: Rule, peers: Peer[] | undefined, policyNamespace: string, peerPod: PodEndpoint, conn: Connection, namespaces: NamespaceLabels[]): boolean {
  const portsOk = !rule.ports?.length || rule.ports.some((p) => portMatches(p, conn));
  if (!portsOk) return false;
  if (!peers || peers.length === 0) return true;
  return peers.some((peer) => peerMatches(peer, policyNamespace, peerPod, namespaces));
}

function evaluateDirection(policies: KObject[], type: PolicyType, conn: Connection, namespaces: NamespaceLabels[]): DirectionVerdict {
  const subject = type === 'Ingress' ? conn.to : conn.from;
  const peer = type === 'Ingress' ? conn.from : conn.to;
  const selecting = policies.filter((p) => policyTypesOf(p).includes(type) && policySelectsPod(p, subject));
  if (selecting.length === 0) return { allowed: true, isolated: false, selecting: [], allowing: [], blocking: [] };
  const allowing = selecting.filter((p) => {
    const rules: Rule[] = (type === 'Ingress' ? p.spec?.ingress : p.spec?.egress) ?? [];
    const policyNamespace = p.metadata.namespace ?? subject.namespace;
    return rules.some((r) => ruleAllows(r, type === 'Ingress' ? r.from : r.to, policyNamespace, peer, conn, namespaces));
  });
  const names = (list: KObject[]) => list.map((p) => p.metadata.name);
  return {
    allowed: allowing.length > 0,
    isolated: true,
    selecting: names(selecting),
    allowing: names(allowing),
    blocking: allowing.length > 0 ? [] : names(selecting),
  };
}

/** Whether `conn` is allowed by the policies (of any namespaces; each applies to its own). */
export function evaluateConnection(policies: KObject[], conn: Connection, namespaces: NamespaceLabels[] = []): ConnectionVerdict {
  const ingress = evaluateDirection(policies, 'Ingress', conn, namespaces);
  const egress = evaluateDirection(policies, 'Egress', conn, namespaces);
  return { allowed: ingress.allowed && egress.allowed, ingress, egress };
}

/** A pod object as the evaluator sees it. */
export function podEndpoint(pod: KObject): PodEndpoint {
  const ports: PodEndpoint['ports'] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (typeof p?.containerPort === 'number') ports.push({ name: p.name, containerPort: p.containerPort, protocol: p.protocol });
    }
  }
  return { name: pod.metadata.name, namespace: pod.metadata.namespace ?? '', labels: pod.metadata.labels ?? {}, ports };
}

/**
 * The pod port a Service port leads to: its targetPort (a number, or a name resolved on the
 * pod's containers), else the port itself. undefined when a named target is not on the pod.
 */
export function resolveServiceTargetPort(service: KObject, servicePort: number | string, pod: PodEndpoint): number | undefined {
  const ports: any[] = service.spec?.ports ?? [];
  const sp = ports.find((p) => p.port === servicePort || (typeof servicePort === 'string' && p.name === servicePort));
  if (!sp) return typeof servicePort === 'number' ? servicePort : undefined;
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  return pod.ports.find((p) => p.name === target)?.containerPort;
}
