// Runbook section 6, "Problemas de Monitoreo": Prometheus pods, its scrape targets and
// the ServiceMonitors that feed it.
import type { Evidence, Remediation } from '../../../shared/checks';
import { ForbiddenError, type Check, type KObject, type SystemNames } from '../types';
import { hasLabels, isPodReady, objectRef, outcome, podRef, podStateReason, serviceMonitorTargets } from './section-helpers';

const PROMETHEUS = '6. Problemas de Monitoreo › Prometheus No Collecta Métricas';
export const PROMETHEUS_SERVICE_PORT = 80;

function restartPrometheus(n: SystemNames): Remediation {
  return {
    text: { es: 'Reiniciar Prometheus.', en: 'Restart Prometheus.' },
    command: `kubectl rollout restart deployment/${n.prometheusService} -n ${n.namespace}`,
    action: 'rollout-restart:prometheus',
  };
}

function checkServiceMonitors(n: SystemNames): Remediation {
  return {
    text: { es: 'Verificar los service monitors.', en: 'Check the service monitors.' },
    command: `kubectl get servicemonitor -n ${n.namespace} && kubectl describe servicemonitor ${n.release} -n ${n.namespace}`,
  };
}

function checkConfig(n: SystemNames): Remediation {
  return {
    text: { es: 'Corregir la configuración de Prometheus.', en: 'Fix Prometheus’ configuration.' },
    command: `kubectl get configmap ${n.prometheusService} -n ${n.namespace} -o yaml`,
  };
}

