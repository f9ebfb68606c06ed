import { describe, expect, it } from 'vitest';
import {
  evaluateConnection,
  podEndpoint,
  policySelectsPod,
  policyTypesOf,
  resolveServiceTargetPort,
  type PodEndpoint,
} from '../../src/main/checks/network-policy';
import { backendPod, frontendPod, mlPod, namespaceObject, networkPolicy, NS, pod, postgresPod, prometheusPod, service } from './checks-sections-fixtures';

const frontend = podEndpoint(frontendPod());
const backend = podEndpoint(backendPod());
const ml = podEndpoint(mlPod());
const postgres = podEndpoint(postgresPod());
const prometheus = podEndpoint(prometheusPod());
const ingressNginx: PodEndpoint = { name: 'ingress-nginx-controller-1', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [] };
const namespaces = [namespaceObject(NS), namespaceObject('ingress-nginx', { team: 'edge' }), namespaceObject('monitoring', { team: 'obs' })].map((n) => ({
  name: n.metadata.name,
  labels: n.metadata.labels!,
}));

const defaultDeny = networkPolicy('default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
const allowFrontendToBackend = networkPolicy('allow-frontend-to-backend', {
  podSelector: { matchLabels: { 'app.kubernetes.io/component': 'backend' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8000 }] }],
});

describe('policyTypesOf', () => {
  it('defaults to Ingress, adding Egress only when egress rules exist', () => {
    expect(policyTypesOf(networkPolicy('a', { podSelector: {} }))).toEqual(['Ingress']);
    expect(policyTypesOf(networkPolicy('b', { podSelector: {}, egress: [{}] }))).toEqual(['Ingress', 'Egress']);
    expect(policyTypesOf(networkPolicy('c', { podSelector: {}, egress: [] }))).toEqual(['Ingress']);
  });

  it('keeps an explicit list and re-defaults an empty one as the API server does', () => {
    expect(policyTypesOf(networkPolicy('a', { podSelector: {}, policyTypes: ['Egress'] }))).toEqual(['Egress']);
    expect(policyTypesOf(networkPolicy('b', { podSelector: {}, policyTypes: [] }))).toEqual(['Ingress']);
  });
});

describe('policySelectsPod', () => {
  it('selects by podSelector within the policy namespace only', () => {
    expect(policySelectsPod(defaultDeny, backend)).toBe(true);
    expect(policySelectsPod(defaultDeny, ingressNginx)).toBe(false);
    expect(policySelectsPod(allowFrontendToBackend, frontend)).toBe(false);
    expect(policySelectsPod(allowFrontendToBackend, backend)).toBe(true);
  });

  it('supports matchExpressions', () => {
    const p = networkPolicy('x', { podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['frontend', 'backend'] }] } });
    expect(policySelectsPod(p, frontend)).toBe(true);
    expect(policySelectsPod(p, backend)).toBe(true);
    expect(policySelectsPod(p, ml)).toBe(false);
    const notIn = networkPolicy('y', { podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'NotIn', values: ['backend'] }] } });
    expect(policySelectsPod(notIn, backend)).toBe(false);
    expect(policySelectsPod(notIn, postgres)).toBe(true); // no component label at all
    const exists = networkPolicy('z', { podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'Exists' }] } });
    expect(policySelectsPod(exists, postgres)).toBe(false);
    const absent = networkPolicy('w', { podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'DoesNotExist' }] } });
    expect(policySelectsPod(absent, postgres)).toBe(true);
  });
});

