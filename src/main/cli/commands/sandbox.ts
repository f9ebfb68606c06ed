import { createCliService } from '../service-factory';
import { CliError, color, EXIT_OK, EXIT_USAGE, formatTable, printJson, untilInterrupted } from '../io';

function language(): 'es' | 'en' {
  const lang = process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '';
  return lang.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export async function runSandboxList(opts: { json?: boolean }): Promise<number> {
  const service = createCliService();
  const scenarios = await service.call('sandbox.scenarios', {});
  if (opts.json) {
    printJson(scenarios);
    return EXIT_OK;
  }
  const lang = language();
  process.stdout.write(formatTable(['NAME', 'TITLE', 'DESCRIPTION'], scenarios.map((s) => [s.name, s.title[lang], s.description[lang] || s.description.en])));
  return EXIT_OK;
}

export interface SandboxStartOptions {
  scenario?: string;
  port?: number;
  kubeconfigOut?: string;
  json?: boolean;
}

export async function runSandboxStart(dir: string | undefined, opts: SandboxStartOptions): Promise<number> {
  if (dir && opts.scenario) throw new CliError('give --scenario NAME or a snapshot folder, not both', EXIT_USAGE);
  if (opts.kubeconfigOut) {
    const { accessSync, constants, existsSync, statSync } = await import('node:fs');
    const { dirname, resolve } = await import('node:path');
    const target = resolve(opts.kubeconfigOut);
    const folder = dirname(target);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new CliError(`--kubeconfig-out ${opts.kubeconfigOut}: folder ${folder} does not exist`, EXIT_USAGE);
    try {
      accessSync(folder, constants.W_OK);
    } catch {
      throw new CliError(`--kubeconfig-out ${opts.kubeconfigOut}: folder ${folder} is not writable`, EXIT_USAGE);
    }
  }
  const service = createCliService();
  const status = await service.call('sandbox.start', {
    ...(opts.scenario ? { scenario: opts.scenario } : {}),
    ...(dir ? { dir } : {}),
    ...(opts.port ? { port: opts.port } : {}),
  });
  const interrupted = untilInterrupted();
  const kubeconfig = opts.kubeconfigOut ?? status.kubeconfig!;
  if (opts.kubeconfigOut) {
    const { copyFileSync } = await import('node:fs');
    copyFileSync(status.kubeconfig!, opts.kubeconfigOut);
  }
  if (opts.json) {
    printJson({ ...status, kubeconfig });
  } else {
    process.stdout.write(
      `${color.bold('Roadside sandbox')} serving ${color.cyan(status.source ?? '')} on ${status.url} (127.0.0.1 only)\n\n` +
        `Point kubectl at it:\n\n  export KUBECONFIG=${kubeconfig}\n  kubectl get pods -n traffic-system\n\n` +
        `The context is "${status.context}"; it also appears in Roadside's Clusters list while this runs.\n`,
    );
    const users = service.sandbox.users();
    if (users.length > 1) {
      process.stdout.write(`\nUsers of this scenario (use with kubectl --token):\n`);
      for (const u of users) process.stdout.write(`  ${u.name.padEnd(20)} --token=${u.token}\n`);
    }
  }
  if (!opts.json) {
    if (status.skipped.length) process.stdout.write(`\n${color.yellow(`${status.skipped.length} file(s) could not be read and were skipped:`)}\n`);
    for (const s of status.skipped) process.stdout.write(`  ${color.yellow('skipped')} ${s.file}${s.line ? `:${s.line}` : ''}: ${s.reason}\n`);
    process.stdout.write(color.dim('\nPress Ctrl+C to stop.\n'));
  }
  await interrupted;
  await service.call('sandbox.stop', {});
  if (!opts.json) process.stdout.write('Sandbox stopped.\n');
  return EXIT_OK;
}

export async function runSandboxStatus(opts: { json?: boolean }): Promise<number> {
  const status = await createCliService().call('sandbox.status', {});
  if (opts.json) printJson(status);
  else if (!status.running) process.stdout.write('No sandbox is running. Start one with: roadside sandbox start --scenario healthy\n');
  else process.stdout.write(`Sandbox ${status.source} on ${status.url} (pid ${status.pid}), kubeconfig ${status.kubeconfig}\n`);
  return EXIT_OK;
}
