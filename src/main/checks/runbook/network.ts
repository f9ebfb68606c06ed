// Runbook section 5, "Problemas de Red": CoreDNS, NetworkPolicy reachability between the
// system's parts, and an opt-in DNS probe pod.
import type { Evidence, Remediation } from '../../../shared/checks';
import { ForbiddenError, type Check, type CheckContext, type KObject, type SystemNames } from '../types';
import { evaluateConnection, podEndpoint, resolveServiceTargetPort, type ConnectionVerdict, type NamespaceLabels } from '../network-policy';
import { canRunProbePods } from '../probe-pod';
import {
  hasLabels,
  isPodReady,
  isPodRunning,
  logEvidence,
  matchesLabelSelector,
  outcome,
  podRef,
  podStateReason,
  readRecentLogs,
  serviceMonitorTargets,
  sortRunningFirst,
} from './section-helpers';

const DNS = '5. Problemas de Red › DNS Resolution Issues';
const POLICIES = '5. Problemas de Red › Network Policy Issues';

export const COREDNS_ERRORS_FAIL = 10;
const COREDNS_ERROR = /SERVFAIL|i\/o timeout|read udp/;

function restartCoreDns(): Remediation {
  return {
    text: { es: 'Reiniciar DNS (CoreDNS).', en: 'Restart DNS (CoreDNS).' },
    command: 'kubectl rollout restart deployment/coredns -n kube-system',
    action: 'rollout-restart:coredns',
  };
}

const coreDns: Check = {
  id: 'network.coredns',
  reads: () => [['pods', 'kube-system']],
  section: 'network',
  title: { es: 'CoreDNS', en: 'CoreDNS' },
  runbook: DNS,
  severity: 'critical',
  kubectl: () => ['kubectl get pods -n kube-system -l k8s-app=kube-dns', 'kubectl logs -n kube-system deployment/coredns'],
  async run(ctx) {
    const pods = sortRunningFirst((await ctx.list('pods', 'kube-system')).filter((p) => hasLabels(p, { 'k8s-app': 'kube-dns' })));
    if (pods.length === 0) {
      return outcome('fail', 'No CoreDNS pods (k8s-app=kube-dns) in kube-system: in-cluster names cannot resolve.', { remediation: [restartCoreDns()] });
    }
    const evidence: Evidence[] = [];
    const notReady = pods.filter((p) => !isPodReady(p));
    for (const p of notReady) {
      evidence.push({ kind: 'object', label: 'CoreDNS pod not ready', ref: podRef(p), fields: { phase: p.status?.phase ?? null, reason: podStateReason(p) } });
    }
    const logs = await readRecentLogs(ctx, pods.filter(isPodRunning), { namespace: 'kube-system' });
    let errors = 0;
    const counts = { SERVFAIL: 0, 'i/o timeout': 0, 'read udp': 0 };
    for (const log of logs) {
      const lines = log.lines.filter((l) => COREDNS_ERROR.test(l));
      if (lines.length === 0) continue;
      errors += lines.length;
      for (const l of lines) for (const k of Object.keys(counts) as Array<keyof typeof counts>) if (l.includes(k)) counts[k]++;
      evidence.push(logEvidence('CoreDNS errors', log, lines));
    }
    const errorText = `${errors} error line(s) (SERVFAIL ${counts.SERVFAIL}, i/o timeout ${counts['i/o timeout']}, read udp ${counts['read udp']})`;
    const remediation = [restartCoreDns()];
    if (notReady.length === pods.length) {
      return outcome('fail', `No CoreDNS pod is ready (${notReady.map((p) => `${p.metadata.name}: ${podStateReason(p)}`).join('; ')}).`, { evidence, remediation });
    }
    if (notReady.length || errors >= COREDNS_ERRORS_FAIL) {
      return outcome('fail', `CoreDNS: ${pods.length - notReady.length}/${pods.length} pods ready; ${errorText} in the last logs.`, { evidence, remediation });
    }
    if (errors > 0) return outcome('warn', `CoreDNS pods ready, but ${errorText} in the last logs.`, { evidence, remediation });
    return outcome('pass', `${pods.length} CoreDNS pod(s) ready; no SERVFAIL or upstream timeouts in their last logs.`);
  },
};

// ---------------------------------------------------------------------------------------
// NetworkPolicy reachability

interface Party {
  /** How the finding names it. */
  name: string;
  /** Labels that find its pods. */
  labels: Record<string, string>;
  namespace: string;
}

