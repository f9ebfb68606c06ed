import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { version } from '../../../package.json';
import { resolveDataDir } from '../data-folder';
import { RoadsideService } from '../service';
import { CliError, EXIT_USAGE } from './io';

export const ROADSIDE_VERSION: string = version;

/** The core as the CLI and `serve` use it: data in $XDG_DATA_HOME/roadside unless ROADSIDE_HOME is set. */
export function createCliService(opts: { kubeconfig?: string[]; door?: 'cli' | 'browser' } = {}): RoadsideService {
  const sessionFiles = (opts.kubeconfig ?? []).map((f) => {
    const abs = resolve(f);
    if (!existsSync(abs)) throw new CliError(`--kubeconfig ${f}: file not found`, EXIT_USAGE);
    if (!statSync(abs).isFile()) throw new CliError(`--kubeconfig ${f}: not a file`, EXIT_USAGE);
    return abs;
  });
  return new RoadsideService({
    dataDir: resolveDataDir(),
    door: opts.door ?? 'cli',
    version: ROADSIDE_VERSION,
    kubeconfig: { sessionFiles },
  });
}
