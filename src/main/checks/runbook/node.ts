// Checks that run on the nodes over SSH (runbook: "Verificar espacio en nodos", the clock behind
// JWTs that expire at once, the kubelet when pods won't start). They use only ctx.nodeShell and
// its fixed command catalogue; without node access they are skipped, saying how to set it up.
import type { Evidence, Remediation } from '../../../shared/checks';
import type { NodeRunResult, NodeShell, NodeTarget } from '../../ssh/node-shell';
import { isCommandNotFound } from '../../ssh/node-commands';
import type { Check, CheckContext, CheckOutcome } from '../types';
import { CLOCK_SKEW_FAIL_SECONDS, CLOCK_SKEW_WARN_SECONDS } from './auth';
import { excerpt, formatBytes, mapLimit, outcome } from './section-helpers';

const DISK_FULL = '3. Problemas de Almacenamiento › Disco Lleno';
const JWT = '4. Problemas de Autenticación › JWT Token Errors';
const CLUSTER = 'Herramientas de Diagnóstico';

export const NODE_DISK_WARN_PERCENT = 80;
export const NODE_DISK_FAIL_PERCENT = 95;
/** A directory under /var/log from this size is worth rotating. */
export const NODE_LOG_DIR_WARN_BYTES = 1 * 2 ** 30;
const NODE_CONCURRENCY = 4;

export const NOT_CONFIGURED =
  'skipped: node access over SSH is not configured for this context (Clusters › SSH settings, or roadside diagnose --ssh-user U --node-address NAME=HOST[:PORT])';

type NodeVerdict = { status: CheckOutcome['status']; message: string; evidence?: Evidence[] };

function outputEvidence(label: string, r: NodeRunResult, text = (r.stdout + (r.stderr ? `\n${r.stderr}` : '')).trim()): Evidence {
  return { kind: 'output', label: `${r.node}: ${label}`, command: `ssh ${r.node} ${r.command.line}`, text: text.slice(0, 8_000), ...(r.exitCode !== null ? { exitCode: r.exitCode } : {}) };
}

const RANK: Record<CheckOutcome['status'], number> = { fail: 4, error: 3, warn: 2, pass: 1, skipped: 0 };

/** Runs `perNode` on every reachable node and folds the verdicts: fail > error > warn > pass; skipped only when nothing ran. */
async function onEachNode(ctx: CheckContext, what: string, perNode: (shell: NodeShell, t: NodeTarget) => Promise<NodeVerdict>, remediation: Remediation[] = []): Promise<CheckOutcome> {
  const shell = ctx.nodeShell;
  if (!shell) return outcome('skipped', NOT_CONFIGURED);
  const targets = await shell.targets(ctx);
  const reachable = targets.filter((t) => !t.skipReason);
  const skippedNodes = targets.filter((t) => t.skipReason);
  if (!reachable.length) {
    return outcome('skipped', `skipped: no node to ${what}: ${skippedNodes.map((t) => t.skipReason).join('; ') || 'the cluster lists no node'}`);
  }
  const verdicts = await mapLimit(reachable, NODE_CONCURRENCY, async (t) => {
    try {
      return { node: t.node, ...(await perNode(shell, t)) };
    } catch (err) {
      // A refused login, a dropped connection, a timeout: this node's part ends as an error.
      return { node: t.node, status: 'error' as const, message: err instanceof Error ? err.message : String(err) };
    }
  });
  const ran = verdicts.filter((v) => v.status !== 'skipped');
  const status = ran.length ? ran.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a)).status : 'skipped';
  const parts = verdicts.map((v) => `${v.node}: ${v.message}`);
  if (skippedNodes.length) parts.push(`not checked: ${skippedNodes.map((t) => t.node).join(', ')} (${skippedNodes[0].skipReason})`);
  const evidence = verdicts.flatMap((v) => v.evidence ?? []);
  const message = status === 'skipped' ? `skipped: ${parts.join(' · ')}` : parts.join(' · ');
  return outcome(status, message, { evidence, remediation: status === 'fail' || status === 'warn' ? remediation : [] });
}

export interface DfRow {
  filesystem: string;
  sizeKiB: number;
  usedKiB: number;
  availableKiB: number;
  percent: number;
  mount: string;
}

/** `df -P -k` output, one row per filesystem (duplicates of a mount folded). */
export function parseDf(text: string): DfRow[] {
  const rows: DfRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || !/^\d+%$/.test(f[4])) continue;
    const row = { filesystem: f[0], sizeKiB: Number(f[1]), usedKiB: Number(f[2]), availableKiB: Number(f[3]), percent: Number(f[4].slice(0, -1)), mount: f.slice(5).join(' ') };
    if (!rows.some((r) => r.mount === row.mount)) rows.push(row);
  }
  return rows;
}

