import { startHost } from '../../host/http';
import { createCliService } from '../service-factory';
import { color, EXIT_OK, untilInterrupted } from '../io';

export interface ServeOptions {
  port?: number;
  kubeconfig?: string[];
}

export async function runServe(opts: ServeOptions): Promise<number> {
  const service = createCliService({ kubeconfig: opts.kubeconfig, door: 'browser' });
  const host = await startHost({ service, port: opts.port });
  const interrupted = untilInterrupted();
  process.stdout.write(
    `Roadside is serving its UI on ${host.url} (127.0.0.1 only).\n` +
      `Open this URL in your browser (it carries this launch's token):\n\n  ${color.bold(host.launchUrl)}\n\n` +
      color.dim('Press Ctrl+C to stop.\n'),
  );
  await interrupted;
  await host.close();
  await service.shutdown();
  process.stdout.write('Stopped.\n');
  return EXIT_OK;
}
