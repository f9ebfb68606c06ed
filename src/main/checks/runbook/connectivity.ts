// Runbook section 1, "Frontend no puede conectar al Backend": pods, services and their endpoints,
// the Ingress and its controller, the backend's health endpoint and the TLS certificates.
import { X509Certificate } from 'node:crypto';
import type { Evidence, Remediation } from '../../../shared/checks';
import { ForbiddenError, UnreachableError, type Check, type CheckContext, type KObject, type SystemNames } from '../types';
import {
  RUNBOOK,
  ageMs,
  errorText,
  isPodActive,
  isPodReady,
  lastTermination,
  logEvidence,
  matchLogLines,
  objectRef,
  podProblem,
  podRef,
  restartCount,
  selectsLabels,
  truncate,
  type LogPattern,
} from './common';
import { mapLimit } from './section-helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const restartBackend = (n: SystemNames): Remediation => ({
  text: { es: 'Reiniciar el backend (rollout restart).', en: 'Restart the backend (rollout restart).' },
  command: `kubectl rollout restart deployment/${n.release}-backend -n ${n.namespace}`,
  action: 'rollout-restart:backend',
});

const describeIngress = (n: SystemNames): Remediation => ({
  text: { es: 'Verificar la configuración del Ingress.', en: 'Check the Ingress configuration.' },
  command: `kubectl describe ingress ${n.release} -n ${n.namespace}`,
});

/** Which restart action fits a pod, from its component label. */
function restartActionFor(pod: KObject, n: SystemNames): Remediation | undefined {
  const component = pod.metadata.labels?.['app.kubernetes.io/component'];
  if (component === n.components.backend) return restartBackend(n);
  if (component === n.components.mlService) {
    return {
      text: { es: 'Reiniciar el ML service (rollout restart).', en: 'Restart the ML service (rollout restart).' },
      command: `kubectl rollout restart deployment/${n.release}-ml-service -n ${n.namespace}`,
      action: 'rollout-restart:ml-service',
    };
  }
  return undefined;
}

// ------------------------------------------------------------------ pods-healthy

/** Container states that are faults whatever the other replicas do. */
const CRASH_REASONS = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'OOMKilled', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