describe('evaluateConnection', () => {
  it('allows everything when no policy selects the pods', () => {
    const v = evaluateConnection([], { from: frontend, to: backend, port: 8000 });
    expect(v.allowed).toBe(true);
    expect(v.ingress.isolated).toBe(false);
  });

  it('names default-deny as the blocker when nothing else allows the pair', () => {
    const v = evaluateConnection([defaultDeny], { from: frontend, to: backend, port: 8000 }, namespaces);
    expect(v.allowed).toBe(false);
    expect(v.ingress.blocking).toEqual(['default-deny']);
    expect(v.egress.isolated).toBe(false);
  });

  it('lets a specific policy open what default-deny closes, on its port only', () => {
    const policies = [defaultDeny, allowFrontendToBackend];
    const ok = evaluateConnection(policies, { from: frontend, to: backend, port: 8000 }, namespaces);
    expect(ok.allowed).toBe(true);
    expect(ok.ingress.allowing).toEqual(['allow-frontend-to-backend']);
    expect(ok.ingress.blocking).toEqual([]);

    const otherPort = evaluateConnection(policies, { from: frontend, to: backend, port: 9000 }, namespaces);
    expect(otherPort.allowed).toBe(false);
    expect(otherPort.ingress.blocking.sort()).toEqual(['allow-frontend-to-backend', 'default-deny']);

    const otherSource = evaluateConnection(policies, { from: ml, to: backend, port: 8000 }, namespaces);
    expect(otherSource.allowed).toBe(false);
  });

  it('treats UDP as different from the TCP default', () => {
    const v = evaluateConnection([defaultDeny, allowFrontendToBackend], { from: frontend, to: backend, port: 8000, protocol: 'UDP' }, namespaces);
    expect(v.allowed).toBe(false);
  });

  it('resolves named ports on the destination pod', () => {
    const named = networkPolicy('named', {
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'backend' } },
      ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'http' }] }],
    });
    expect(evaluateConnection([named], { from: frontend, to: backend, port: 8000 }).allowed).toBe(true);
    expect(evaluateConnection([named], { from: frontend, to: backend, port: 8001 }).allowed).toBe(false);
    const wrongName = networkPolicy('named2', {
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'backend' } },
      ingress: [{ ports: [{ port: 'metrics' }] }],
    });
    expect(evaluateConnection([wrongName], { from: frontend, to: backend, port: 8000 }).allowed).toBe(false);
  });

  it('honours endPort ranges', () => {
    const range = networkPolicy('range', { podSelector: {}, ingress: [{ ports: [{ port: 8000, endPort: 8010 }] }] });
    expect(evaluateConnection([range], { from: frontend, to: backend, port: 8005 }).allowed).toBe(true);
    expect(evaluateConnection([range], { from: frontend, to: backend, port: 8011 }).allowed).toBe(false);
  });

  it('an empty from allows every source; an empty ingress list denies all', () => {
    const anySource = networkPolicy('any-source', { podSelector: {}, ingress: [{ ports: [{ port: 8000 }] }] });
    expect(evaluateConnection([anySource], { from: ingressNginx, to: backend, port: 8000 }, namespaces).allowed).toBe(true);
    const allowAll = networkPolicy('allow-all', { podSelector: {}, ingress: [{}] });
    expect(evaluateConnection([allowAll], { from: ml, to: postgres, port: 5432 }).allowed).toBe(true);
    const denyAll = networkPolicy('deny-all', { podSelector: {}, ingress: [] });
    const v = evaluateConnection([denyAll], { from: ml, to: postgres, port: 5432 });
    expect(v.allowed).toBe(false);
    expect(v.ingress.blocking).toEqual(['deny-all']);
  });

  it('a bare podSelector peer matches only pods of the policy’s namespace', () => {
    const sameNs = networkPolicy('same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
    expect(evaluateConnection([sameNs], { from: frontend, to: backend, port: 8000 }).allowed).toBe(true);
    expect(evaluateConnection([sameNs], { from: ingressNginx, to: backend, port: 8000 }, namespaces).allowed).toBe(false);
  });

  it('namespaceSelector alone admits every pod of the matching namespaces (by labels, incl. kubernetes.io/metadata.name)', () => {
    const byName = networkPolicy('from-ingress-ns', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }],
    });
    expect(evaluateConnection([byName], { from: ingressNginx, to: frontend, port: 8080 }, namespaces).allowed).toBe(true);
    expect(evaluateConnection([byName], { from: backend, to: frontend, port: 8080 }, namespaces).allowed).toBe(false);
    // Without a namespace list the name label is still known.
    expect(evaluateConnection([byName], { from: ingressNginx, to: frontend, port: 8080 }, []).allowed).toBe(true);

    const byTeam = networkPolicy('from-edge', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'edge' } } }] }] });
    expect(evaluateConnection([byTeam], { from: ingressNginx, to: frontend, port: 8080 }, namespaces).allowed).toBe(true);
    expect(evaluateConnection([byTeam], { from: ingressNginx, to: frontend, port: 8080 }, []).allowed).toBe(false);

    const everyNs = networkPolicy('every-ns', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] });
    expect(evaluateConnection([everyNs], { from: ingressNginx, to: frontend, port: 8080 }, namespaces).allowed).toBe(true);
  });

  it('namespaceSelector with podSelector in one peer requires both (AND), two peers are OR', () => {
    const and = networkPolicy('and', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'edge' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }] }],
    });
    const otherEdgePod: PodEndpoint = { ...ingressNginx, name: 'other', labels: { app: 'other' } };
    expect(evaluateConnection([and], { from: ingressNginx, to: frontend, port: 8080 }, namespaces).allowed).toBe(true);
    expect(evaluateConnection([and], { from: otherEdgePod, to: frontend, port: 8080 }, namespaces).allowed).toBe(false);

    const or = networkPolicy('or', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'edge' } } }, { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }] }],
    });
    expect(evaluateConnection([or], { from: otherEdgePod, to: frontend, port: 8080 }, namespaces).allowed).toBe(true);
  });

  it('ipBlock peers never match pods', () => {
    const ip = networkPolicy('ip', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });
    const v = evaluateConnection([ip], { from: frontend, to: backend, port: 8000 });
    expect(v.allowed).toBe(false);
    expect(v.ingress.blocking).toEqual(['ip']);
  });

  it('egress policies isolate the source; the blocker is the source’s policy', () => {
    const egressDeny = networkPolicy('backend-egress-dns-only', {
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'backend' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
    });
    const v = evaluateConnection([egressDeny], { from: backend, to: postgres, port: 5432 });
    expect(v.allowed).toBe(false);
    expect(v.ingress.isolated).toBe(false);
    expect(v.egress.blocking).toEqual(['backend-egress-dns-only']);

    const egressAllow = networkPolicy('backend-to-db', {
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'backend' } },
      egress: [{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgresql' } } }], ports: [{ port: 5432 }] }],
    });
    // policyTypes defaulted to Ingress+Egress: the backend is isolated for ingress too.
    expect(policyTypesOf(egressAllow)).toEqual(['Ingress', 'Egress']);
    expect(evaluateConnection([egressDeny, egressAllow], { from: backend, to: postgres, port: 5432 }).allowed).toBe(true);
    expect(evaluateConnection([egressAllow], { from: frontend, to: backend, port: 8000 }).allowed).toBe(false);
  });

  it('needs both directions: allowed egress does not beat a denied ingress', () => {
    const egressAll = networkPolicy('egress-all', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] });
    const v = evaluateConnection([egressAll, defaultDeny], { from: frontend, to: backend, port: 8000 });
    expect(v.egress.allowed).toBe(true);
    expect(v.ingress.allowed).toBe(false);
    expect(v.allowed).toBe(false);
  });

  it('policies in another namespace do not apply', () => {
    const elsewhere = networkPolicy('deny-in-monitoring', { podSelector: {}, policyTypes: ['Ingress'] }, 'monitoring');
    expect(evaluateConnection([elsewhere], { from: frontend, to: backend, port: 8000 }).allowed).toBe(true);
  });

  it('Prometheus scraping under the healthy scenario’s allow-prometheus-scrape policy', () => {
    const scrape = networkPolicy('allow-prometheus-scrape', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server' } } }] }],
    });
    expect(evaluateConnection([defaultDeny, scrape], { from: prometheus, to: ml, port: 8001 }).allowed).toBe(true);
    expect(evaluateConnection([defaultDeny, scrape], { from: frontend, to: ml, port: 8001 }).allowed).toBe(false);
  });
});

describe('resolveServiceTargetPort', () => {
  it('follows a named targetPort to the container port', () => {
    const svc = service('traffic-system-backend', {}, [{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(resolveServiceTargetPort(svc, 80, backend)).toBe(8000);
    expect(resolveServiceTargetPort(svc, 'http', backend)).toBe(8000);
  });
  it('uses a numeric targetPort, or the port itself', () => {
    expect(resolveServiceTargetPort(service('p', {}, [{ port: 80, targetPort: 9090 }]), 80, prometheus)).toBe(9090);
    expect(resolveServiceTargetPort(service('q', {}, [{ port: 5432 }]), 5432, postgres)).toBe(5432);
  });
  it('is undefined when a named target is not on the pod', () => {
    const svc = service('s', {}, [{ name: 'http', port: 80, targetPort: 'web' }]);
    expect(resolveServiceTargetPort(svc, 80, podEndpoint(pod({ name: 'x' })))).toBeUndefined();
  });
});