interface Flow {
  from: Party;
  to: Party;
  /** The Service the client dials, when there is one, and its port (number or name). */
  service?: KObject;
  servicePort?: number | string;
  /** The pod port when there is no Service to resolve it from. */
  podPort?: number;
}

interface FlowResult {
  flow: Flow;
  port?: number;
  fromPod?: KObject;
  toPod?: KObject;
  verdict?: ConnectionVerdict;
  skipped?: string;
}

function componentParty(n: SystemNames, name: string, component: string): Party {
  return { name, labels: { 'app.kubernetes.io/component': component }, namespace: n.namespace };
}

function flowLabel(r: FlowResult): string {
  const port = r.port ?? r.flow.servicePort ?? r.flow.podPort ?? '?';
  return `${r.flow.from.name} → ${r.flow.to.name}:${port}`;
}

/** Whether a policy's peers select namespaces by anything but kubernetes.io/metadata.name. */
export function selectsNamespacesByOtherLabels(policies: KObject[]): boolean {
  for (const policy of policies) {
    for (const rule of [...(policy.spec?.ingress ?? []), ...(policy.spec?.egress ?? [])]) {
      for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
        const selector = peer.namespaceSelector;
        if (!selector) continue;
        if (Object.keys(selector.matchLabels ?? {}).some((k) => k !== 'kubernetes.io/metadata.name')) return true;
        if ((selector.matchExpressions ?? []).some((e: { key?: string }) => e.key !== 'kubernetes.io/metadata.name')) return true;
      }
    }
  }
  return false;
}

async function listOrEmpty(ctx: CheckContext, resource: 'namespaces' | 'servicemonitors.monitoring.coreos.com', namespace?: string | null): Promise<{ items: KObject[]; note?: string }> {
  try {
    return { items: await ctx.list(resource, namespace) };
  } catch (err) {
    if (err instanceof ForbiddenError) return { items: [], note: err.message };
    if (/not found|404|could not find/i.test((err as Error).message)) return { items: [], note: `${resource} not available` };
    throw err;
  }
}

function serviceParty(service: KObject): Party {
  return { name: service.metadata.name, labels: service.spec?.selector ?? {}, namespace: service.metadata.namespace ?? '' };
}