const prometheusReady: Check = {
  id: 'monitoring.prometheus-ready',
  reads: () => ['pods'],
  section: 'monitoring',
  title: { es: 'Pods de Prometheus listos', en: 'Prometheus pods ready' },
  runbook: PROMETHEUS,
  severity: 'medium',
  kubectl: (n) => [`kubectl get pods -l app.kubernetes.io/name=prometheus -n ${n.namespace}`, `kubectl logs deployment/${n.prometheusService} -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    const pods = (await ctx.list('pods')).filter((p) => hasLabels(p, { 'app.kubernetes.io/name': 'prometheus' }));
    if (pods.length === 0) {
      return outcome('fail', `No Prometheus pods (app.kubernetes.io/name=prometheus) in ${n.namespace}: no metrics are collected.`, { remediation: [checkConfig(n)] });
    }
    const notReady = pods.filter((p) => !isPodReady(p));
    if (notReady.length) {
      return outcome('fail', `${notReady.length} of ${pods.length} Prometheus pod(s) not ready: ${notReady.map((p) => `${p.metadata.name} (${podStateReason(p)})`).join(', ')}.`, {
        evidence: notReady.map((p) => ({ kind: 'object' as const, label: 'Prometheus pod not ready', ref: podRef(p), fields: { phase: p.status?.phase ?? null, reason: podStateReason(p) } })),
        remediation: [restartPrometheus(n), checkConfig(n)],
      });
    }
    return outcome('pass', `${pods.length} Prometheus pod(s) ready.`);
  },
};

interface Target {
  health?: string;
  lastError?: string;
  scrapeUrl?: string;
  scrapePool?: string;
  labels?: Record<string, string>;
}

const prometheusTargets: Check = {
  id: 'monitoring.prometheus-targets',
  reads: () => ['services', 'pods'],
  section: 'monitoring',
  title: { es: 'Targets de Prometheus', en: 'Prometheus targets' },
  runbook: PROMETHEUS,
  severity: 'medium',
  kubectl: (n) => [`kubectl port-forward svc/${n.prometheusService} 9090:${PROMETHEUS_SERVICE_PORT} -n ${n.namespace}`, 'curl http://localhost:9090/api/v1/targets'],
  async run(ctx) {
    const n = ctx.names;
    let body: string;
    let status: number;
    try {
      const r = await ctx.httpGet(n.prometheusService, PROMETHEUS_SERVICE_PORT, '/api/v1/targets', { timeoutMs: 10_000 });
      body = r.body;
      status = r.status;
    } catch (err) {
      if (err instanceof ForbiddenError) throw err;
      return outcome('fail', `Prometheus API not reachable through svc/${n.prometheusService}:${PROMETHEUS_SERVICE_PORT}: ${(err as Error).message}.`, { remediation: [restartPrometheus(n)] });
    }
    if (status !== 200) {
      return outcome('fail', `Prometheus /api/v1/targets answered HTTP ${status}.`, {
        evidence: [{ kind: 'output', label: '/api/v1/targets', command: 'curl http://localhost:9090/api/v1/targets', text: body.slice(0, 1000), exitCode: undefined }],
        remediation: [restartPrometheus(n)],
      });
    }
    let targets: Target[];
    try {
      const parsed = JSON.parse(body);
      targets = parsed?.data?.activeTargets;
      if (!Array.isArray(targets)) throw new Error('no activeTargets');
    } catch {
      return outcome('error', 'Prometheus /api/v1/targets did not answer the expected JSON.', {
        evidence: [{ kind: 'output', label: '/api/v1/targets', command: 'curl http://localhost:9090/api/v1/targets', text: body.slice(0, 1000) }],
      });
    }
    if (targets.length === 0) {
      return outcome('warn', 'Prometheus has no active targets: nothing is scraped.', { remediation: [checkServiceMonitors(n), checkConfig(n)] });
    }
    const job = (t: Target) => t.labels?.job ?? t.scrapePool ?? '?';
    const down = targets.filter((t) => t.health === 'down');
    const unknown = targets.filter((t) => t.health !== 'down' && t.health !== 'up');
    const evidence: Evidence[] = [];
    if (down.length || unknown.length) {
      evidence.push({
        kind: 'output',
        label: 'Targets not up',
        command: 'curl http://localhost:9090/api/v1/targets',
        text: [...down, ...unknown].map((t) => `${job(t)}\t${t.health ?? '?'}\t${t.scrapeUrl ?? ''}\t${t.lastError ?? ''}`).join('\n'),
      });
    }
    const remediation = [restartPrometheus(n), checkServiceMonitors(n), checkConfig(n)];
    if (down.length) {
      const list = down.map((t) => `${job(t)} ${t.scrapeUrl ?? ''}${t.lastError ? ` (${t.lastError})` : ''}`).join('; ');
      return outcome('fail', `${down.length} of ${targets.length} target(s) down: ${list}.`, { evidence, remediation });
    }
    if (unknown.length) {
      return outcome('warn', `${unknown.length} of ${targets.length} target(s) not scraped yet: ${unknown.map((t) => job(t)).join(', ')}.`, { evidence, remediation });
    }
    const jobs = [...new Set(targets.map(job))];
    return outcome('pass', `All ${targets.length} targets up (${jobs.join(', ')}).`);
  },
};

const serviceMonitors: Check = {
  id: 'monitoring.servicemonitors',
  reads: () => ['servicemonitors.monitoring.coreos.com', 'services'],
  section: 'monitoring',
  title: { es: 'ServiceMonitors', en: 'ServiceMonitors' },
  runbook: PROMETHEUS,
  severity: 'low',
  kubectl: (n) => [`kubectl get servicemonitor -n ${n.namespace}`, `kubectl describe servicemonitor ${n.release} -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    let monitors: KObject[];
    try {
      monitors = await ctx.list('servicemonitors.monitoring.coreos.com');
    } catch (err) {
      if (err instanceof ForbiddenError) throw err;
      if (!/not found|404|could not find/i.test((err as Error).message)) throw err;
      monitors = [];
    }
    if (monitors.length === 0) {
      return outcome('warn', `No ServiceMonitors in ${n.namespace}: the ServiceMonitor CRD (monitoring.coreos.com) is not installed or none were created, so the operator scrapes nothing from them.`, {
        remediation: [checkServiceMonitors(n), checkConfig(n)],
      });
    }
    const namespaces = new Set<string>([n.namespace]);
    for (const m of monitors) for (const ns of m.spec?.namespaceSelector?.matchNames ?? []) namespaces.add(ns);
    const anyNamespace = monitors.some((m) => m.spec?.namespaceSelector?.any === true);
    const services = anyNamespace ? await ctx.list('services', null) : (await Promise.all([...namespaces].map((ns) => ctx.list('services', ns)))).flat();
    const evidence: Evidence[] = [];
    const problems: string[] = [];
    const fine: string[] = [];
    for (const m of monitors) {
      const targets = serviceMonitorTargets(m, services);
      const selected = [...new Set(targets.map((t) => t.service))];
      const missingPorts = targets.filter((t) => typeof t.port === 'string' && !(t.service.spec?.ports ?? []).some((p: any) => p.name === t.port));
      evidence.push({
        kind: 'object',
        label: 'ServiceMonitor',
        ref: objectRef('ServiceMonitor', m),
        fields: { services: selected.map((s) => s.metadata.name).join(', ') || null, ports: [...new Set((m.spec?.endpoints ?? []).map((e: any) => String(e.port ?? e.targetPort ?? '')))].join(', ') || null },
      });
      if (selected.length === 0) problems.push(`${m.metadata.name} selects no Service`);
      else if (missingPorts.length) problems.push(`${m.metadata.name}: port ${[...new Set(missingPorts.map((t) => t.port))].join(', ')} not on ${[...new Set(missingPorts.map((t) => t.service.metadata.name))].join(', ')}`);
      else fine.push(`${m.metadata.name} → ${selected.map((s) => s.metadata.name).join(', ')}`);
    }
    if (problems.length) {
      // A monitor that selects nothing (or a port its Services lack) scrapes nothing: metrics are missing.
      return outcome('fail', `${problems.join('; ')}.`, { evidence, remediation: [checkServiceMonitors(n), checkConfig(n)] });
    }
    return outcome('pass', `${monitors.length} ServiceMonitor(s) select existing Services: ${fine.join('; ')}.`, { evidence });
  },
};

export const monitoringChecks: Check[] = [prometheusReady, prometheusTargets, serviceMonitors];