export function diskVerdict(percent: number): 'pass' | 'warn' | 'fail' {
  return percent >= NODE_DISK_FAIL_PERCENT ? 'fail' : percent >= NODE_DISK_WARN_PERCENT ? 'warn' : 'pass';
}

const nodeDisk: Check = {
  id: 'storage.node-disk',
  section: 'storage',
  title: { es: 'Espacio en disco de los nodos (SSH)', en: 'Node disk space (SSH)' },
  runbook: DISK_FULL,
  severity: 'high',
  kubectl: () => ['kubectl get nodes -o wide', 'kubectl describe node <node-name>'],
  run: (ctx) =>
    onEachNode(
      ctx,
      'read the disks of',
      async (shell, t) => {
        const r = await shell.run(t, 'diskUsage', { signal: ctx.signal });
        if (isCommandNotFound(r)) return { status: 'skipped', message: 'df is not available on the node' };
        const rows = parseDf(r.stdout);
        if (!rows.length) return { status: 'error', message: `df gave no filesystem: ${(r.stderr || r.stdout).trim().slice(0, 200)}`, evidence: [outputEvidence('df', r)] };
        const evidence: Evidence[] = [
          outputEvidence('df', r),
          ...rows.map((row): Evidence => ({ kind: 'metric', label: `${t.node} ${row.mount} used`, ref: { kind: 'Node', name: t.node }, value: row.percent, unit: '%', limit: NODE_DISK_FAIL_PERCENT })),
        ];
        const statuses = rows.map((row) => diskVerdict(row.percent));
        const status = statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
        const list = rows.map((row) => `${row.mount} ${row.percent}% (${formatBytes(row.availableKiB * 1024)} free)`).join(', ');
        return { status, message: list, evidence };
      },
      [
        { text: { es: 'Liberar espacio en el nodo: imágenes sin uso y logs antiguos.', en: 'Free space on the node: unused images and old logs.' }, command: 'crictl rmi --prune && journalctl --vacuum-time=3d' },
        { text: { es: 'Ver la presión de disco del nodo.', en: 'Look at the node’s disk pressure.' }, command: 'kubectl describe node <node-name>' },
      ],
    ),
};

/** `du -k` output as (KiB, path), biggest first. */
export function parseDu(text: string): Array<{ kib: number; path: string }> {
  return text
    .split('\n')
    .map((l) => /^(\d+)\s+(\/.*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ kib: Number(m[1]), path: m[2] }))
    .sort((a, b) => b.kib - a.kib);
}