function allowPolicyYaml(r: FlowResult): string {
  const labelLines = (labels: Record<string, string>, pad: string) => Object.entries(labels).map(([k, v]) => `${pad}${k}: ${v}`);
  const name = `allow-${r.flow.from.name}-to-${r.flow.to.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);
  const crossNamespace = r.flow.from.namespace !== r.flow.to.namespace;
  return [
    `kubectl apply -n ${r.flow.to.namespace} -f - <<EOF`,
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    ...labelLines(r.flow.to.labels, '      '),
    '  policyTypes:',
    '  - Ingress',
    '  ingress:',
    '  - from:',
    '    - podSelector:',
    '        matchLabels:',
    ...labelLines(r.flow.from.labels, '          '),
    ...(crossNamespace ? ['      namespaceSelector:', '        matchLabels:', `          kubernetes.io/metadata.name: ${r.flow.from.namespace}`] : []),
    ...(r.port ? ['    ports:', '    - protocol: TCP', `      port: ${r.port}`] : []),
    'EOF',
  ].join('\n');
}

async function systemFlows(ctx: CheckContext): Promise<{ flows: Flow[]; notes: string[] }> {
  const n = ctx.names;
  const services = await ctx.list('services');
  const svc = (name: string) => services.find((s) => s.metadata.name === name);
  const frontend = componentParty(n, 'frontend', n.components.frontend);
  const backend = componentParty(n, 'backend', n.components.backend);
  const mlService = componentParty(n, 'ml-service', n.components.mlService);
  const postgres: Party = { name: 'postgresql', labels: { 'app.kubernetes.io/name': 'postgresql' }, namespace: n.namespace };
  const minio: Party = { name: 'minio', labels: { 'app.kubernetes.io/name': 'minio' }, namespace: n.namespace };
  const prometheus: Party = { name: 'prometheus', labels: { 'app.kubernetes.io/name': 'prometheus' }, namespace: n.namespace };
  const mlSvc = svc(`${n.release}-ml-service`) ?? services.find((s) => s.spec?.selector?.['app.kubernetes.io/component'] === n.components.mlService);
  const flows: Flow[] = [
    { from: frontend, to: backend, service: svc(n.backendService), servicePort: n.backendPort },
    { from: backend, to: postgres, service: svc(n.postgresStatefulSet), servicePort: 5432 },
    { from: backend, to: minio, service: svc(n.minioService), servicePort: 9000 },
    mlSvc ? { from: backend, to: mlService, service: mlSvc, servicePort: mlSvc.spec?.ports?.[0]?.port } : { from: backend, to: mlService },
  ];
  const notes: string[] = [];
  const monitors = await listOrEmpty(ctx, 'servicemonitors.monitoring.coreos.com');
  if (monitors.note) notes.push(`ServiceMonitors not read (${monitors.note})`);
  const seen = new Set<string>();
  for (const monitor of monitors.items) {
    for (const { service, port } of serviceMonitorTargets(monitor, services)) {
      const key = `${service.metadata.name}:${port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      flows.push({ from: prometheus, to: serviceParty(service), service, servicePort: port });
    }
  }
  // Pods scraped through the prometheus.io annotations.
  const pods = await ctx.list('pods');
  for (const pod of pods.filter(isPodRunning)) {
    const a = pod.metadata.annotations ?? {};
    if (a['prometheus.io/scrape'] !== 'true') continue;
    const port = Number(a['prometheus.io/port']) || pod.spec?.containers?.[0]?.ports?.[0]?.containerPort;
    if (!port) continue;
    const owner = pod.metadata.labels?.['app.kubernetes.io/component'] ?? pod.metadata.labels?.['app.kubernetes.io/name'] ?? pod.metadata.name;
    const key = `pod:${owner}:${port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const labels = pod.metadata.labels?.['app.kubernetes.io/component']
      ? { 'app.kubernetes.io/component': owner }
      : pod.metadata.labels?.['app.kubernetes.io/name']
        ? { 'app.kubernetes.io/name': owner }
        : (pod.metadata.labels ?? {});
    flows.push({ from: prometheus, to: { name: owner, labels, namespace: n.namespace }, podPort: port });
  }
  return { flows, notes };
}

const networkPolicies: Check = {
  id: 'network.policies',
  reads: () => ['networkpolicies.networking.k8s.io', 'services', 'servicemonitors.monitoring.coreos.com', 'pods'],
  section: 'network',
  title: { es: 'Tráfico permitido por las NetworkPolicies', en: 'Traffic allowed by the NetworkPolicies' },
  runbook: POLICIES,
  severity: 'high',
  kubectl: (n) => [`kubectl get networkpolicy -n ${n.namespace}`, `kubectl describe networkpolicy -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    const policies = await ctx.list('networkpolicies.networking.k8s.io');
    if (policies.length === 0) {
      return outcome('pass', `No NetworkPolicies in ${n.namespace}: traffic between its pods is not restricted.`);
    }
    const { flows, notes } = await systemFlows(ctx);
    // Namespace labels are read only when a policy selects namespaces by a label other than
    // kubernetes.io/metadata.name, which every namespace carries with its own name.
    let namespaces: NamespaceLabels[] | undefined;
    const namespacesFor = async (involved: KObject[]): Promise<NamespaceLabels[]> => {
      if (namespaces) return namespaces;
      if (!selectsNamespacesByOtherLabels(involved)) return [];
      const namespaceList = await listOrEmpty(ctx, 'namespaces', null);
      if (namespaceList.note) notes.push(`namespace labels not read (${namespaceList.note}); only kubernetes.io/metadata.name is assumed`);
      namespaces = namespaceList.items.map((ns) => ({ name: ns.metadata.name, labels: ns.metadata.labels ?? {} }));
      return namespaces;
    };
    const podsByNs = new Map<string, KObject[]>();
    const policiesByNs = new Map<string, KObject[]>([[n.namespace, policies]]);
    const podsIn = async (ns: string) => {
      if (!podsByNs.has(ns)) podsByNs.set(ns, sortRunningFirst(await ctx.list('pods', ns)));
      return podsByNs.get(ns)!;
    };
    const policiesIn = async (ns: string) => {
      if (!policiesByNs.has(ns)) policiesByNs.set(ns, await ctx.list('networkpolicies.networking.k8s.io', ns));
      return policiesByNs.get(ns)!;
    };

    const results: FlowResult[] = [];
    for (const flow of flows) {
      const fromPods = (await podsIn(flow.from.namespace)).filter((p) => hasLabels(p, flow.from.labels));
      const toPods = (await podsIn(flow.to.namespace)).filter((p) => hasLabels(p, flow.to.labels));
      if (fromPods.length === 0 || toPods.length === 0) {
        results.push({ flow, skipped: `no ${fromPods.length === 0 ? flow.from.name : flow.to.name} pods` });
        continue;
      }
      const relevant = [...(await policiesIn(flow.from.namespace)), ...(flow.to.namespace !== flow.from.namespace ? await policiesIn(flow.to.namespace) : [])];
      const from = podEndpoint(fromPods[0]);
      let result: FlowResult | undefined;
      for (const toPod of toPods) {
        const to = podEndpoint(toPod);
        const port = flow.service && flow.servicePort !== undefined ? resolveServiceTargetPort(flow.service, flow.servicePort, to) : (flow.podPort ?? (typeof flow.servicePort === 'number' ? flow.servicePort : undefined));
        if (port === undefined) {
          result ??= { flow, skipped: `port ${flow.servicePort} not found on ${toPod.metadata.name}` };
          continue;
        }
        const verdict = evaluateConnection(relevant, { from, to, port }, await namespacesFor(relevant));
        result = { flow, port, fromPod: fromPods[0], toPod, verdict };
        if (!verdict.allowed) break;
      }
      results.push(result!);
    }

    const evaluated = results.filter((r) => r.verdict);
    const blocked = evaluated.filter((r) => !r.verdict!.allowed);
    const skipped = results.filter((r) => r.skipped);
    const evidence: Evidence[] = [];
    for (const r of blocked) {
      const v = r.verdict!;
      evidence.push({
        kind: 'object',
        label: `Blocked: ${flowLabel(r)}`,
        ref: podRef(!v.ingress.allowed ? r.toPod! : r.fromPod!),
        fields: {
          from: r.fromPod!.metadata.name,
          to: r.toPod!.metadata.name,
          port: r.port ?? null,
          ingressBlockedBy: v.ingress.blocking.join(', ') || null,
          egressBlockedBy: v.egress.blocking.join(', ') || null,
        },
      });
    }
    evidence.push({
      kind: 'output',
      label: 'Evaluated connections',
      command: `kubectl describe networkpolicy -n ${n.namespace}`,
      text: results
        .map((r) => {
          if (r.skipped) return `${flowLabel(r)}: not evaluated (${r.skipped})`;
          const v = r.verdict!;
          if (!v.allowed) return `${flowLabel(r)}: BLOCKED by ${[...v.ingress.blocking.map((p) => `${p} (ingress)`), ...v.egress.blocking.map((p) => `${p} (egress)`)].join(', ')}`;
          const by = [...v.ingress.allowing, ...v.egress.allowing];
          return `${flowLabel(r)}: allowed${by.length ? ` by ${[...new Set(by)].join(', ')}` : ' (not isolated)'}`;
        })
        .join('\n'),
    });

    const noteText = [...notes, ...skipped.map((r) => `${flowLabel(r)} not evaluated: ${r.skipped}`)].join('; ');
    if (blocked.length) {
      const remediation: Remediation[] = [];
      for (const r of blocked) {
        const isFrontendBackend = r.flow.from.name === 'frontend' && r.flow.to.name === 'backend';
        remediation.push({
          text: {
            es: `Crear una policy específica que permita ${flowLabel(r)}.`,
            en: `Create a specific policy that allows ${flowLabel(r)}.`,
          },
          command: allowPolicyYaml(r),
          ...(isFrontendBackend ? { action: 'allow-frontend-to-backend' } : {}),
        });
      }
      if (blocked.some((r) => r.verdict!.ingress.blocking.includes('default-deny'))) {
        remediation.push({
          text: {
            es: 'La guía propone vaciar policyTypes de default-deny para permitir tráfico temporalmente; el API server vuelve a poner Ingress cuando la lista queda vacía, así que no levanta el bloqueo: mejor una policy específica.',
            en: 'The runbook suggests emptying default-deny’s policyTypes to allow traffic temporarily; the API server defaults an empty list back to Ingress, so that does not lift the block: prefer a specific policy.',
          },
          command: `kubectl patch networkpolicy default-deny -n ${n.namespace} -p='{"spec":{"policyTypes":[]}}'`,
        });
      }
      // Deny-only policies (no rules for the direction, like default-deny) are what blocks;
      // other selecting policies merely do not admit the pair either.
      const allPolicies = [...policiesByNs.values()].flat();
      const hasRules = (name: string, dir: 'ingress' | 'egress') =>
        allPolicies.some((p) => p.metadata.name === name && Array.isArray(p.spec?.[dir]) && p.spec[dir].length > 0);
      const message = blocked
        .map((r) => {
          const v = r.verdict!;
          const named = [...v.ingress.blocking.map((p) => ({ p, rules: hasRules(p, 'ingress') })), ...v.egress.blocking.map((p) => ({ p, rules: hasRules(p, 'egress') }))];
          const denyOnly = [...new Set(named.filter((x) => !x.rules).map((x) => x.p))];
          const others = [...new Set(named.filter((x) => x.rules).map((x) => x.p))].filter((p) => !denyOnly.includes(p));
          if (denyOnly.length && others.length) return `${flowLabel(r)} blocked by ${denyOnly.join(', ')} (no rule of ${others.join(', ')} admits it)`;
          return `${flowLabel(r)} blocked by ${[...denyOnly, ...others].join(', ')}`;
        })
        .join('; ');
      return outcome('fail', `${message}${noteText ? ` (${noteText})` : ''}.`, { evidence, remediation });
    }
    if (evaluated.length === 0) {
      return outcome('warn', `No connection could be evaluated: ${noteText}.`, { evidence });
    }
    return outcome('pass', `${evaluated.length} connection(s) allowed by the ${policies.length} NetworkPolicies in ${n.namespace}${noteText ? ` (${noteText})` : ''}.`, { evidence });
  },
};

