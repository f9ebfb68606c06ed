// Runbook section 2, "Alto Tiempo de Respuesta en ML Service": CPU and memory against limits,
// the GPUs through nvidia-smi, errors in recent logs, and replicas against the HPA's ceiling.
import type { Evidence, Remediation } from '../../../shared/checks';
import { ForbiddenError, type Check, type CheckContext, type CheckOutcome, type KObject, type SystemNames } from '../types';
import {
  RUNBOOK,
  ageMs,
  describeContainerState,
  findWorkload,
  formatBytes,
  formatMillicores,
  logEvidence,
  matchLogLines,
  objectRef,
  parseCpuMillicores,
  parseMemoryBytes,
  percent,
  podRef,
  truncate,
  workloadPods,
  type LogPattern,
  podMetricsOrNote,
} from './common';
import { mapLimit } from './section-helpers';

const DAY = 86_400_000;
const WARN_PCT = 80;
const FAIL_PCT = 95;

const mlDeploymentName = (n: SystemNames) => `${n.release}-ml-service`;

const scaleOut = (n: SystemNames): Remediation => ({
  text: { es: 'Escalar horizontalmente el ML service.', en: 'Scale the ML service out.' },
  command: `kubectl scale deployment ${mlDeploymentName(n)} --replicas=5 -n ${n.namespace}`,
  action: 'scale:ml-service',
});

const setResources = (n: SystemNames): Remediation => ({
  text: {
    es: 'Optimizar configuración: actualizar límites de recursos (limits cpu 4000m / memory 8Gi, requests cpu 2000m / memory 4Gi).',
    en: 'Tune the configuration: update resource limits (limits cpu 4000m / memory 8Gi, requests cpu 2000m / memory 4Gi).',
  },
  command: `kubectl patch deployment ${mlDeploymentName(n)} -n ${n.namespace} -p='{"spec":{"template":{"spec":{"containers":[{"name":"ml-service","resources":{"limits":{"cpu":"4000m","memory":"8Gi"},"requests":{"cpu":"2000m","memory":"4Gi"}}}]}}}}'`,
  action: 'set-resources:ml-service',
});

const clearModelCache = (n: SystemNames): Remediation => ({
  text: { es: 'Limpiar cache de modelos.', en: 'Clear the model cache.' },
  command: `kubectl exec -it deployment/${mlDeploymentName(n)} -n ${n.namespace} -- rm -rf /app/model_cache/*`,
});

const restartMl = (n: SystemNames): Remediation => ({
  text: { es: 'Reiniciar el ML service (rollout restart).', en: 'Restart the ML service (rollout restart).' },
  command: `kubectl rollout restart deployment/${mlDeploymentName(n)} -n ${n.namespace}`,
  action: 'rollout-restart:ml-service',
});

interface MlService {
  deployment: KObject;
  pods: KObject[];
}

/** The ML service Deployment and its pods, or the outcome when it is not there. */
async function mlService(ctx: CheckContext): Promise<MlService | CheckOutcome> {
  const n = ctx.names;
  const [deployments, pods] = await Promise.all([ctx.list('deployments.apps'), ctx.list('pods')]);
  const deployment = findWorkload(deployments, mlDeploymentName(n), n.components.mlService);
  if (!deployment) return { status: 'warn', message: `ML service not found: no Deployment ${mlDeploymentName(n)} in namespace ${n.namespace}` };
  return { deployment, pods: workloadPods(deployment, pods) };
}

function isOutcome(v: unknown): v is CheckOutcome {
  return typeof v === 'object' && v !== null && 'status' in v;
}

function mlContainer(pod: KObject, n: SystemNames): string {
  const containers: Array<{ name: string }> = pod.spec?.containers ?? [];
  return (containers.find((c) => c.name === n.components.mlService) ?? containers[0])?.name ?? n.components.mlService;
}

function isContainerRunning(pod: KObject, container: string): boolean {
  return (pod.status?.containerStatuses ?? []).some((c: any) => c.name === container && c.state?.running);
}

// ------------------------------------------------------------------ ml-service-resources

