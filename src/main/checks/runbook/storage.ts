// Runbook section 3, "Problemas de Almacenamiento": full disks (PVC usage, node pressure,
// "No space left on device", application files) and MinIO.
import type { Evidence, Remediation } from '../../../shared/checks';
import { ForbiddenError, type Check, type CheckContext, type KObject, type SystemNames } from '../types';
import {
  componentPods,
  excerpt,
  formatBytes,
  hasLabels,
  isPodReady,
  isPodRunning,
  logEvidence,
  mainContainer,
  mapLimit,
  objectRef,
  outcome,
  parseQuantity,
  podRef,
  podStateReason,
  readRecentLogs,
  worst,
} from './section-helpers';

const DISK_FULL = '3. Problemas de Almacenamiento › Disco Lleno';
const MINIO = '3. Problemas de Almacenamiento › MinIO Storage Issues';

export const PVC_WARN_PERCENT = 80;
export const PVC_FAIL_PERCENT = 95;
/**
 * /app/logs: worth cleaning from 1 GiB. It fails only when the volume has a size limit
 * (the runbook's rotation advice: an emptyDir with sizeLimit 10Gi) and is nearly at it, since
 * the kubelet then evicts the pod; otherwise node and PVC fullness are judged by
 * storage.node-pressure and storage.pvc-usage.
 */
export const APP_LOGS_WARN_BYTES = 1 * 2 ** 30;
export const APP_LOGS_LIMIT_WARN_PERCENT = 80;
export const APP_LOGS_LIMIT_FAIL_PERCENT = 95;
/** Cached frames older than a day should have been cleaned already. */
export const OLD_FRAMES_WARN = 100;

/** The sizeLimit of the emptyDir mounted at `path` in `container`, in bytes. */
function emptyDirLimit(pod: KObject, container: string, path: string): number | undefined {
  const c = (pod.spec?.containers ?? []).find((x: any) => x.name === container);
  const mount = (c?.volumeMounts ?? []).find((m: any) => m.mountPath === path);
  const volume = (pod.spec?.volumes ?? []).find((v: any) => v.name === mount?.name);
  const limit = parseQuantity(volume?.emptyDir?.sizeLimit);
  return limit && limit > 0 ? limit : undefined;
}

function cleanFilesRemediation(n: SystemNames): Remediation[] {
  return [
    {
      text: { es: 'Limpiar logs antiguos del backend (más de 7 días).', en: 'Clean the backend’s old logs (older than 7 days).' },
      command: `kubectl exec -it deployment/${n.release}-backend -n ${n.namespace} -- find /app/logs -name "*.log" -mtime +7 -delete`,
      action: 'clean-old-files',
    },
    {
      text: { es: 'Limpiar el caché de imágenes del ML service (más de 1 día).', en: 'Clean the ML service’s image cache (older than 1 day).' },
      command: `kubectl exec -it deployment/${n.release}-ml-service -n ${n.namespace} -- find /tmp -name "*.jpg" -mtime +1 -delete`,
      action: 'clean-old-files',
    },
  ];
}

function expandRemediation(n: SystemNames, pvc: string, size: string): Remediation {
  return {
    text: {
      es: `Expandir el PVC ${pvc} (el StorageClass lo permite).`,
      en: `Expand PVC ${pvc} (its StorageClass allows it).`,
    },
    command: `kubectl patch pvc ${pvc} -n ${n.namespace} -p='{"spec":{"resources":{"requests":{"storage":"${size}"}}}}'`,
    action: 'expand-pvc',
  };
}

/** Twice the current request, in the same binary unit when it has one. */
function suggestedSize(request: string | undefined): string {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(request ?? '');
  if (!m) return '200Gi';
  return `${Number(m[1]) * 2}${m[2] ?? ''}`;
}

function mountedClaims(pod: KObject): string[] {
  return (pod.spec?.volumes ?? []).map((v: any) => v?.persistentVolumeClaim?.claimName).filter((c: unknown): c is string => typeof c === 'string');
}

interface VolumeUsage {
  usedBytes: number;
  capacityBytes: number;
  node: string;
}

