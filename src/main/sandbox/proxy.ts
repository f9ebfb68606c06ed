// The service and pod proxy subresources, answered from the scenario's HTTP replies as if the
// request had reached the workload behind them.
import { isPodReady } from './workloads';
import { findHttpReply } from './scenario-match';
import { matchesLabels, requirementsFromLabelSelector } from './selectors';
import type { HttpReply, KubeObject, Scenario } from './snapshot-types';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(rec) : []);

export type ProxyOutcome =
  | { kind: 'reply'; reply: HttpReply }
  | { kind: 'status'; code: number; reason: string; message: string }
  | { kind: 'text'; code: number; text: string };

/** `name`, `name:port`, `https:name:port` (scheme:name:port). */
export function parseProxyName(raw: string): { scheme?: string; name: string; port?: string } {
  const parts = raw.split(':');
  if (parts.length === 3) return { scheme: parts[0] || undefined, name: parts[1], port: parts[2] || undefined };
  if (parts.length === 2) return { name: parts[0], port: parts[1] || undefined };
  return { name: raw };
}

function hasReadyEndpoints(svc: KubeObject, objects: KubeObject[]): boolean {
  const ns = svc.metadata.namespace;
  const endpoints = objects.find((o) => o.kind === 'Endpoints' && o.metadata.namespace === ns && o.metadata.name === svc.metadata.name);
  if (endpoints) return arr(endpoints.subsets).some((s) => arr(s.addresses).length > 0);
  const reqs = requirementsFromLabelSelector(rec(svc.spec).selector);
  if (reqs.length === 0) return false;
  return objects.some((o) => o.kind === 'Pod' && o.apiVersion === 'v1' && o.metadata.namespace === ns && matchesLabels(o.metadata.labels, reqs) && isPodReady(o));
}

export function proxyToService(
  svc: KubeObject,
  portRef: string | undefined,
  method: string,
  path: string,
  objects: KubeObject[],
  scenario: Scenario,
): ProxyOutcome {
  const name = svc.metadata.name;
  const ports = arr(rec(svc.spec).ports);
  const port = portRef === undefined ? ports[0] : ports.find((p) => p.name === portRef || String(p.port) === portRef);
  if (!port) {
    return { kind: 'status', code: 503, reason: 'ServiceUnavailable', message: `no endpoints available for service "${portRef ? `${name}:${portRef}` : name}"` };
  }
  if (!hasReadyEndpoints(svc, objects)) {
    return { kind: 'status', code: 503, reason: 'ServiceUnavailable', message: `no endpoints available for service "${name}"` };
  }
  const reply = findHttpReply(scenario, { namespace: svc.metadata.namespace ?? '', service: name, port: Number(port.port), method, path });
  if (reply?.reset) return { kind: 'text', code: 503, text: `error trying to reach service: dial tcp ${name}:${port.port}: connect: connection refused` };
  return reply ? { kind: 'reply', reply } : { kind: 'text', code: 404, text: '404 page not found\n' };
}

export function proxyToPod(pod: KubeObject, portRef: string | undefined, method: string, path: string, scenario: Scenario): ProxyOutcome {
  const name = pod.metadata.name;
  if (rec(pod.status).phase !== 'Running') {
    return { kind: 'status', code: 400, reason: 'BadRequest', message: `pod is not running: ${name}` };
  }
  let port: number | undefined;
  if (portRef === undefined) port = 80;
  else if (/^\d+$/.test(portRef)) port = Number(portRef);
  else {
    for (const c of arr(rec(pod.spec).containers)) {
      const p = arr(c.ports).find((x) => x.name === portRef);
      if (p) port = Number(p.containerPort);
    }
  }
  if (port === undefined) {
    return { kind: 'status', code: 503, reason: 'ServiceUnavailable', message: `error trying to reach service: no port named "${portRef}" in pod "${name}"` };
  }
  const reply = findHttpReply(scenario, { namespace: pod.metadata.namespace ?? '', pod: name, port, method, path });
  if (reply?.reset) return { kind: 'text', code: 503, text: `error trying to reach pod: dial tcp ${name}:${port}: connect: connection refused` };
  if (reply) return { kind: 'reply', reply };
  const ip = String(rec(pod.status).podIP ?? '');
  const listens = arr(rec(pod.spec).containers).some((c) => arr(c.ports).some((p) => Number(p.containerPort) === port));
  if (!listens) {
    return { kind: 'status', code: 503, reason: 'ServiceUnavailable', message: `error trying to reach service: dial tcp ${ip}:${port}: connect: connection refused` };
  }
  return { kind: 'text', code: 404, text: '404 page not found\n' };
}