const mlResources: Check = {
  id: 'performance.ml-service-resources',
  reads: () => ['deployments.apps', 'pods'],
  section: 'performance',
  title: { es: 'CPU y memoria del ML service frente a sus límites', en: 'ML service CPU and memory against limits' },
  runbook: RUNBOOK.mlServiceSlow,
  severity: 'high',
  kubectl: (n) => [`kubectl top pod -l app.kubernetes.io/component=${n.components.mlService} -n ${n.namespace}`, `kubectl describe deployment ${mlDeploymentName(n)} -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    const ml = await mlService(ctx);
    if (isOutcome(ml)) return ml;
    if (ml.pods.length === 0) return { status: 'fail', message: `Deployment ${ml.deployment.metadata.name} has no pods`, remediation: [scaleOut(n)] };
    const { metrics, note } = await podMetricsOrNote(ctx);
    let metricsNote = note;
    const now = ctx.now();
    const failures: string[] = [];
    const warnings: string[] = [];
    const usage: string[] = [];
    const evidence: Evidence[] = [];
    let withMetrics = 0;
    for (const pod of ml.pods) {
      const container = mlContainer(pod, n);
      const spec = (pod.spec?.containers ?? []).find((c: any) => c.name === container) ?? {};
      const limits = spec.resources?.limits ?? {};
      const cpuLimit = parseCpuMillicores(limits.cpu);
      const memLimit = parseMemoryBytes(limits.memory);
      if (!limits.cpu || !limits.memory) warnings.push(`${pod.metadata.name} has no ${!limits.cpu ? 'CPU' : 'memory'} limit`);
      for (const cs of pod.status?.containerStatuses ?? []) {
        const current = cs.state?.terminated?.reason === 'OOMKilled';
        const last = cs.lastState?.terminated;
        if (current || (last?.reason === 'OOMKilled' && ageMs(last.finishedAt, now) < DAY)) {
          failures.push(`${pod.metadata.name} OOMKilled at ${(current ? cs.state.terminated.finishedAt : last.finishedAt) ?? '?'} (${cs.restartCount ?? 0} restarts)`);
          evidence.push({ kind: 'object', label: 'OOMKilled', ref: podRef(pod), fields: { state: describeContainerState(cs), restarts: cs.restartCount ?? 0 } });
        }
      }
      const m = metrics.find((x) => x.pod === pod.metadata.name)?.containers.find((c) => c.name === container);
      if (!m) continue;
      withMetrics++;
      const cpuPct = percent(m.cpuMillicores, cpuLimit);
      const memPct = percent(m.memoryBytes, memLimit);
      evidence.push({ kind: 'metric', label: 'cpu', ref: podRef(pod), value: Math.round(m.cpuMillicores), unit: 'millicores', ...(Number.isFinite(cpuLimit) ? { limit: cpuLimit } : {}) });
      evidence.push({ kind: 'metric', label: 'memory', ref: podRef(pod), value: m.memoryBytes, unit: 'bytes', ...(Number.isFinite(memLimit) ? { limit: memLimit } : {}) });
      usage.push(`${pod.metadata.name} cpu ${formatMillicores(m.cpuMillicores)}/${limits.cpu ?? '-'} (${Number.isFinite(cpuPct) ? cpuPct : '?'}%), memory ${formatBytes(m.memoryBytes)}/${limits.memory ?? '-'} (${Number.isFinite(memPct) ? memPct : '?'}%)`);
      for (const [what, pct, limit] of [['CPU', cpuPct, limits.cpu], ['memory', memPct, limits.memory]] as const) {
        if (!Number.isFinite(pct)) continue;
        if (pct > FAIL_PCT) failures.push(`${pod.metadata.name} ${what} at ${pct}% of its ${limit} limit`);
        else if (pct > WARN_PCT) warnings.push(`${pod.metadata.name} ${what} at ${pct}% of its ${limit} limit`);
      }
    }
    if (withMetrics === 0) metricsNote ??= 'no usage metrics for the ML service pods (is metrics-server installed?)';
    const remediation = [scaleOut(n), setResources(n), clearModelCache(n)];
    const suffix = metricsNote ? ` (${metricsNote})` : '';
    if (failures.length) return { status: 'fail', message: failures.concat(warnings).join('; ') + suffix, evidence, remediation };
    if (warnings.length) return { status: 'warn', message: warnings.join('; ') + suffix, evidence, remediation };
    if (withMetrics === 0) return { status: 'warn', message: `ML service usage unknown${suffix}`, evidence };
    return { status: 'pass', message: `Within ${WARN_PCT}% of limits: ${usage.join('; ')}`, evidence };
  },
};

// ------------------------------------------------------------------ ml-service-gpu

export const NVIDIA_SMI_QUERY = ['nvidia-smi', '--query-gpu=index,name,utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'];

export interface GpuReading {
  index: string;
  name: string;
  utilization: number;
  memoryUsedMiB: number;
  memoryTotalMiB: number;
}

/** Lines of `nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(stdout: string): GpuReading[] {
  const out: GpuReading[] = [];
  for (const line of stdout.split('\n')) {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length < 5) continue;
    const [index, name, util, used, total] = cells;
    const reading = { index, name, utilization: Number(util), memoryUsedMiB: Number(used), memoryTotalMiB: Number(total) };
    if ([reading.utilization, reading.memoryUsedMiB, reading.memoryTotalMiB].every(Number.isFinite)) out.push(reading);
  }
  return out;
}

const mlGpu: Check = {
  id: 'performance.ml-service-gpu',
  reads: () => ['deployments.apps', 'pods'],
  section: 'performance',
  title: { es: 'GPU del ML service (nvidia-smi)', en: 'ML service GPU (nvidia-smi)' },
  runbook: RUNBOOK.mlServiceSlow,
  severity: 'medium',
  kubectl: (n) => [`kubectl exec -it deployment/${mlDeploymentName(n)} -n ${n.namespace} -- nvidia-smi`],
  async run(ctx) {
    const n = ctx.names;
    const ml = await mlService(ctx);
    if (isOutcome(ml)) return ml;
    const running = ml.pods.filter((p) => isContainerRunning(p, mlContainer(p, n))).slice(0, 5);
    if (running.length === 0) return { status: 'skipped', message: `skipped: no running ML service pod to run nvidia-smi in (see performance.ml-service-capacity)` };
    const failures: string[] = [];
    const warnings: string[] = [];
    const seen: string[] = [];
    const evidence: Evidence[] = [];
    const runs = await mapLimit(running, 4, (pod) => ctx.exec(pod.metadata.name, mlContainer(pod, n), NVIDIA_SMI_QUERY, { timeoutMs: 10_000 }));
    for (const [i, pod] of running.entries()) {
      const r = runs[i];
      const command = `kubectl exec ${pod.metadata.name} -n ${n.namespace} -- ${NVIDIA_SMI_QUERY.join(' ')}`;
      evidence.push({ kind: 'output', label: `nvidia-smi in ${pod.metadata.name}`, command, text: truncate(`${r.stdout}${r.stderr}`.trim(), 2000), exitCode: r.exitCode ?? undefined });
      if (r.exitCode === 127) {
        warnings.push(`nvidia-smi not found in ${pod.metadata.name}`);
        continue;
      }
      if (r.exitCode !== 0) {
        failures.push(`nvidia-smi failed in ${pod.metadata.name} (exit ${r.exitCode}): ${truncate((r.stderr || r.stdout).trim(), 160)}`);
        continue;
      }
      const gpus = parseNvidiaSmi(r.stdout);
      if (gpus.length === 0) {
        failures.push(`nvidia-smi in ${pod.metadata.name} reported no GPU`);
        continue;
      }
      for (const g of gpus) {
        const memPct = percent(g.memoryUsedMiB, g.memoryTotalMiB);
        const label = `${pod.metadata.name} GPU ${g.index} (${g.name})`;
        evidence.push({ kind: 'metric', label: `GPU ${g.index} utilization`, ref: podRef(pod), value: g.utilization, unit: '%', limit: 100 });
        evidence.push({ kind: 'metric', label: `GPU ${g.index} memory`, ref: podRef(pod), value: g.memoryUsedMiB, unit: 'MiB', limit: g.memoryTotalMiB });
        seen.push(`${label} ${g.utilization}% busy, ${g.memoryUsedMiB}/${g.memoryTotalMiB} MiB`);
        if (g.utilization > FAIL_PCT || memPct > FAIL_PCT) failures.push(`${label} at ${g.utilization}% utilization, memory ${memPct}%`);
        else if (g.utilization > WARN_PCT || memPct > WARN_PCT) warnings.push(`${label} at ${g.utilization}% utilization, memory ${memPct}%`);
      }
    }
    const remediation = [scaleOut(n), clearModelCache(n)];
    if (failures.length) return { status: 'fail', message: failures.concat(warnings).join('; '), evidence, remediation };
    if (warnings.length) return { status: 'warn', message: warnings.join('; '), evidence, remediation };
    return { status: 'pass', message: seen.join('; '), evidence };
  },
};

// ------------------------------------------------------------------ ml-service-errors

const ML_LOG_PROBLEMS: LogPattern[] = [
  { id: 'cuda-oom', label: 'CUDA out of memory', match: /CUDA out of memory|CUDA error: out of memory|OutOfMemoryError|CUBLAS_STATUS_ALLOC_FAILED/i },
  { id: 'queue-full', label: 'queue full / request rejected', match: /queue (is )?full|queue overflow|rejecting request|too many requests|\b429\b/i },
  { id: 'timeout', label: 'timeouts', match: /timed? ?out|TimeoutError|deadline exceeded|\b504\b/i },
];

/** queue_depth=N on inference lines, against MAX_QUEUE_SIZE. */
function queueDepths(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/queue_depth[=:]\s*(\d+)/g)) out.push(Number(m[1]));
  return out;
}