const nodeLargeFiles: Check = {
  id: 'storage.node-large-files',
  section: 'storage',
  title: { es: 'Directorios más grandes en los nodos (SSH)', en: 'Largest directories on the nodes (SSH)' },
  runbook: DISK_FULL,
  severity: 'medium',
  kubectl: () => ['kubectl describe node <node-name>'],
  run: (ctx) =>
    onEachNode(
      ctx,
      'measure the directories of',
      async (shell, t) => {
        const r = await shell.run(t, 'largeDirectories', { signal: ctx.signal });
        if (isCommandNotFound(r)) return { status: 'skipped', message: 'du is not available on the node' };
        const dirs = parseDu(r.stdout);
        if (!dirs.length) return { status: 'error', message: `du measured nothing: ${(r.stderr || r.stdout).trim().slice(0, 200)}`, evidence: [outputEvidence('du', r)] };
        const logDirs = dirs.filter((d) => d.path.startsWith('/var/log/'));
        const runtime = dirs.filter((d) => /^\/var\/lib\/(containerd|docker)\//.test(d.path));
        const top = [...logDirs.slice(0, 10), ...runtime.slice(0, 10)];
        const evidence: Evidence[] = [
          {
            kind: 'output',
            label: `${t.node}: biggest directories`,
            command: `ssh ${t.node} ${r.command.line}`,
            text: (top.length ? top : dirs.slice(0, 10)).map((d) => `${formatBytes(d.kib * 1024).padStart(10)}  ${d.path}`).join('\n'),
            ...(r.exitCode !== null ? { exitCode: r.exitCode } : {}),
          },
        ];
        const big = logDirs.filter((d) => d.kib * 1024 >= NODE_LOG_DIR_WARN_BYTES);
        const biggest = (top.length ? top : dirs).slice(0, 3).map((d) => `${d.path} ${formatBytes(d.kib * 1024)}`).join(', ');
        if (big.length) return { status: 'warn', message: `${big.map((d) => `${d.path} holds ${formatBytes(d.kib * 1024)}`).join(', ')} (rotate or clean)`, evidence };
        return { status: 'pass', message: `biggest: ${biggest}`, evidence };
      },
      [{ text: { es: 'Rotar o limpiar los logs grandes del nodo.', en: 'Rotate or clean the node’s big logs.' }, command: 'journalctl --vacuum-size=500M' }],
    ),
};

export interface ClockSync {
  /** true/false when a tool said so; undefined when none answered. */
  synchronized?: boolean;
  source?: 'timedatectl' | 'chronyc';
  /** chrony's own estimate of the offset from NTP time, seconds. */
  ntpOffsetSeconds?: number;
}

export function parseTimedatectl(text: string): ClockSync | undefined {
  const m = /^NTPSynchronized=(yes|no)$/m.exec(text);
  return m ? { synchronized: m[1] === 'yes', source: 'timedatectl' } : undefined;
}

export function parseChronyTracking(text: string): ClockSync | undefined {
  const leap = /^Leap status\s*:\s*(.+)$/m.exec(text);
  if (!leap) return undefined;
  const offset = /^System time\s*:\s*([\d.]+) seconds (fast|slow)/m.exec(text);
  return {
    synchronized: !/not synchronised/i.test(leap[1]),
    source: 'chronyc',
    ...(offset ? { ntpOffsetSeconds: Number(offset[1]) * (offset[2] === 'fast' ? 1 : -1) } : {}),
  };
}

const nodeClock: Check = {
  id: 'auth.node-clock',
  section: 'auth',
  title: { es: 'Reloj de los nodos sincronizado (SSH)', en: 'Node clocks synchronized (SSH)' },
  runbook: JWT,
  severity: 'high',
  kubectl: () => ['kubectl get nodes -o wide'],
  run: (ctx) =>
    onEachNode(
      ctx,
      'read the clock of',
      async (shell, t) => {
        const evidence: Evidence[] = [];
        // The offset against this machine: the node answered between the two local readings.
        const before = Date.now();
        const d = await shell.run(t, 'clockDate', { signal: ctx.signal });
        const after = Date.now();
        const remote = d.exitCode === 0 && /^\d+(\.\d+)?$/.test(d.stdout.trim()) ? Number(d.stdout.trim()) : NaN;
        const offset = Number.isFinite(remote) ? remote - (before + after) / 2000 : undefined;
        const uncertainty = (after - before) / 2000;
        if (offset !== undefined) evidence.push(outputEvidence('clock', d, `node: ${d.stdout.trim()}\nlocal: ${((before + after) / 2000).toFixed(3)}\noffset: ${offset.toFixed(3)} s (±${uncertainty.toFixed(3)})`));
        let sync: ClockSync | undefined;
        const notes: string[] = [];
        const td = await shell.run(t, 'clockTimedatectl', { signal: ctx.signal });
        sync = td.exitCode === 0 ? parseTimedatectl(td.stdout) : undefined;
        if (sync) evidence.push(outputEvidence('timedatectl', td));
        else notes.push(isCommandNotFound(td) ? 'timedatectl not found' : `timedatectl: ${(td.stderr || td.stdout).trim().split('\n')[0] || `exit ${td.exitCode}`}`);
        if (!sync) {
          const ch = await shell.run(t, 'clockChrony', { signal: ctx.signal });
          sync = ch.exitCode === 0 ? parseChronyTracking(ch.stdout) : undefined;
          if (sync) evidence.push(outputEvidence('chronyc tracking', ch));
          else notes.push(isCommandNotFound(ch) ? 'chronyc not found' : `chronyc: ${(ch.stderr || ch.stdout).trim().split('\n')[0] || `exit ${ch.exitCode}`}`);
        }
        if (offset === undefined && !sync) {
          return { status: 'skipped', message: `no clock could be read (${[isCommandNotFound(d) ? 'date not found' : `date: exit ${d.exitCode}`, ...notes].join('; ')})`, evidence };
        }
        const skew = offset === undefined ? 0 : Math.max(0, Math.abs(offset) - uncertainty);
        const offsetText = offset === undefined ? '' : `${Math.abs(offset).toFixed(1)} s ${offset >= 0 ? 'ahead of' : 'behind'} this machine`;
        const syncText = sync ? `${sync.synchronized ? 'synchronized' : 'NOT synchronized'} (${sync.source}${sync.ntpOffsetSeconds !== undefined ? `, ${sync.ntpOffsetSeconds.toExponential(1)} s from NTP` : ''})` : `synchronization unknown (${notes.join('; ')})`;
        const message = [offsetText, syncText].filter(Boolean).join(', ');
        if (skew > CLOCK_SKEW_FAIL_SECONDS) return { status: 'fail', message: `${message}: tokens will look expired or not yet valid`, evidence };
        if (skew > CLOCK_SKEW_WARN_SECONDS || sync?.synchronized === false) return { status: 'warn', message, evidence };
        return { status: 'pass', message, evidence };
      },
      [
        { text: { es: 'Sincronizar el reloj del nodo con NTP.', en: 'Sync the node’s clock with NTP.' }, command: 'sudo chronyc makestep   # or: sudo timedatectl set-ntp true' },
      ],
    ),
};

/** klog error/fatal lines (E0102 …, F0102 …) and structured level=error lines. */
const KUBELET_ERROR = /(?:^|\s|\]:\s)[EF]\d{4}\s|level=(?:error|fatal)/;
const KUBELET_CRITICAL = /PLEG is not healthy|failed to run Kubelet|container runtime is down|container runtime network not ready|certificate has expired|no space left on device|failed to get sandbox image|Failed to start ContainerManager/i;