const podsHealthy: Check = {
  id: 'connectivity.pods-healthy',
  reads: () => ['pods'],
  section: 'connectivity',
  title: { es: 'Todos los pods en Running y Ready', en: 'Every pod Running and Ready' },
  runbook: RUNBOOK.frontendBackend,
  severity: 'critical',
  kubectl: (n) => [`kubectl get pods -n ${n.namespace}`, `kubectl get events -n ${n.namespace} --sort-by=.lastTimestamp`],
  async run(ctx) {
    const n = ctx.names;
    const pods = (await ctx.list('pods')).filter(isPodActive);
    if (pods.length === 0) return { status: 'warn', message: `No pods found in namespace ${n.namespace}` };
    const now = ctx.now();
    const evidence: Evidence[] = [];
    const remediation: Remediation[] = [];
    const broken: string[] = [];
    const restarted: string[] = [];
    const owner = (p: KObject) => p.metadata.ownerReferences?.find((o) => o.controller)?.name ?? p.metadata.name;
    const degraded: string[] = [];
    for (const pod of pods) {
      const problem = podProblem(pod);
      const last = lastTermination(pod);
      const restarts = restartCount(pod);
      const fields = {
        phase: pod.status?.phase ?? null,
        ready: isPodReady(pod),
        restarts,
        lastTermination: last ? `${last.reason}${last.exitCode !== undefined ? ` (exit ${last.exitCode})` : ''}${last.finishedAt ? ` at ${last.finishedAt}` : ''}` : null,
      };
      if (problem) {
        // A crashing container is a fault; a pod still waiting (Pending, not ready, evicted) is
        // one only when its workload has no other ready pod serving.
        const crashing = CRASH_REASONS.has(problem.reason);
        const siblingsReady = pods.some((p) => p !== pod && owner(p) === owner(pod) && isPodReady(p));
        const line = `${pod.metadata.name} ${problem.reason}`;
        if (crashing || !siblingsReady) broken.push(line);
        else degraded.push(`${line} (other replicas serving)`);
        evidence.push({ kind: 'object', label: `${problem.reason}: ${problem.detail}`, ref: podRef(pod), fields: { ...fields, reason: problem.reason } });
        const restart = restartActionFor(pod, n);
        if (crashing && restart && !remediation.some((r) => r.action === restart.action)) remediation.push(restart);
        if (problem.reason === 'OOMKilled' && pod.metadata.labels?.['app.kubernetes.io/component'] === n.components.mlService) {
          remediation.push({
            text: { es: 'Actualizar los límites de recursos del ML service.', en: 'Raise the ML service resource limits.' },
            command: `kubectl patch deployment ${n.release}-ml-service -n ${n.namespace} -p '{"spec":{"template":{"spec":{"containers":[{"name":"ml-service","resources":{"limits":{"cpu":"4000m","memory":"8Gi"},"requests":{"cpu":"2000m","memory":"4Gi"}}}]}}}}'`,
            action: 'set-resources:ml-service',
          });
        }
      } else if (last && restarts > 0 && (ageMs(last.finishedAt, now) < HOUR || (last.reason === 'OOMKilled' && ageMs(last.finishedAt, now) < DAY))) {
        restarted.push(`${pod.metadata.name} (${restarts} restarts, last ${last.reason})`);
        evidence.push({ kind: 'object', label: `restarted recently: ${last.reason}`, ref: podRef(pod), fields });
      }
    }
    const describeFirst = (line: string): Remediation => ({
      text: { es: 'Ver el detalle y los eventos del pod.', en: 'Look at the pod details and events.' },
      command: `kubectl describe pod ${line.split(' ')[0]} -n ${n.namespace}`,
    });
    if (broken.length) {
      remediation.unshift(describeFirst(broken[0]));
      return {
        status: 'fail',
        message: `${broken.length + degraded.length} of ${pods.length} pods not healthy: ${broken.concat(degraded).join(', ')}`,
        evidence,
        remediation,
      };
    }
    if (degraded.length) {
      remediation.unshift(describeFirst(degraded[0]));
      return { status: 'warn', message: `${degraded.length} of ${pods.length} pods not ready: ${degraded.concat(restarted).join(', ')}`, evidence, remediation };
    }
    if (restarted.length) {
      return { status: 'warn', message: `All ${pods.length} pods Ready, but restarted recently: ${restarted.join(', ')}`, evidence };
    }
    return { status: 'pass', message: `All ${pods.length} pods Running and Ready` };
  },
};

// ------------------------------------------------------------------ service-endpoints

function readyAddresses(endpoints: KObject | undefined): { ready: number; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const subset of endpoints?.subsets ?? []) {
    ready += subset.addresses?.length ?? 0;
    notReady += subset.notReadyAddresses?.length ?? 0;
  }
  return { ready, notReady };
}

/** Does some container of the pod serve the Service port's targetPort? */
function targetPortProblem(servicePort: any, pods: KObject[]): string | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  const containerPorts = pods.flatMap((p) => (p.spec?.containers ?? []).flatMap((c: any) => c.ports ?? []));
  if (typeof target === 'string' && !/^\d+$/.test(target)) {
    if (!containerPorts.some((cp: any) => cp.name === target)) return `port ${servicePort.name ?? servicePort.port}: targetPort "${target}" names no container port`;
    return undefined;
  }
  const number = Number(target);
  // Declaring containerPort is optional; only a pod that declares ports, none of them this one, is suspicious.
  if (containerPorts.length > 0 && !containerPorts.some((cp: any) => cp.containerPort === number)) {
    return `port ${servicePort.name ?? servicePort.port}: targetPort ${number} is not a declared container port (${[...new Set(containerPorts.map((cp: any) => cp.containerPort))].join(', ')})`;
  }
  return undefined;
}

