// `roadside ssh …` and the SSH flags shared with `roadside diagnose`; the work lives in commands/ssh.ts.
import type { Command } from 'commander';
import { collect } from './io';

/** The SSH flags (a contract): they override what the app remembers for the context. */
export function addSshFlags(command: Command): Command {
  return command
    .option('--bastion <user@host[:port]>', 'reach the API server through this SSH bastion (overrides the remembered one)')
    .option('--node <name>', 'only this node for node checks (repeatable)', collect, [])
    .option('--node-address <name=host[:port]>', "dial this node here (repeatable); needed for the sandbox, whose node addresses are never dialled", collect, [])
    .option('--ssh-user <user>', 'user on the nodes (turns node checks on)')
    .option('--ssh-key <file>', 'private key for the bastion and the nodes (default: ssh-agent via SSH_AUTH_SOCK)')
    .option('--accept-new-host-key', "accept a host key seen for the first time and save it to Roadside's known_hosts (a changed key is always refused)");
}

export function registerSshCommands(program: Command): void {
  const ssh = program.command('ssh').description('SSH access to a context: bastion tunnel to the API server, node access for node checks');
  addSshFlags(
    ssh
      .command('test')
      .description('say what works: bastion reachable, logged in, the API through the tunnel, each node reachable')
      .option('--context <name>', 'kubeconfig context (default: the one selected in Roadside)')
      .option('--kubeconfig <file>', 'also read this kubeconfig file (repeatable)', collect, [])
      .option('--json', 'print JSON for scripts'),
  )
    .addHelpText('after', '\nExit codes: 0 everything configured works, 2 bad usage, 3 something could not be reached, logged in to, or trusted.')
    .action(async (opts) => {
      const { runSshTest } = await import('./commands/ssh');
      process.exitCode = await runSshTest(opts);
    });
}
