// The `roadside` command. Subcommands load their modules lazily so that
// `roadside --help` and simple commands start fast.
import { Command, CommanderError, Option } from 'commander';
import { version } from '../../../package.json';
import { CliError, collect, EXIT_OK, EXIT_USAGE, exitCodeFor, parsePositiveInt } from './io';
import { registerIncidentCommands } from './register-incidents';
import { addSshFlags, registerSshCommands } from './register-ssh';
import { registerReportCommands } from './register-report';
import { registerActionCommands } from './register-actions';
import { registerObserveCommands } from './register-observe';

function buildProgram(): Command {
  const program = new Command('roadside')
    .description('Roadside: troubleshooting kit for the traffic-system on Kubernetes')
    .version(version, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('contexts')
    .description('list the contexts of your kubeconfig files and whether each cluster answers')
    .option('--json', 'print JSON for scripts')
    .option('--kubeconfig <file>', 'also read this kubeconfig file (repeatable)', collect, [])
    .addOption(new Option('--timeout <ms>', 'reachability probe timeout per context').default(3000).argParser(parsePositiveInt('--timeout', 200, 60_000)))
    .option('--no-probe', 'do not probe reachability')
    .action(async (opts) => {
      const { runContexts } = await import('./commands/contexts');
      process.exitCode = await runContexts(opts);
    });

  program
    .command('serve')
    .description('serve the Roadside UI to a browser on 127.0.0.1 (prints the URL with its token)')
    .option('--port <n>', 'port to listen on (default: a free one)', parsePositiveInt('--port', 1, 65535))
    .option('--kubeconfig <file>', 'also read this kubeconfig file (repeatable)', collect, [])
    .action(async (opts) => {
      const { runServe } = await import('./commands/serve');
      process.exitCode = await runServe(opts);
    });

  const sandbox = program.command('sandbox').description('a local Kubernetes API that serves training scenarios or a snapshot folder');
  sandbox
    .command('list')
    .description('name the built-in training scenarios')
    .option('--json', 'print JSON for scripts')
    .action(async (opts) => {
      const { runSandboxList } = await import('./commands/sandbox');
      process.exitCode = await runSandboxList(opts);
    });
  sandbox
    .command('start')
    .description('serve a scenario (default healthy) or a snapshot folder until Ctrl+C')
    .argument('[dir]', 'a snapshot folder (resources/, logs/, scenario.yaml) or an unpacked bundle\'s cluster/ folder')
    .option('--scenario <name>', 'a built-in scenario (see roadside sandbox list)')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', parsePositiveInt('--port', 1, 65535))
    .option('--kubeconfig-out <file>', 'also write the kubeconfig (context roadside-sandbox) to this file')
    .option('--json', 'print the status as JSON')
    .action(async (dir, opts) => {
      const { runSandboxStart } = await import('./commands/sandbox');
      process.exitCode = await runSandboxStart(dir, opts);
    });
  sandbox
    .command('status')
    .description('say whether a sandbox is running and where')
    .option('--json', 'print JSON for scripts')
    .action(async (opts) => {
      const { runSandboxStatus } = await import('./commands/sandbox');
      process.exitCode = await runSandboxStatus(opts);
    });

  program
    .command('checks')
    .description("list the runbook's checks: id, section, severity, title")
    .option('--json', 'print JSON for scripts')
    .action(async (opts) => {
      const { runChecksList } = await import('./commands/diagnose');
      process.exitCode = await runChecksList(opts);
    });

  program
    .command('diagnose')
    .description("run the runbook's diagnoses against a context and namespace")
    .option('--context <name>', 'kubeconfig context (default: the one selected in Roadside, else current-context)')
    .option('--namespace <ns>', 'namespace of the traffic-system (default: traffic-system)')
    .option('--section <section>', 'only this section (repeatable): connectivity, database, performance, storage, auth, network, monitoring, cluster', collect, [])
    .option('--check <id>', 'only this check (repeatable), e.g. storage.pvc-usage', collect, [])
    .option('--param <key=value>', 'a check parameter (repeatable), e.g. username=ana for auth.app-user-permissions', collect, [])
    .option('--json', 'print JSON for scripts')
    .option('--concurrency <n>', 'checks run at once (default 10)', parsePositiveInt('--concurrency', 1, 32))
    .option('--timeout <ms>', 'timeout per check in ms (default 15000)', parsePositiveInt('--timeout', 500, 300_000))
    .option('--incident <id>', 'record the run and its findings to this incident\'s timeline')
    .option('--kubeconfig <file>', 'also read this kubeconfig file (repeatable)', collect, [])
    .addHelpText('after', '\nExit codes: 0 nothing failed, 1 a check failed, 2 bad usage, 3 cluster unreachable or credentials refused.')
    .action(async (opts) => {
      // --bastion, --ssh-*, --node*: this run's SSH access (over what the app remembers).
      (await import('./commands/ssh')).applySshFlags(opts);
      const { runDiagnose } = await import('./commands/diagnose');
      process.exitCode = await runDiagnose(opts);
    });

  addSshFlags(program.commands.find((c) => c.name() === 'diagnose')!);
  registerSshCommands(program);
  registerIncidentCommands(program);
  registerReportCommands(program);
  registerActionCommands(program);
  registerObserveCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    const code = exitCodeFor(err);
    process.stderr.write(`roadside: ${(err as Error).message}\n`);
    return code;
  }
}

// Run when this module is the program (the bin script imports it and calls main itself).
export default main;