// ---------------------------------------------------------------------------------------

export const DNS_PROBE_IMAGE = 'busybox:1.36';
// Inside the engine's per-check time (15 s by default), so the pod is gone before the check is cut.
export const DNS_PROBE_TIMEOUT_MS = 12_000;

const dnsProbe: Check = {
  id: 'network.dns-probe',
  section: 'network',
  title: { es: 'Prueba de DNS con un pod (nslookup kubernetes.default)', en: 'DNS probe pod (nslookup kubernetes.default)' },
  runbook: DNS,
  severity: 'high',
  optIn: true,
  kubectl: (n) => [`kubectl run test-pod --image=busybox -n ${n.namespace} -it --rm -- nslookup kubernetes.default`],
  async run(ctx) {
    if (!canRunProbePods(ctx)) return outcome('skipped', 'The context cannot create probe pods.');
    const command = ['nslookup', 'kubernetes.default'];
    const r = await ctx.runProbePod({
      namePrefix: 'roadside-dns-probe',
      namespace: ctx.names.namespace,
      image: DNS_PROBE_IMAGE,
      command,
      timeoutMs: DNS_PROBE_TIMEOUT_MS,
      signal: ctx.signal,
    });
    const evidence: Evidence[] = [
      { kind: 'output', label: `${r.podName} (${r.phase})`, command: command.join(' '), text: r.logs.trim().slice(-4000), exitCode: r.phase === 'Succeeded' ? 0 : undefined },
    ];
    const cleanup = r.cleanupError ? ` Cleanup failed: ${r.cleanupError}.` : '';
    const resolved = /Name:\s*kubernetes\.default(\.svc[\w.]*)?/i.test(r.logs) && /Address(es)?:?\s*\d/i.test(r.logs.split(/Name:/i).slice(1).join(''));
    const remediation = [
      {
        text: { es: 'Verificar CoreDNS (ver network.coredns).', en: 'Check CoreDNS (see network.coredns).' },
        command: 'kubectl get pods -n kube-system -l k8s-app=kube-dns',
      },
      restartCoreDns(),
    ];
    if (r.timedOut) {
      return outcome('fail', `The probe pod did not finish within ${DNS_PROBE_TIMEOUT_MS / 1000} s (phase ${r.phase}).${cleanup}`, { evidence, remediation });
    }
    if (r.phase === 'Succeeded' && resolved) {
      return outcome(r.cleanupError ? 'warn' : 'pass', `kubernetes.default resolves from a pod in ${ctx.names.namespace}.${cleanup}`, { evidence });
    }
    const reason = /can't resolve|NXDOMAIN|server can't find/i.test(r.logs) ? 'the name did not resolve' : /timed out|no servers could be reached/i.test(r.logs) ? 'the DNS server did not answer' : `the probe ended ${r.phase}`;
    return outcome('fail', `nslookup kubernetes.default failed: ${reason}.${cleanup}`, { evidence, remediation });
  },
};

export const networkChecks: Check[] = [coreDns, networkPolicies, dnsProbe];