const pvcUsage: Check = {
  id: 'storage.pvc-usage',
  reads: () => ['persistentvolumeclaims', 'pods'],
  section: 'storage',
  title: { es: 'Uso de los volúmenes (PVC)', en: 'Volume (PVC) usage' },
  runbook: DISK_FULL,
  severity: 'high',
  kubectl: (n) => [`kubectl get pvc -n ${n.namespace}`, `kubectl describe pvc -n ${n.namespace}`],
  async run(ctx) {
    const n = ctx.names;
    const pvcs = await ctx.list('persistentvolumeclaims');
    if (pvcs.length === 0) {
      return outcome('warn', `No PersistentVolumeClaims in ${n.namespace}: the system’s database, shared storage and MinIO volumes are missing.`);
    }
    const evidence: Evidence[] = [];
    const statuses: Array<'pass' | 'warn' | 'fail'> = [];
    const problems: string[] = [];
    const unbound = pvcs.filter((p) => p.status?.phase !== 'Bound');
    for (const p of unbound) {
      statuses.push('fail');
      problems.push(`${p.metadata.name} is ${p.status?.phase ?? 'not bound'}`);
      evidence.push({ kind: 'object', label: 'PVC not bound', ref: objectRef('PersistentVolumeClaim', p), fields: { phase: p.status?.phase ?? null, storageClass: p.spec?.storageClassName ?? null } });
    }

    // Usage comes from the kubelet of the nodes whose pods mount the claims.
    const claimNames = new Set(pvcs.map((p) => p.metadata.name));
    const pods = (await ctx.list('pods')).filter((p) => isPodRunning(p) && p.spec?.nodeName && mountedClaims(p).some((c) => claimNames.has(c)));
    const nodes = [...new Set(pods.map((p) => p.spec.nodeName as string))].sort();
    const usage = new Map<string, VolumeUsage>();
    let statsDenied: ForbiddenError | undefined;
    const statsErrors: string[] = [];
    await mapLimit(nodes, 4, async (node) => {
      try {
        const summary = await ctx.nodeStatsSummary(node);
        for (const pod of summary?.pods ?? []) {
          for (const vol of pod?.volume ?? []) {
            const ref = vol?.pvcRef;
            if (!ref || ref.namespace !== n.namespace || !claimNames.has(ref.name)) continue;
            if (typeof vol.usedBytes !== 'number' || typeof vol.capacityBytes !== 'number' || vol.capacityBytes <= 0) continue;
            usage.set(ref.name, { usedBytes: vol.usedBytes, capacityBytes: vol.capacityBytes, node });
          }
        }
      } catch (err) {
        if (err instanceof ForbiddenError) statsDenied = err;
        else statsErrors.push(`${node}: ${(err as Error).message}`);
      }
    });
    if (statsDenied && unbound.length === 0) throw statsDenied;

    const full: KObject[] = [];
    const unmeasured: string[] = [];
    for (const pvc of pvcs.filter((p) => p.status?.phase === 'Bound')) {
      const u = usage.get(pvc.metadata.name);
      if (!u) {
        unmeasured.push(pvc.metadata.name);
        continue;
      }
      const percent = (u.usedBytes / u.capacityBytes) * 100;
      const status = percent >= PVC_FAIL_PERCENT ? 'fail' : percent >= PVC_WARN_PERCENT ? 'warn' : 'pass';
      statuses.push(status);
      if (status !== 'pass') {
        full.push(pvc);
        problems.push(`${pvc.metadata.name} is ${percent.toFixed(1)}% full`);
      }
      evidence.push({
        kind: 'metric',
        label: `${pvc.metadata.name}: ${formatBytes(u.usedBytes)} of ${formatBytes(u.capacityBytes)} (node ${u.node})`,
        ref: objectRef('PersistentVolumeClaim', pvc),
        value: Math.round(percent * 10) / 10,
        unit: '%',
        limit: PVC_WARN_PERCENT,
      });
    }

    const remediation: Remediation[] = [];
    if (full.length) {
      const classes = new Map<string, KObject | undefined>();
      for (const pvc of full) {
        const className = pvc.spec?.storageClassName as string | undefined;
        if (!className) continue;
        if (!classes.has(className)) {
          try {
            classes.set(className, await ctx.get('storageclasses.storage.k8s.io', className, null));
          } catch (err) {
            if (!(err instanceof ForbiddenError)) throw err;
            classes.set(className, undefined);
          }
        }
      }
      remediation.push(...cleanFilesRemediation(n));
      for (const pvc of full) {
        const sc = classes.get(pvc.spec?.storageClassName);
        const size = suggestedSize(pvc.spec?.resources?.requests?.storage);
        if (sc?.allowVolumeExpansion === true) {
          remediation.push(expandRemediation(n, pvc.metadata.name, size));
        } else {
          const why = sc ? `StorageClass ${sc.metadata.name} does not allow expansion` : `the StorageClass of ${pvc.metadata.name} could not be read`;
          const whyEs = sc ? `el StorageClass ${sc.metadata.name} no permite expandir` : `no se pudo leer el StorageClass de ${pvc.metadata.name}`;
          remediation.push({
            text: {
              es: `No se puede expandir ${pvc.metadata.name}: ${whyEs}. Liberar espacio o migrar a un volumen mayor.`,
              en: `${pvc.metadata.name} cannot be expanded: ${why}. Free space or move to a larger volume.`,
            },
          });
        }
      }
    }

    const status = worst(statuses);
    const notes: string[] = [];
    if (unmeasured.length) notes.push(`usage not reported for ${unmeasured.join(', ')} (not mounted by a running pod)`);
    if (statsDenied) notes.push(`usage unknown: ${statsDenied.message}`);
    if (statsErrors.length) notes.push(`stats summary failed on ${statsErrors.join('; ')}`);
    if (status === 'pass' && usage.size === 0) {
      return outcome('warn', `All ${pvcs.length} PVCs are Bound, but no usage could be measured${notes.length ? `: ${notes.join('; ')}` : ''}.`, { evidence });
    }
    const head =
      status === 'pass'
        ? `${pvcs.length} PVCs Bound, all below ${PVC_WARN_PERCENT}% used`
        : problems.join('; ');
    return outcome(status, `${head}${notes.length ? ` (${notes.join('; ')})` : ''}.`, { evidence, remediation });
  },
};

