// `roadside overview`: the runbook's health-check.sh (pods, services, PVCs, top pods and
// the last 20 events) in one command.
import { humanDuration } from '../../../shared/observe-logs';
import type { Overview, OverviewSection } from '../../../shared/contract-observe';
import { createCliService } from '../service-factory';
import { color, EXIT_FINDINGS, EXIT_OK, EXIT_UNREACHABLE, formatTable, printJson } from '../io';

export interface OverviewOptions {
  context?: string;
  namespace?: string;
  json?: boolean;
  kubeconfig: string[];
}

function age(at: string | undefined, now: number): string {
  return at ? humanDuration(now - Date.parse(at)) : '<unknown>';
}

function block<T>(title: string, section: OverviewSection<T>, header: string[], row: (r: T) => string[]): string {
  let out = `\n${color.bold(title)}  ${color.dim(`$ ${section.kubectl}`)}\n`;
  if (section.problem) out += color.red(`  ${section.problem.message}\n`);
  if (section.rows.length) out += formatTable(header, section.rows.map(row));
  else if (!section.problem) out += color.dim('  (none)\n');
  return out;
}

export function printOverview(o: Overview, now = Date.now()): string {
  let out = color.bold(`Roadside overview of ${o.context} / ${o.namespace}`) + color.dim(`  (${o.collectedAt})\n`);
  if (o.unreachable) return out + color.red(`\nThe cluster could not be reached: ${o.unreachable}\n`);
  out += block('1. Pods', o.pods, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'NODE'], (p) => [
    p.name,
    p.ready,
    p.healthy ? p.status : color.red(p.status),
    p.lastRestartAt ? `${p.restarts} (${age(p.lastRestartAt, now)} ago)` : String(p.restarts),
    age(p.createdAt, now),
    p.node ?? '<none>',
  ]);
  out += block('2. Services', o.services, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'READY ENDPOINTS'], (s) => [
    s.name,
    s.type,
    s.clusterIP,
    s.externalIP,
    s.ports,
    s.selector && s.readyEndpoints === 0 ? color.red(`0 (${s.notReadyEndpoints} not ready)`) : `${s.readyEndpoints}${s.notReadyEndpoints ? ` (${s.notReadyEndpoints} not ready)` : ''}`,
  ]);
  out += block('3. Storage', o.pvcs, ['NAME', 'STATUS', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'AGE'], (p) => [
    p.name,
    p.status === 'Bound' ? p.status : color.red(p.status),
    p.capacity,
    p.accessModes,
    p.storageClass,
    age(p.createdAt, now),
  ]);
  out += block('4. Resources', o.top, ['POD', 'CPU(cores)', 'MEMORY(bytes)'], (t) => [t.pod, `${t.cpuMillicores}m`, `${t.memoryMi}Mi`]);
  out += block('5. Recent events (newest first)', o.events, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], (e) => [
    `${age(e.lastSeen, now)}${e.count > 1 ? ` (x${e.count})` : ''}`,
    e.type === 'Warning' ? color.yellow(e.type) : e.type,
    e.reason,
    e.object,
    e.message,
  ]);
  return out;
}

export async function runOverview(opts: OverviewOptions): Promise<number> {
  const service = createCliService({ kubeconfig: opts.kubeconfig });
  const overview = await service.call('overview.get', {
    ...(opts.context ? { context: opts.context } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
  });
  if (opts.json) printJson(overview);
  else process.stdout.write(printOverview(overview));
  if (overview.unreachable) return EXIT_UNREACHABLE;
  return overview.pods.rows.some((p) => !p.healthy) ? EXIT_FINDINGS : EXIT_OK;
}
