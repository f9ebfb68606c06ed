import { accessSync, constants, existsSync, copyFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RoadsideError } from '../../errors';
import { CliError, color, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, printJson, untilInterrupted } from '../io';
import { createCliService } from '../service-factory';

function refusedExit(err: unknown): never {
  if (err instanceof RoadsideError && (err as { name?: string }).name === 'BundleRefusedError') throw new CliError(err.message, EXIT_FINDINGS);
  throw err;
}

export async function runBundleVerify(file: string, opts: { json?: boolean }): Promise<number> {
  const service = createCliService();
  const { verifyBundle } = await import('../../report/bundle-reader');
  const opened = await verifyBundle(file).catch(refusedExit);
  void service;
  if (opts.json) {
    printJson({ verified: true, path: opened.path, size: opened.size, manifest: opened.manifest });
    return EXIT_OK;
  }
  const m = opened.manifest;
  const bytes = m.files.reduce((a, f) => a + f.size, 0);
  process.stdout.write(
    `${color.green('verified')} ${opened.path}\n` +
      `  ${m.files.length} files (${bytes} bytes) match manifest.json (sha256)\n` +
      `  format ${m.format}, written ${m.createdAt} by Roadside ${m.roadsideVersion}\n` +
      `  incident ${m.incidentId}: ${m.incidentTitle}\n` +
      `  level ${m.level} via ${m.channel}, engineer ${m.engineer}\n` +
      `  cluster ${m.context ?? '(none)'} / ${m.namespace}${m.liveError ? ` (live collection failed: ${m.liveError})` : ''}\n`,
  );
  return EXIT_OK;
}

export async function runBundleReplay(file: string, opts: { port?: number; kubeconfigOut?: string; json?: boolean }): Promise<number> {
  if (opts.kubeconfigOut) {
    const folder = dirname(resolve(opts.kubeconfigOut));
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new CliError(`--kubeconfig-out ${opts.kubeconfigOut}: folder ${folder} does not exist`, EXIT_USAGE);
    try {
      accessSync(folder, constants.W_OK);
    } catch {
      throw new CliError(`--kubeconfig-out ${opts.kubeconfigOut}: folder ${folder} is not writable`, EXIT_USAGE);
    }
  }
  const service = createCliService();
  const replay = await service.call('bundle.replay', { path: resolve(file), ...(opts.port ? { port: opts.port } : {}) }).catch(refusedExit);
  const interrupted = untilInterrupted();
  const status = replay.sandbox;
  const kubeconfig = opts.kubeconfigOut ?? status.kubeconfig!;
  if (opts.kubeconfigOut) copyFileSync(status.kubeconfig!, opts.kubeconfigOut);
  if (opts.json) printJson({ extractedTo: replay.extractedTo, ...status, kubeconfig });
  else {
    process.stdout.write(
      `${color.bold('Roadside sandbox')} replaying ${color.cyan(file)} on ${status.url} (127.0.0.1 only)\n` +
        `Unpacked (verified) in ${replay.extractedTo}\n\n` +
        `Point kubectl at it:\n\n  export KUBECONFIG=${kubeconfig}\n  kubectl get pods -n traffic-system\n\n` +
        `The context is "${status.context}"; it also appears in Roadside's Clusters list while this runs.\n`,
    );
  }
  for (const s of status.skipped) process.stderr.write(`${color.yellow('skipped')} ${s.file}${s.line ? `:${s.line}` : ''}: ${s.reason}\n`);
  if (!opts.json) process.stdout.write(color.dim('\nPress Ctrl+C to stop.\n'));
  await interrupted;
  await service.call('sandbox.stop', {});
  if (!opts.json) process.stdout.write('Sandbox stopped.\n');
  return EXIT_OK;
}