const PRESSURE_CONDITIONS = ['DiskPressure', 'MemoryPressure', 'PIDPressure'];

async function evictedPods(ctx: CheckContext): Promise<KObject[]> {
  return (await ctx.list('pods')).filter((p) => p.status?.phase === 'Failed' && p.status?.reason === 'Evicted');
}

const nodePressure: Check = {
  id: 'storage.node-pressure',
  reads: () => [['nodes', null], 'pods'],
  section: 'storage',
  title: { es: 'Presión de recursos en los nodos', en: 'Node resource pressure' },
  runbook: DISK_FULL,
  severity: 'high',
  kubectl: (n) => ['kubectl get nodes -o wide', 'kubectl describe node <node-name>', `kubectl get pods -n ${n.namespace} --field-selector=status.phase=Failed`],
  async run(ctx) {
    let nodes: KObject[] | undefined;
    let nodesDenied: ForbiddenError | undefined;
    try {
      nodes = await ctx.list('nodes', null);
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
      nodesDenied = err;
    }
    const evicted = await evictedPods(ctx);
    if (nodesDenied && evicted.length === 0) throw nodesDenied;

    const evidence: Evidence[] = [];
    const pressured: string[] = [];
    for (const node of nodes ?? []) {
      const active = (node.status?.conditions ?? []).filter((c: any) => PRESSURE_CONDITIONS.includes(c.type) && c.status === 'True');
      if (active.length === 0) continue;
      pressured.push(`${node.metadata.name} (${active.map((c: any) => c.type).join(', ')})`);
      evidence.push({
        kind: 'object',
        label: `Node under pressure`,
        ref: { kind: 'Node', name: node.metadata.name },
        fields: Object.fromEntries(active.map((c: any) => [c.type, c.message ?? c.reason ?? 'True'])),
      });
    }
    for (const pod of evicted.slice(0, 10)) {
      evidence.push({ kind: 'object', label: 'Evicted pod', ref: podRef(pod), fields: { message: pod.status?.message ?? null } });
    }
    const parts: string[] = [];
    if (pressured.length) parts.push(`nodes under pressure: ${pressured.join('; ')}`);
    if (evicted.length) parts.push(`${evicted.length} evicted pod(s) in ${ctx.names.namespace}`);
    if (nodesDenied) parts.push(`node conditions unknown (${nodesDenied.message})`);
    const remediation: Remediation[] = pressured.length || evicted.length ? cleanFilesRemediation(ctx.names) : [];
    if (evicted.length) {
      remediation.push({
        text: { es: 'Borrar los pods desalojados una vez resuelta la causa.', en: 'Delete the evicted pods once the cause is fixed.' },
        command: `kubectl delete pods -n ${ctx.names.namespace} --field-selector=status.phase=Failed`,
      });
    }
    if (pressured.length) return outcome('fail', `${parts.join('; ')}.`, { evidence, remediation });
    if (evicted.length) return outcome('warn', `${parts.join('; ')}.`, { evidence, remediation });
    return outcome('pass', `No node reports DiskPressure, MemoryPressure or PIDPressure (${nodes?.length ?? 0} nodes); no evicted pods.`);
  },
};