const kubeletLog: Check = {
  id: 'cluster.kubelet-log',
  section: 'cluster',
  title: { es: 'Errores del kubelet en la última hora (SSH)', en: 'Kubelet errors in the last hour (SSH)' },
  runbook: CLUSTER,
  severity: 'medium',
  kubectl: () => ['kubectl get nodes', 'kubectl describe node <node-name>'],
  run: (ctx) =>
    onEachNode(
      ctx,
      'read the kubelet log of',
      async (shell, t) => {
        const r = await shell.run(t, 'kubeletLog', { signal: ctx.signal });
        if (isCommandNotFound(r)) return { status: 'skipped', message: 'journalctl is not available on the node (the kubelet may log elsewhere)' };
        if (/No journal files were found/i.test(r.stderr + r.stdout)) return { status: 'skipped', message: 'the node has no systemd journal', evidence: [outputEvidence('journalctl', r)] };
        if (r.exitCode !== 0) return { status: 'error', message: `journalctl failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n')[0]}`, evidence: [outputEvidence('journalctl', r)] };
        const lines = r.stdout.split('\n').filter((l) => l.trim() && !l.startsWith('-- '));
        if (!lines.length) return { status: 'skipped', message: 'no kubelet entries in the journal of the last hour (is the kubelet a systemd unit named "kubelet"?)' };
        const errors = lines.filter((l) => KUBELET_ERROR.test(l));
        const critical = errors.filter((l) => KUBELET_CRITICAL.test(l));
        const evidence: Evidence[] = errors.length
          ? [{ kind: 'log', label: `${t.node}: kubelet errors (${errors.length})`, ref: { kind: 'Node', name: t.node }, container: 'kubelet', lines: excerpt(critical.length ? critical : errors, 20) }]
          : [];
        if (critical.length) return { status: 'fail', message: `${critical.length} serious kubelet error(s) of ${lines.length} lines, e.g. ${critical[critical.length - 1].slice(0, 160)}`, evidence };
        if (errors.length) return { status: 'warn', message: `${errors.length} kubelet error line(s) of ${lines.length}`, evidence };
        return { status: 'pass', message: `no error in ${lines.length} kubelet log line(s)`, evidence };
      },
      [{ text: { es: 'Revisar el kubelet en el nodo.', en: 'Look at the kubelet on the node.' }, command: 'sudo systemctl status kubelet && sudo journalctl -u kubelet --since "1 hour ago"' }],
    ),
};

export const nodeChecks: Check[] = [nodeDisk, nodeLargeFiles, nodeClock, kubeletLog];

const NODE_CHECK_IDS = new Set(nodeChecks.map((c) => c.id));

/**
 * The registry with the node checks bound to a run's node shell. The engine gives each check a
 * fresh context object, so the shell is added where the node checks receive theirs.
 */
export function withNodeShell(checks: readonly Check[], shell: NodeShell): Check[] {
  return checks.map((c) => (NODE_CHECK_IDS.has(c.id) ? { ...c, run: (ctx: CheckContext) => c.run({ ...ctx, nodeShell: ctx.nodeShell ?? shell }) } : c));
}
