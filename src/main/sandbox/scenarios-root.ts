import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function findUpwards(start: string, relative: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, relative);
    if (isDirectory(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Folder holding the built-in scenarios. `ROADSIDE_SCENARIOS_DIR` wins; otherwise the first
 * `resources/scenarios` found walking up from this module (source tree or `out/main` of the
 * built app), from Electron's resources folder of a packaged app, or from the working directory.
 */
export function scenariosRoot(): string {
  const fromEnv = process.env.ROADSIDE_SCENARIOS_DIR;
  if (fromEnv) {
    if (!isDirectory(fromEnv)) throw new Error(`ROADSIDE_SCENARIOS_DIR=${fromEnv} is not a folder`);
    return resolve(fromEnv);
  }
  const starts: string[] = [];
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // Bundled as CommonJS: import.meta.url is not a file URL; the other starts still apply.
  }
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resourcesPath && isDirectory(join(resourcesPath, 'scenarios'))) return join(resourcesPath, 'scenarios');
  starts.push(process.cwd());
  for (const start of starts) {
    const found = findUpwards(start, join('resources', 'scenarios'));
    if (found && existsSync(join(found, 'healthy'))) return found;
  }
  throw new Error(
    `built-in scenarios not found: set ROADSIDE_SCENARIOS_DIR or run from a folder below the app (looked upwards from ${starts.join(', ')} for resources/scenarios)`,
  );
}