const NO_SPACE = /No space left on device|ENOSPC/i;

const noSpaceErrors: Check = {
  id: 'storage.no-space-errors',
  reads: () => ['pods'],
  section: 'storage',
  title: { es: 'Errores "No space left on device" en los logs', en: '"No space left on device" in the logs' },
  runbook: DISK_FULL,
  severity: 'high',
  kubectl: (n) => [`kubectl logs deployment/${n.release}-backend -n ${n.namespace} --tail=500 | grep -i "no space left"`],
  async run(ctx) {
    const pods = (await ctx.list('pods')).filter(isPodRunning);
    if (pods.length === 0) return outcome('warn', `No running pods in ${ctx.names.namespace} whose logs could be read.`);
    const logs = await readRecentLogs(ctx, pods, { includePrevious: true });
    const evidence: Evidence[] = [];
    const hits: string[] = [];
    for (const log of logs) {
      const lines = log.lines.filter((l) => NO_SPACE.test(l));
      if (lines.length === 0) continue;
      hits.push(`${log.pod.metadata.name}/${log.container}${log.previous ? ' (previous)' : ''}: ${lines.length}`);
      evidence.push(logEvidence('"No space left on device"', log, lines));
    }
    if (hits.length === 0) {
      return outcome('pass', `No "No space left on device" in the last ${logs.length} container logs (up to 500 lines each).`);
    }
    return outcome('fail', `"No space left on device" in ${hits.join('; ')}.`, {
      evidence,
      remediation: [
        ...cleanFilesRemediation(ctx.names),
        {
          text: { es: 'Revisar el uso de los PVC y expandir el volumen si el StorageClass lo permite (ver storage.pvc-usage).', en: 'Check PVC usage and expand the volume if its StorageClass allows it (see storage.pvc-usage).' },
          command: `kubectl get pvc -n ${ctx.names.namespace}`,
        },
      ],
    });
  },
};

function firstRunning(pods: KObject[]): KObject | undefined {
  return pods.find(isPodReady) ?? pods.find(isPodRunning);
}

