// `roadside act …`: the commander definition; the work lives in commands/act.ts.
import type { Command } from 'commander';
import { collect } from './io';

export function registerActionCommands(program: Command): void {
  program
    .command('act')
    .description("run one of the runbook's remedies: preview (server-side dry run, diff), confirm, apply, record")
    .argument('[action]', 'action id, e.g. rollout-restart:backend, scale:ml-service, expand-pvc (omit to list them)')
    .option('--target <name>', 'what to act on: the part after ":" (rollout-restart --target backend), the PVC of expand-pvc, the user of add-user-to-group; otherwise checked against the previewed target')
    .option('--context <name>', 'kubeconfig context (default: the one selected in Roadside, else current-context)')
    .option('--namespace <ns>', 'namespace of the traffic-system (default: traffic-system)')
    .option('--param <key=value>', 'an action parameter (repeatable), e.g. replicas=5, size=200Gi, group=operators', collect, [])
    .option('--dry-run', 'preview only: show the diff or the commands and stop')
    .option('--yes', 'apply without asking (also confirms destructive actions)')
    .option('--read-only', 'refuse every action (as the read-only setting does)')
    .option('--incident <id>', "record the action to this incident's timeline too")
    .option('--json', 'print JSON for scripts')
    .option('--kubeconfig <file>', 'also read this kubeconfig file (repeatable)', collect, [])
    .addHelpText(
      'after',
      '\nWithout --yes the preview is printed and confirmation is asked on the terminal (destructive actions: type the target\'s name);' +
        '\nwith no terminal and no --yes it refuses after the preview.' +
        '\nExit codes: 0 applied (or previewed with --dry-run), 1 the action failed on the cluster, 2 bad usage, refused or read-only, 3 cluster unreachable, credentials refused or not allowed.',
    )
    .action(async (action, opts) => {
      const { runAct } = await import('./commands/act');
      process.exitCode = await runAct(action, opts);
    });
}