const serviceEndpoints: Check = {
  id: 'connectivity.service-endpoints',
  reads: () => ['services', 'endpoints', 'pods'],
  section: 'connectivity',
  title: { es: 'Los Services tienen endpoints listos', en: 'Services have ready endpoints' },
  runbook: RUNBOOK.frontendBackend,
  severity: 'critical',
  kubectl: (n) => [`kubectl get svc -n ${n.namespace}`, `kubectl get endpoints -n ${n.namespace}`, `kubectl describe svc ${n.backendService} -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    const [services, endpoints, pods] = await Promise.all([ctx.list('services'), ctx.list('endpoints'), ctx.list('pods')]);
    const checked = services.filter((s) => s.spec?.type !== 'ExternalName' && s.spec?.selector && Object.keys(s.spec.selector).length > 0);
    if (checked.length === 0) return { status: 'warn', message: `No Services with a selector in namespace ${n.namespace}` };
    const evidence: Evidence[] = [];
    const failures: string[] = [];
    const warnings: string[] = [];
    let backendDown = false;
    for (const svc of checked) {
      const name = svc.metadata.name;
      const selected = pods.filter((p) => isPodActive(p) && selectsLabels(svc.spec.selector, p.metadata.labels));
      const ep = endpoints.find((e) => e.metadata.name === name);
      const counts = ep ? readyAddresses(ep) : { ready: selected.filter(isPodReady).length, notReady: selected.filter((p) => !isPodReady(p)).length };
      const portProblems = (svc.spec.ports ?? []).map((p: any) => targetPortProblem(p, selected)).filter(Boolean) as string[];
      const fields = { selectedPods: selected.length, readyEndpoints: counts.ready, notReadyEndpoints: counts.notReady };
      if (selected.length === 0) {
        failures.push(`${name} selects no pods`);
        evidence.push({ kind: 'object', label: `selects no pods (selector ${Object.entries(svc.spec.selector).map(([k, v]) => `${k}=${v}`).join(',')})`, ref: objectRef('Service', svc), fields });
      } else if (counts.ready === 0) {
        failures.push(`${name} has no ready endpoints (${counts.notReady} not ready)`);
        evidence.push({ kind: 'object', label: 'no ready endpoints: requests through it fail (502 Bad Gateway at the ingress)', ref: objectRef('Service', svc), fields });
      } else if (counts.notReady > 0) {
        warnings.push(`${name} ${counts.ready}/${counts.ready + counts.notReady} endpoints ready`);
        evidence.push({ kind: 'object', label: 'some endpoints not ready', ref: objectRef('Service', svc), fields });
      }
      if (portProblems.length) {
        failures.push(`${name} ${portProblems.join('; ')}`);
        evidence.push({ kind: 'object', label: portProblems.join('; '), ref: objectRef('Service', svc), fields });
      }
      if (name === n.backendService && (selected.length === 0 || counts.ready === 0)) backendDown = true;
    }
    const remediation: Remediation[] = [
      {
        text: { es: 'Revisar el Service y los pods que selecciona.', en: 'Check the Service and the pods it selects.' },
        command: `kubectl describe svc ${n.backendService} -n ${n.namespace}`,
      },
    ];
    if (backendDown) remediation.push(restartBackend(n));
    if (failures.length) return { status: 'fail', message: failures.join('; '), evidence, remediation };
    if (warnings.length) return { status: 'warn', message: warnings.join('; '), evidence, remediation };
    return { status: 'pass', message: `${checked.length} Services select pods and have ready endpoints` };
  },
};

// ------------------------------------------------------------------ ingress-routes

async function secretExists(ctx: CheckContext, name: string): Promise<boolean | 'forbidden'> {
  try {
    return (await ctx.get('secrets', name)) !== undefined;
  } catch (err) {
    if (err instanceof ForbiddenError) return 'forbidden';
    throw err;
  }
}

function ingressBackends(ing: KObject): Array<{ where: string; service: string; port: { number?: number; name?: string } }> {
  const out: Array<{ where: string; service: string; port: { number?: number; name?: string } }> = [];
  const def = ing.spec?.defaultBackend?.service;
  if (def) out.push({ where: 'default backend', service: def.name, port: def.port ?? {} });
  for (const rule of ing.spec?.rules ?? []) {
    for (const path of rule.http?.paths ?? []) {
      const svc = path.backend?.service;
      if (svc) out.push({ where: `${rule.host ?? '*'}${path.path ?? '/'}`, service: svc.name, port: svc.port ?? {} });
    }
  }
  return out;
}

const ingressRoutes: Check = {
  id: 'connectivity.ingress-routes',
  reads: () => ['ingresses.networking.k8s.io', ['ingressclasses.networking.k8s.io', null], 'services'],
  section: 'connectivity',
  title: { es: 'Ingress: clase, backends y secreto TLS', en: 'Ingress: class, backends and TLS secret' },
  runbook: RUNBOOK.frontendBackend,
  severity: 'high',
  kubectl: (n) => [`kubectl describe ingress ${n.release} -n ${n.namespace}`, 'kubectl get ingressclass'],
  async run(ctx) {
    const n = ctx.names;
    const ingresses = await ctx.list('ingresses.networking.k8s.io');
    if (ingresses.length === 0) {
      return { status: 'warn', message: `No Ingress found in namespace ${n.namespace}: the system is not exposed through an ingress controller` };
    }
    const [classes, services] = await Promise.all([ctx.list('ingressclasses.networking.k8s.io', null), ctx.list('services')]);
    const problems: string[] = [];
    const notes: string[] = [];
    const evidence: Evidence[] = [];
    let routes = 0;
    for (const ing of ingresses) {
      const ref = objectRef('Ingress', ing);
      const className: string | undefined = ing.spec?.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'];
      if (className) {
        if (!classes.some((c) => c.metadata.name === className)) {
          problems.push(`${ing.metadata.name}: IngressClass "${className}" does not exist`);
          evidence.push({ kind: 'object', label: `IngressClass ${className} missing`, ref, fields: { ingressClassName: className, classes: classes.map((c) => c.metadata.name).join(', ') || null } });
        }
      } else if (!classes.some((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true')) {
        problems.push(`${ing.metadata.name}: no ingressClassName and no default IngressClass`);
        evidence.push({ kind: 'object', label: 'no IngressClass', ref });
      }
      for (const b of ingressBackends(ing)) {
        routes++;
        const svc = services.find((s) => s.metadata.name === b.service);
        if (!svc) {
          problems.push(`${ing.metadata.name} ${b.where}: Service ${b.service} does not exist`);
          evidence.push({ kind: 'object', label: `backend Service ${b.service} missing`, ref, fields: { path: b.where, service: b.service } });
          continue;
        }
        const ports: any[] = svc.spec?.ports ?? [];
        const ok = b.port.number !== undefined ? ports.some((p) => p.port === b.port.number) : ports.some((p) => p.name === b.port.name);
        if (!ok) {
          const wanted = b.port.number ?? b.port.name;
          problems.push(`${ing.metadata.name} ${b.where}: Service ${b.service} has no port ${wanted}`);
          evidence.push({ kind: 'object', label: `Service ${b.service} has no port ${wanted}`, ref, fields: { path: b.where, servicePorts: ports.map((p) => p.port).join(', ') } });
        }
      }
      for (const tls of ing.spec?.tls ?? []) {
        if (!tls.secretName) continue;
        const exists = await secretExists(ctx, tls.secretName);
        if (exists === 'forbidden') notes.push(`TLS secret ${tls.secretName} not checked: not allowed to get secrets`);
        else if (!exists) {
          problems.push(`${ing.metadata.name}: TLS secret ${tls.secretName} does not exist`);
          evidence.push({ kind: 'object', label: `TLS secret ${tls.secretName} missing`, ref, fields: { hosts: (tls.hosts ?? []).join(', ') } });
        }
      }
    }
    const remediation = [describeIngress(n), { text: { es: 'Verificar certificados TLS.', en: 'Check the TLS certificates.' }, command: `kubectl get certificate -n ${n.namespace}` }];
    const suffix = notes.length ? ` (${notes.join('; ')})` : '';
    if (problems.length) return { status: 'fail', message: problems.join('; ') + suffix, evidence, remediation };
    return { status: 'pass', message: `${ingresses.length} Ingress, ${routes} routes to existing Services and ports${suffix}` };
  },
};

// ------------------------------------------------------------------ ingress-controller

// An access-log line: `"GET /path HTTP/2.0" 502 …` (the status right after the request).
const ACCESS_STATUS = /"[A-Z]+ [^"]* HTTP\/[\d.]+"\s+(\d{3})\s/;

const UPSTREAM_ERRORS: LogPattern[] = [
  { id: 'connect-failed', label: 'connect() failed', match: /connect\(\) failed/ },
  { id: 'upstream-timeout', label: 'upstream timed out', match: /upstream timed out/ },
  { id: 'no-live-upstreams', label: 'no live upstreams', match: /no live upstreams/ },
  { id: 'upstream-prematurely-closed', label: 'upstream prematurely closed', match: /upstream prematurely closed/ },
  {
    id: 'gateway-status',
    label: '502/503/504 responses',
    match: (line) => ['502', '503', '504'].includes(ACCESS_STATUS.exec(line)?.[1] ?? ''),
  },
];

const ingressController: Check = {
  id: 'connectivity.ingress-controller',
  reads: (n) => [['pods', n.ingressNamespace]],
  section: 'connectivity',
  title: { es: 'Controlador ingress-nginx y errores de upstream', en: 'ingress-nginx controller and upstream errors' },
  runbook: RUNBOOK.frontendBackend,
  severity: 'high',
  kubectl: (n) => [`kubectl get pods -n ${n.ingressNamespace}`, `kubectl logs -n ${n.ingressNamespace} deployment/ingress-nginx-controller --tail=1000`],
  async run(ctx) {
    const n = ctx.names;
    const pods = (await ctx.list('pods', n.ingressNamespace)).filter(
      (p) =>
        isPodActive(p) &&
        (p.metadata.labels?.['app.kubernetes.io/name'] === 'ingress-nginx' || p.metadata.name.startsWith('ingress-nginx-controller')) &&
        (p.metadata.labels?.['app.kubernetes.io/component'] ?? 'controller') === 'controller',
    );
    if (pods.length === 0) {
      return { status: 'warn', message: `No ingress-nginx controller pods found in namespace ${n.ingressNamespace}` };
    }
    const evidence: Evidence[] = [];
    const notReady = pods.filter((p) => !isPodReady(p));
    for (const p of notReady) evidence.push({ kind: 'object', label: podProblem(p)?.reason ?? 'not ready', ref: podRef(p), fields: { phase: p.status?.phase ?? null, restarts: restartCount(p) } });
    let errorCount = 0;
    const kinds = new Map<string, number>();
    const ready = pods.filter(isPodReady);
    const containerOf = (pod: KObject): string | undefined =>
      (pod.spec?.containers ?? []).find((c: any) => c.name === 'controller')?.name ?? pod.spec?.containers?.[0]?.name;
    const texts = await mapLimit(ready, 4, (pod) => ctx.logs(pod.metadata.name, { namespace: n.ingressNamespace, container: containerOf(pod), tailLines: 1000 }));
    for (const [i, pod] of ready.entries()) {
      const container = containerOf(pod);
      const text = texts[i];
      const matches = matchLogLines(text, UPSTREAM_ERRORS);
      for (const m of matches) {
        errorCount += m.count;
        kinds.set(m.label, (kinds.get(m.label) ?? 0) + m.count);
        evidence.push(logEvidence(`${m.count} × ${m.label}`, pod, m.examples, container));
      }
    }
    const remediation = [
      describeIngress(n),
      { text: { es: 'Comprobar los endpoints del backend.', en: 'Check the backend endpoints.' }, command: `kubectl get endpoints ${n.backendService} -n ${n.namespace}` },
      restartBackend(n),
    ];
    const summary = [...kinds].map(([k, c]) => `${c} × ${k}`).join(', ');
    if (notReady.length) {
      return { status: 'fail', message: `${notReady.length} of ${pods.length} ingress-nginx controller pods not ready${summary ? `; ${summary}` : ''}`, evidence, remediation };
    }
    // The controller itself works; upstream errors point at the backends, which the service
    // and pod checks judge.
    if (errorCount > 0) return { status: 'warn', message: `Controller ready, but upstream errors in its last 1000 log lines: ${summary}`, evidence, remediation };
    return { status: 'pass', message: `${pods.length} ingress-nginx controller pod(s) ready, no upstream errors in recent logs` };
  },
};

// ------------------------------------------------------------------ backend-health

const HEALTH_PATH = '/api/v1/health/';
const SLOW_HEALTH_MS = 2000;

const backendHealth: Check = {
  id: 'connectivity.backend-health',
  reads: () => ['services', 'pods'],
  section: 'connectivity',
  title: { es: 'Salud del backend por port-forward', en: 'Backend health through port-forward' },
  runbook: RUNBOOK.frontendBackend,
  severity: 'critical',
  kubectl: (n) => [`kubectl port-forward svc/${n.backendService} ${n.backendPort}:${n.backendPort} -n ${n.namespace}`, `curl http://localhost:${n.backendPort}${HEALTH_PATH}`],
  async run(ctx) {
    const n = ctx.names;
    const svc = await ctx.get('services', n.backendService);
    if (!svc) return { status: 'fail', message: `Service ${n.backendService} not found in namespace ${n.namespace}`, remediation: [restartBackend(n)] };
    const target = `svc/${n.backendService}:${n.backendPort}${HEALTH_PATH}`;
    let res;
    try {
      res = await ctx.httpGet(n.backendService, n.backendPort, HEALTH_PATH, { timeoutMs: 8000 });
    } catch (err) {
      if (err instanceof ForbiddenError || err instanceof UnreachableError || ctx.signal.aborted) throw err;
      return {
        status: 'fail',
        message: `GET ${target} failed: ${errorText(err)}`,
        evidence: [{ kind: 'output', label: 'port-forward', command: `curl http://localhost:${n.backendPort}${HEALTH_PATH}`, text: errorText(err) }],
        remediation: [restartBackend(n)],
      };
    }
    const evidence: Evidence[] = [
      { kind: 'output', label: `HTTP ${res.status}`, command: `curl http://localhost:${n.backendPort}${HEALTH_PATH}`, text: truncate(res.body, 2000) },
      { kind: 'metric', label: 'latency', ref: objectRef('Service', svc), value: Math.round(res.latencyMs), unit: 'ms' },
    ];
    if (res.status < 200 || res.status >= 300) {
      return { status: 'fail', message: `GET ${target} answered HTTP ${res.status} in ${Math.round(res.latencyMs)} ms`, evidence, remediation: [restartBackend(n)] };
    }
    let degraded: string[] = [];
    try {
      const body = JSON.parse(res.body);
      if (body && typeof body === 'object') {
        degraded = Object.entries(body)
          .filter(([k, v]) => typeof v === 'string' && !['version', 'time'].includes(k) && !['ok', 'healthy', 'up', 'pass'].includes(v.toLowerCase()))
          .map(([k, v]) => `${k}=${v}`);
      }
    } catch {
      // a plain-text health answer: the status code is the verdict
    }
    if (degraded.length) {
      return { status: 'warn', message: `GET ${target} answered HTTP ${res.status} but reports ${degraded.join(', ')}`, evidence };
    }
    if (res.latencyMs > SLOW_HEALTH_MS) {
      return { status: 'warn', message: `GET ${target} answered HTTP ${res.status} slowly (${Math.round(res.latencyMs)} ms)`, evidence };
    }
    return { status: 'pass', message: `GET ${target} answered HTTP ${res.status} in ${Math.round(res.latencyMs)} ms`, evidence };
  },
};

// ------------------------------------------------------------------ tls-certificates

const CERT_WARN_DAYS = 14;

/** Subject and expiry of the first certificate of a base64 PEM bundle; never the data itself. */
export function readCertificate(base64Pem: string): { subject: string; notAfter: Date } | undefined {
  try {
    const pem = Buffer.from(base64Pem, 'base64').toString('utf8');
    const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
    if (!first) return undefined;
    const cert = new X509Certificate(first);
    return { subject: cert.subject.replace(/\n/g, ', '), notAfter: new Date(cert.validTo) };
  } catch {
    return undefined;
  }
}

function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY);
}

