// `roadside ssh test` and the SSH flags of `roadside diagnose`.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseHostPort, parseUserHostPort, type SshTestStep } from '../../../shared/ssh';
import { setProcessSshOptions, type SshOverrides } from '../../ssh/process-options';
import { createCliService } from '../service-factory';
import { CliError, color, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, printJson } from '../io';

export interface SshFlags {
  bastion?: string;
  node?: string[];
  nodeAddress?: string[];
  sshUser?: string;
  sshKey?: string;
  acceptNewHostKey?: boolean;
}

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Turns the flags into this process's SSH overrides (validated; nothing is saved). */
export function applySshFlags(flags: SshFlags): void {
  const overrides: SshOverrides = {};
  if (flags.bastion) {
    const b = parseUserHostPort(flags.bastion);
    if (!b) throw new CliError(`--bastion must look like user@host[:port], got "${flags.bastion}"`, EXIT_USAGE);
    overrides.bastion = b;
  }
  if (flags.sshKey) overrides.keyFile = flags.sshKey;
  if (flags.sshUser) {
    if (!/^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(flags.sshUser)) throw new CliError(`--ssh-user "${flags.sshUser}" is not a user name`, EXIT_USAGE);
    overrides.nodeUser = flags.sshUser;
  }
  for (const item of flags.nodeAddress ?? []) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq);
    const address = item.slice(eq + 1);
    if (eq < 1 || !NODE_NAME.test(name) || !parseHostPort(address)) throw new CliError(`--node-address must look like NAME=HOST[:PORT], got "${item}"`, EXIT_USAGE);
    (overrides.nodeAddresses ??= {})[name] = address;
  }
  for (const name of flags.node ?? []) {
    if (!NODE_NAME.test(name)) throw new CliError(`--node "${name}" is not a node name`, EXIT_USAGE);
    (overrides.nodes ??= []).push(name);
  }
  setProcessSshOptions({
    overrides,
    acceptNewHostKeys: !!flags.acceptNewHostKey,
    // A passphrase is asked on a terminal only, and kept for this process only.
    ...(process.stdin.isTTY ? { passphrasePrompt: askPassphrase } : {}),
  });
}

function askPassphrase(keyFile: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let muted = false;
    const output = new Writable({
      write(chunk, _enc, cb) {
        if (!muted) process.stderr.write(chunk);
        cb();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    rl.question(`Passphrase for ${keyFile}: `, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer ? answer : undefined);
    });
    muted = true;
    rl.on('SIGINT', () => {
      rl.close();
      resolve(undefined);
    });
  });
}

const MARK: Record<SshTestStep['status'], string> = { ok: color.green('✔ ok  '), failed: color.red('✖ fail'), skipped: color.dim('- skip') };
const LABEL: Record<SshTestStep['kind'], string> = {
  'bastion-reachable': 'bastion reachable',
  'bastion-auth': 'bastion login',
  'api-through-tunnel': 'API through tunnel',
  node: 'node',
};

export interface SshTestOptions extends SshFlags {
  context?: string;
  kubeconfig: string[];
  json?: boolean;
}

export async function runSshTest(opts: SshTestOptions): Promise<number> {
  applySshFlags(opts);
  const service = createCliService({ kubeconfig: opts.kubeconfig });
  try {
    const context = opts.context ?? service.contextKubeConfig().name;
    const report = await service.call('ssh.test', { context, ...(opts.node?.length ? { nodes: opts.node } : {}) });
    if (opts.json) printJson(report);
    else {
      process.stdout.write(color.bold(`SSH access of ${report.context}\n`));
      for (const step of report.steps) {
        process.stdout.write(`  ${MARK[step.status]}  ${`${LABEL[step.kind]} ${step.target}`.padEnd(44)} ${step.detail}\n`);
        if (step.code === 'unknown-host-key') process.stdout.write(color.yellow(`           → check the fingerprint, then run again with --accept-new-host-key to save it to Roadside's known_hosts\n`));
      }
      process.stdout.write(report.ok ? color.green('\nEverything configured works.\n') : color.red('\nSomething does not work (see above).\n'));
    }
    return report.ok ? EXIT_OK : EXIT_UNREACHABLE;
  } finally {
    await service.shutdown();
  }
}