const appFiles: Check = {
  id: 'storage.app-files',
  reads: () => ['pods'],
  section: 'storage',
  title: { es: 'Logs del backend y caché de imágenes del ML service', en: 'Backend logs and ML service image cache' },
  runbook: DISK_FULL,
  severity: 'medium',
  kubectl: (n) => [
    `kubectl exec deployment/${n.release}-backend -n ${n.namespace} -- du -sb /app/logs`,
    `kubectl exec deployment/${n.release}-ml-service -n ${n.namespace} -- find /tmp -name "*.jpg" -mtime +1`,
  ],
  async run(ctx) {
    const n = ctx.names;
    const backend = firstRunning(await componentPods(ctx, n.components.backend));
    const ml = firstRunning(await componentPods(ctx, n.components.mlService));
    if (!backend && !ml) return outcome('warn', 'No running backend or ML service pod to measure /app/logs and /tmp.');

    const evidence: Evidence[] = [];
    const statuses: Array<'pass' | 'warn' | 'fail'> = [];
    const parts: string[] = [];
    const failures: string[] = [];

    const duArgv = ['du', '-sb', '/app/logs'];
    const findArgv = ['find', '/tmp', '-name', '*.jpg', '-mtime', '+1'];
    // Both measurements at once.
    const [duRun, findRun] = await Promise.all([
      backend ? ctx.exec(backend.metadata.name, mainContainer(backend, n.components.backend), duArgv, { timeoutMs: 12_000 }) : undefined,
      ml ? ctx.exec(ml.metadata.name, mainContainer(ml, n.components.mlService), findArgv, { timeoutMs: 12_000 }) : undefined,
    ]);

    if (backend && duRun) {
      const container = mainContainer(backend, n.components.backend);
      const argv = duArgv;
      const r = duRun;
      const bytes = r.exitCode === 0 ? Number(/^(\d+)\s/.exec(r.stdout.trim())?.[1]) : NaN;
      evidence.push({ kind: 'output', label: `${backend.metadata.name}: /app/logs`, command: argv.join(' '), text: (r.stdout || r.stderr).trim(), exitCode: r.exitCode ?? undefined });
      if (Number.isFinite(bytes)) {
        const limit = emptyDirLimit(backend, container, '/app/logs');
        const percent = limit ? (bytes / limit) * 100 : undefined;
        const status =
          percent !== undefined && percent >= APP_LOGS_LIMIT_FAIL_PERCENT
            ? 'fail'
            : (percent !== undefined && percent >= APP_LOGS_LIMIT_WARN_PERCENT) || bytes >= APP_LOGS_WARN_BYTES
              ? 'warn'
              : 'pass';
        statuses.push(status);
        parts.push(`/app/logs holds ${formatBytes(bytes)}${limit ? ` of its ${formatBytes(limit)} limit (${percent!.toFixed(0)}%)` : ''}`);
      } else {
        failures.push(`du in ${backend.metadata.name} failed: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`}`);
      }
    } else {
      parts.push('no running backend pod');
    }

    if (ml && findRun) {
      const argv = findArgv;
      const r = findRun;
      const files = r.stdout.split('\n').filter((l) => l.trim() !== '');
      if (r.exitCode === 0) {
        const status = files.length >= OLD_FRAMES_WARN ? 'warn' : 'pass';
        statuses.push(status);
        parts.push(`${files.length} .jpg file(s) older than a day in the ML service’s /tmp`);
        evidence.push({ kind: 'output', label: `${ml.metadata.name}: old images in /tmp (${files.length})`, command: argv.join(' '), text: excerpt(files, 10).join('\n'), exitCode: 0 });
      } else {
        failures.push(`find in ${ml.metadata.name} failed: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`}`);
        evidence.push({ kind: 'output', label: `${ml.metadata.name}: /tmp`, command: argv.join(' '), text: r.stderr.trim(), exitCode: r.exitCode ?? undefined });
      }
    } else {
      parts.push('no running ML service pod');
    }

    if (statuses.length === 0) return outcome('error', `Could not measure application files: ${failures.join('; ')}.`, { evidence });
    const status = worst(statuses);
    const message = [...parts, ...failures].join('; ');
    return outcome(status, `${message}.`, { evidence, remediation: status === 'pass' ? [] : cleanFilesRemediation(n) });
  },
};

const MINIO_ERROR = /\bERROR\b|(^|\s)Error:|level"?\s*[:=]\s*"?(error|fatal)/i;
/** Errors that mean lost writes or damaged data, not a passing hiccup. */
const MINIO_SEVERE = /corrupt|InsufficientWriteQuorum|InsufficientReadQuorum|drive(s)? (is |are )?offline|faulty disk|errDiskNotFound|disk not found|errDiskFull|no space left/i;
export const MINIO_ERRORS_FAIL = 20;