const TIMEOUTS_FAIL = 10;

const mlErrors: Check = {
  id: 'performance.ml-service-errors',
  reads: () => ['deployments.apps', 'pods'],
  section: 'performance',
  title: { es: 'Errores recientes del ML service', en: 'Recent ML service errors' },
  runbook: RUNBOOK.mlServiceSlow,
  severity: 'high',
  kubectl: (n) => [`kubectl logs deployment/${mlDeploymentName(n)} -n ${n.namespace} --tail=1000`],
  async run(ctx) {
    const n = ctx.names;
    const ml = await mlService(ctx);
    if (isOutcome(ml)) return ml;
    const pods = ml.pods.filter((p) => (p.status?.containerStatuses ?? []).length > 0);
    if (pods.length === 0) return { status: 'skipped', message: 'skipped: no ML service pod has started a container yet' };
    const maxQueue = Number(
      ((ml.deployment.spec?.template?.spec?.containers ?? []).flatMap((c: any) => c.env ?? []).find((e: any) => e.name === 'MAX_QUEUE_SIZE') ?? {}).value ?? 64,
    );
    const counts = new Map<string, number>();
    const evidence: Evidence[] = [];
    let deepest = 0;
    const texts = await mapLimit(pods, 4, async (pod) => {
      try {
        return await ctx.logs(pod.metadata.name, { container: mlContainer(pod, n), tailLines: 1000 });
      } catch (err) {
        if (err instanceof ForbiddenError || ctx.signal.aborted) throw err;
        return undefined; // a container that never started has no log
      }
    });
    for (const [i, pod] of pods.entries()) {
      const container = mlContainer(pod, n);
      const text = texts[i];
      if (text === undefined) continue;
      for (const m of matchLogLines(text, ML_LOG_PROBLEMS)) {
        counts.set(m.id, (counts.get(m.id) ?? 0) + m.count);
        evidence.push(logEvidence(`${m.count} × ${m.label}`, pod, m.examples, container));
      }
      deepest = Math.max(deepest, ...queueDepths(text));
    }
    const oom = counts.get('cuda-oom') ?? 0;
    const full = counts.get('queue-full') ?? 0;
    const timeouts = counts.get('timeout') ?? 0;
    const parts = [
      oom ? `${oom} × CUDA out of memory` : '',
      full ? `${full} × queue full/rejected` : '',
      timeouts ? `${timeouts} × timeout` : '',
      deepest >= maxQueue / 2 ? `queue depth up to ${deepest} of ${maxQueue}` : '',
    ].filter(Boolean);
    const remediation = [scaleOut(n), setResources(n), clearModelCache(n), restartMl(n)];
    if (oom > 0 || full > 0 || timeouts >= TIMEOUTS_FAIL || deepest >= maxQueue) {
      return { status: 'fail', message: `ML service errors in the last 1000 log lines: ${parts.join(', ')}`, evidence, remediation };
    }
    if (parts.length) return { status: 'warn', message: `ML service problems in the last 1000 log lines: ${parts.join(', ')}`, evidence, remediation };
    return { status: 'pass', message: `No timeouts, CUDA memory errors or queue backlog in the last 1000 log lines of ${pods.length} pod(s) (queue depth ≤ ${deepest})` };
  },
};