const tlsCertificates: Check = {
  id: 'connectivity.tls-certificates',
  reads: () => ['certificates.cert-manager.io', 'ingresses.networking.k8s.io'],
  section: 'connectivity',
  title: { es: 'Certificados TLS válidos y vigentes', en: 'TLS certificates ready and not expiring' },
  runbook: RUNBOOK.frontendBackend,
  severity: 'high',
  kubectl: (n) => [`kubectl get certificate -n ${n.namespace}`, `kubectl describe certificate -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    const now = ctx.now();
    let certificates: KObject[] = [];
    let certificatesNote: string | undefined;
    try {
      certificates = await ctx.list('certificates.cert-manager.io');
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
      certificatesNote = `cert-manager Certificates not checked: ${err.message}`;
    }
    const ingresses = await ctx.list('ingresses.networking.k8s.io');
    const secretNames = new Set<string>();
    for (const c of certificates) if (c.spec?.secretName) secretNames.add(c.spec.secretName);
    for (const ing of ingresses) for (const t of ing.spec?.tls ?? []) if (t.secretName) secretNames.add(t.secretName);
    if (certificates.length === 0 && secretNames.size === 0) {
      return { status: 'skipped', message: `skipped: no cert-manager Certificate and no Ingress TLS secret in namespace ${n.namespace}${certificatesNote ? ` (${certificatesNote})` : ''}` };
    }
    const failures: string[] = [];
    const warnings: string[] = [];
    const fine: string[] = [];
    const evidence: Evidence[] = [];
    for (const c of certificates) {
      const ready = (c.status?.conditions ?? []).find((x: any) => x.type === 'Ready');
      const notAfter = c.status?.notAfter ? new Date(c.status.notAfter) : undefined;
      const fields = { ready: ready?.status ?? null, reason: ready?.reason ?? null, notAfter: c.status?.notAfter ?? null, secretName: c.spec?.secretName ?? null };
      if (ready?.status !== 'True') {
        failures.push(`Certificate ${c.metadata.name} not Ready (${ready?.reason ?? 'no Ready condition'}${ready?.message ? `: ${truncate(ready.message, 160)}` : ''})`);
        evidence.push({ kind: 'object', label: 'Certificate not Ready', ref: objectRef('Certificate', c), fields });
      } else {
        evidence.push({ kind: 'object', label: 'Certificate', ref: objectRef('Certificate', c), fields });
      }
      if (notAfter && !Number.isNaN(notAfter.getTime())) {
        const left = daysLeft(notAfter, now);
        if (notAfter.getTime() <= now.getTime()) failures.push(`Certificate ${c.metadata.name} expired on ${c.status.notAfter}`);
        else if (left < CERT_WARN_DAYS) warnings.push(`Certificate ${c.metadata.name} expires in ${left} days (${c.status.notAfter})`);
      }
    }
    let secretsNote: string | undefined;
    for (const name of secretNames) {
      let secret: KObject | undefined;
      try {
        secret = await ctx.get('secrets', name);
      } catch (err) {
        if (!(err instanceof ForbiddenError)) throw err;
        secretsNote = `TLS secrets not read: ${err.message}`;
        break;
      }
      if (!secret) {
        failures.push(`TLS secret ${name} does not exist`);
        continue;
      }
      const cert = secret.data?.['tls.crt'] ? readCertificate(secret.data['tls.crt']) : undefined;
      if (!cert) {
        failures.push(`TLS secret ${name} has no readable tls.crt`);
        continue;
      }
      const left = daysLeft(cert.notAfter, now);
      const expiry = cert.notAfter.toISOString();
      evidence.push({ kind: 'object', label: 'TLS certificate in secret', ref: { kind: 'Secret', name, namespace: n.namespace }, fields: { subject: cert.subject, notAfter: expiry, daysLeft: left } });
      if (cert.notAfter.getTime() <= now.getTime()) failures.push(`certificate in secret ${name} (${cert.subject}) expired on ${expiry}`);
      else if (left < CERT_WARN_DAYS) warnings.push(`certificate in secret ${name} (${cert.subject}) expires in ${left} days (${expiry})`);
      else fine.push(`${name} valid until ${expiry.slice(0, 10)} (${left} days)`);
    }
    const remediation: Remediation[] = [
      { text: { es: 'Verificar certificados TLS.', en: 'Check the TLS certificates.' }, command: `kubectl get certificate -n ${n.namespace}` },
      {
        text: {
          es: 'Renovar el certificado con cert-manager (o reemplazar el secreto TLS si se gestiona a mano).',
          en: 'Renew the certificate with cert-manager (or replace the TLS secret if it is managed by hand).',
        },
        command: `cmctl renew --all -n ${n.namespace}`,
      },
    ];
    const notes = [certificatesNote, secretsNote].filter(Boolean);
    const suffix = notes.length ? ` (${notes.join('; ')})` : '';
    if (failures.length) return { status: 'fail', message: failures.concat(warnings).join('; ') + suffix, evidence, remediation };
    if (warnings.length) return { status: 'warn', message: warnings.join('; ') + suffix, evidence, remediation };
    const ready = certificates.length ? `${certificates.length} Certificate(s) Ready; ` : '';
    return { status: 'pass', message: `${ready}${fine.join(', ') || 'TLS certificates valid'}${suffix}`, evidence };
  },
};

export const connectivityChecks: Check[] = [podsHealthy, serviceEndpoints, ingressRoutes, ingressController, backendHealth, tlsCertificates];
