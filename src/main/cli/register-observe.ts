// `roadside logs` and `roadside overview`: the commander definitions; the work lives in
// commands/logs.ts and commands/overview.ts.
import type { Command } from 'commander';
import { DEFAULT_LOG_SELECTOR, DEFAULT_LOG_TAIL, RUNBOOK_LOG_SELECTOR } from '../../shared/contract-observe';
import { collect, parsePositiveInt } from './io';

export function registerObserveCommands(program: Command): void {
  program
    .command('logs')
    .description("the runbook's log aggregation: the last lines of every container of the selected pods, merged by timestamp")
    .option('--context <name>', 'kubeconfig context (default: the one selected in Roadside, else current-context)')
    .option('-n, --namespace <ns>', 'namespace (default: the selected one, else traffic-system)')
    .option('-l, --selector <selector>', `label selector (the runbook's is ${RUNBOOK_LOG_SELECTOR})`, DEFAULT_LOG_SELECTOR)
    .option('--tail <n>', 'lines per container', parsePositiveInt('--tail', 1, 10_000), DEFAULT_LOG_TAIL)
    .option('--since <duration>', 'only lines newer than this, e.g. 30m, 1h, 2d')
    .option('-f, --follow', 'keep printing new lines until Ctrl+C')
    .option('--grep <text>', 'only lines containing this text (case-insensitive)')
    .option('--regex', 'read --grep as a regular expression')
    .option('--json', 'one JSON object per line: time, pod, container, text')
    .option('--kubeconfig <file>', 'also read this kubeconfig file (repeatable)', collect, [])
    .addHelpText('after', '\nExit codes: 0 done (also when no pod matches), 2 bad usage, 3 cluster unreachable or not allowed to list pods.')
    .action(async (opts) => {
      const { runLogs } = await import('./commands/logs');
      process.exitCode = await runLogs(opts);
    });

  program
    .command('overview')
    .description("the runbook's health-check: pods, services, PVCs, top pods and the last 20 events of a namespace")
    .option('--context <name>', 'kubeconfig context (default: the one selected in Roadside, else current-context)')
    .option('-n, --namespace <ns>', 'namespace (default: the selected one, else traffic-system)')
    .option('--json', 'print JSON for scripts')
    .option('--kubeconfig <file>', 'also read this kubeconfig file (repeatable)', collect, [])
    .addHelpText('after', '\nExit codes: 0 every pod healthy, 1 a pod is not Running/ready, 3 cluster unreachable.')
    .action(async (opts) => {
      const { runOverview } = await import('./commands/overview');
      process.exitCode = await runOverview(opts);
    });
}