// ------------------------------------------------------------------ ml-service-capacity

const mlCapacity: Check = {
  id: 'performance.ml-service-capacity',
  reads: () => ['deployments.apps', 'pods', 'horizontalpodautoscalers.autoscaling'],
  section: 'performance',
  title: { es: 'Réplicas del ML service y HPA', en: 'ML service replicas and HPA' },
  runbook: RUNBOOK.mlServiceSlow,
  severity: 'high',
  kubectl: (n) => [`kubectl get deployment ${mlDeploymentName(n)} -n ${n.namespace}`, `kubectl get hpa -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    const ml = await mlService(ctx);
    if (isOutcome(ml)) return ml;
    const d = ml.deployment;
    const desired = d.spec?.replicas ?? 1;
    const available = d.status?.availableReplicas ?? 0;
    const ready = d.status?.readyReplicas ?? 0;
    let hpas: KObject[] = [];
    let hpaNote: string | undefined;
    try {
      hpas = await ctx.list('horizontalpodautoscalers.autoscaling');
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
      hpaNote = `HPA not checked: ${err.message}`;
    }
    const hpa = hpas.find((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec?.scaleTargetRef?.name === d.metadata.name);
    const evidence: Evidence[] = [
      { kind: 'object', label: 'replicas', ref: objectRef('Deployment', d), fields: { desired, ready, available, unavailable: d.status?.unavailableReplicas ?? Math.max(0, desired - available) } },
    ];
    const problems: string[] = [];
    const warnings: string[] = [];
    // A replica the scheduler cannot place (no free GPU) is capacity that will not come by waiting.
    const unschedulable = ml.pods.filter((p) =>
      (p.status?.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable'),
    );
    for (const p of unschedulable) {
      const cond = p.status.conditions.find((c: any) => c.type === 'PodScheduled');
      evidence.push({ kind: 'object', label: `Unschedulable: ${truncate(cond?.message ?? '', 240)}`, ref: podRef(p), fields: { phase: p.status?.phase ?? null } });
    }
    if (desired > 0 && available === 0) problems.push(`0 of ${desired} replicas available`);
    else if (unschedulable.length) {
      const why = unschedulable[0].status.conditions.find((c: any) => c.type === 'PodScheduled')?.message ?? '';
      problems.push(`${available} of ${desired} replicas available; ${unschedulable.length} cannot be scheduled (${truncate(why, 120)})`);
    } else if (available < desired) warnings.push(`${available} of ${desired} replicas available`);
    if (hpa) {
      const current = hpa.status?.currentReplicas ?? 0;
      const max = hpa.spec?.maxReplicas ?? Infinity;
      const desiredByHpa = hpa.status?.desiredReplicas ?? current;
      const limited = (hpa.status?.conditions ?? []).find((c: any) => c.type === 'ScalingLimited' && c.status === 'True');
      const metricsText = (hpa.status?.currentMetrics ?? [])
        .map((m: any) => (m.resource ? `${m.resource.name} ${m.resource.current?.averageUtilization ?? '?'}%` : m.type))
        .join(', ');
      evidence.push({
        kind: 'object',
        label: 'HorizontalPodAutoscaler',
        ref: objectRef('HorizontalPodAutoscaler', hpa),
        fields: { minReplicas: hpa.spec?.minReplicas ?? 1, maxReplicas: hpa.spec?.maxReplicas ?? null, currentReplicas: current, desiredReplicas: desiredByHpa, metrics: metricsText || null, scalingLimited: limited?.reason ?? null },
      });
      if (current >= max || desiredByHpa >= max) {
        warnings.push(`HPA ${hpa.metadata.name} at its maximum of ${max} replicas${metricsText ? ` (${metricsText})` : ''}`);
      }
    }
    const remediation: Remediation[] = [scaleOut(n)];
    if (hpa) {
      remediation.push({
        text: { es: 'Subir el máximo de réplicas del HPA.', en: 'Raise the HPA maximum replicas.' },
        command: `kubectl patch hpa ${hpa.metadata.name} -n ${n.namespace} -p '{"spec":{"maxReplicas":${(hpa.spec?.maxReplicas ?? 5) + 2}}}'`,
      });
    }
    const suffix = hpaNote ? ` (${hpaNote})` : '';
    if (problems.length) return { status: 'fail', message: problems.concat(warnings).join('; ') + suffix, evidence, remediation: [restartMl(n), ...remediation] };
    if (warnings.length) return { status: 'warn', message: warnings.join('; ') + suffix, evidence, remediation };
    const hpaText = hpa ? `, HPA ${hpa.status?.currentReplicas ?? '?'}/${hpa.spec?.maxReplicas ?? '?'} replicas` : ', no HPA';
    return { status: 'pass', message: `${available}/${desired} replicas available${hpaText}${suffix}`, evidence };
  },
};

export const performanceChecks: Check[] = [mlResources, mlGpu, mlErrors, mlCapacity];