const minioHealth: Check = {
  id: 'storage.minio-health',
  reads: () => ['pods', 'services'],
  section: 'storage',
  title: { es: 'Salud de MinIO', en: 'MinIO health' },
  runbook: MINIO,
  severity: 'high',
  kubectl: (n) => [
    `kubectl get pods -l app.kubernetes.io/name=minio -n ${n.namespace}`,
    `kubectl logs deployment/${n.minioService} -n ${n.namespace}`,
    `kubectl port-forward svc/${n.minioService} 9000:9000 -n ${n.namespace}`,
  ],
  async run(ctx) {
    const n = ctx.names;
    const pods = (await ctx.list('pods')).filter((p) => hasLabels(p, { 'app.kubernetes.io/name': 'minio' }));
    const remediation: Remediation[] = [
      { text: { es: 'Verificar la configuración (credenciales) de MinIO.', en: 'Check MinIO’s configuration (credentials).' }, command: `kubectl get secret ${n.minioService} -n ${n.namespace} -o yaml` },
      { text: { es: 'Reparar objetos corruptos.', en: 'Heal corrupt objects.' }, command: `kubectl exec -it deployment/${n.minioService} -n ${n.namespace} -- mc admin heal myminio --recursive` },
    ];
    if (pods.length === 0) {
      return outcome('fail', `No MinIO pods (app.kubernetes.io/name=minio) in ${n.namespace}.`, { remediation });
    }
    const evidence: Evidence[] = [];
    const problems: string[] = [];
    const warnings: string[] = [];
    const notReady = pods.filter((p) => !isPodReady(p));
    for (const p of notReady) {
      problems.push(`${p.metadata.name} not ready (${podStateReason(p)})`);
      evidence.push({ kind: 'object', label: 'MinIO pod not ready', ref: podRef(p), fields: { phase: p.status?.phase ?? null, reason: podStateReason(p) } });
    }

    let denied: ForbiddenError | undefined;
    let live: string | undefined;
    try {
      const r = await ctx.httpGet(n.minioService, 9000, '/minio/health/live', { timeoutMs: 10_000 });
      live = `HTTP ${r.status} in ${Math.round(r.latencyMs)} ms`;
      evidence.push({ kind: 'output', label: 'MinIO liveness', command: `curl http://localhost:9000/minio/health/live`, text: live });
      if (r.status !== 200) problems.push(`/minio/health/live answered HTTP ${r.status}`);
    } catch (err) {
      if (err instanceof ForbiddenError) denied = err;
      else problems.push(`/minio/health/live unreachable: ${(err as Error).message}`);
    }

    try {
      const logs = await readRecentLogs(ctx, pods.filter(isPodRunning));
      for (const log of logs) {
        const errors = log.lines.filter((l) => MINIO_ERROR.test(l) || MINIO_SEVERE.test(l));
        if (errors.length === 0) continue;
        const severe = errors.filter((l) => MINIO_SEVERE.test(l));
        const text = `${errors.length} error line(s) in ${log.pod.metadata.name}${severe.length ? `, ${severe.length} of corrupted data or lost write quorum` : ''}`;
        if (severe.length || errors.length >= MINIO_ERRORS_FAIL) problems.push(text);
        else warnings.push(text);
        evidence.push(logEvidence('MinIO errors', log, severe.length ? severe : errors));
      }
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
      denied ??= err;
    }

    if (problems.length) {
      const note = denied ? ` (${denied.message})` : '';
      const liveNote = live && !problems.some((p) => p.includes('/minio/health/live')) ? `; /minio/health/live ${live}` : '';
      return outcome('fail', `MinIO: ${[...problems, ...warnings].join('; ')}${liveNote}${note}.`, { evidence, remediation });
    }
    if (denied) throw denied;
    if (warnings.length) return outcome('warn', `MinIO is live (${live}) but its log has errors: ${warnings.join('; ')}.`, { evidence, remediation });
    return outcome('pass', `${pods.length} MinIO pod(s) ready; /minio/health/live ${live}; no errors in the log.`, { evidence });
  },
};

export const storageChecks: Check[] = [pvcUsage, nodePressure, noSpaceErrors, appFiles, minioHealth];
