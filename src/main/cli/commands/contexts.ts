import type { Reachability } from '../../../shared/kube';
import { createCliService } from '../service-factory';
import { color, EXIT_OK, EXIT_USAGE, formatTable, printJson } from '../io';

export interface ContextsOptions {
  json?: boolean;
  kubeconfig?: string[];
  timeout: number;
  probe: boolean;
}

function describeReachability(r: Reachability | undefined): string {
  if (!r) return color.dim('not probed');
  switch (r.status) {
    case 'ok':
      return color.green(`ok ${r.serverVersion ?? ''}`.trim()) + color.dim(` ${r.latencyMs} ms`);
    case 'tls-error':
      return color.red(`tls-error (${r.tlsReason ?? 'other'})`) + color.dim(` ${r.detail ?? ''}`);
    default:
      return color.red(r.status) + color.dim(r.detail ? ` ${r.detail}` : '');
  }
}

export async function runContexts(opts: ContextsOptions): Promise<number> {
  const service = createCliService({ kubeconfig: opts.kubeconfig });
  const list = await service.call('contexts.list', {});
  const reach = opts.probe && list.contexts.length ? await service.call('contexts.probe', { timeoutMs: opts.timeout }) : {};
  const hasErrors = list.problems.some((p) => p.severity === 'error');
  if (opts.json) {
    printJson({
      contexts: list.contexts.map((c) => ({ ...c, reachability: reach[c.name] ?? null })),
      problems: list.problems,
      files: list.files,
      selected: list.selected,
    });
    return hasErrors ? EXIT_USAGE : EXIT_OK;
  }
  if (!list.contexts.length) {
    process.stdout.write(
      list.files.length
        ? `No usable context in ${list.files.join(', ')}.\n`
        : 'No kubeconfig found (KUBECONFIG is unset and ~/.kube/config does not exist).\n' +
            'Add one with --kubeconfig FILE, or start the training sandbox: roadside sandbox start\n',
    );
  } else {
    const rows = list.contexts.map((c) => [
      c.isCurrent ? '*' : ' ',
      c.name === list.selected.context ? color.bold(c.name) : c.name,
      c.server,
      c.user || color.dim('(none)'),
      c.namespace ?? color.dim('-'),
      describeReachability(reach[c.name]),
    ]);
    process.stdout.write(formatTable(['CUR', 'NAME', 'SERVER', 'USER', 'NAMESPACE', 'REACHABILITY'], rows));
    process.stdout.write(color.dim(`\nSelected in Roadside: ${list.selected.context ?? '-'} / ${list.selected.namespace}\n`));
  }
  for (const p of list.problems) {
    const label = p.severity === 'error' ? color.red('error') : color.yellow('warning');
    process.stderr.write(`${label}: ${p.file}${p.entry ? ` (${p.entry})` : ''}: ${p.reason}\n`);
  }
  return hasErrors ? EXIT_USAGE : EXIT_OK;
}
