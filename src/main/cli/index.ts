// The `roadside` command. Subcommands load their modules lazily so that
// `roadside --help` and simple commands start fast.
import { Command, CommanderError, Option } from 'commander';
import { version } from '../../../package.json';
import { CliError, collect, EXIT_OK, EXIT_USAGE, exitCodeFor, parsePositiveInt } from './io';

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
