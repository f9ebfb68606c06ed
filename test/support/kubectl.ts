import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The machine image ships real kubectl binaries (kubectl.1.27 … kubectl.1.33)
 * beside a dispatcher on PATH; tests call a real binary directly.
 */
export function findKubectl(minor = 33): string {
  const onPath = execFileSync('bash', ['-lc', 'command -v kubectl || true'], { encoding: 'utf8' }).trim();
  if (onPath) {
    const dir = dirname(realpathSync(onPath));
    const exact = join(dir, `kubectl.1.${minor}`);
    if (existsSync(exact)) return exact;
    for (let m = 33; m >= 27; m--) {
      const candidate = join(dir, `kubectl.1.${m}`);
      if (existsSync(candidate)) return candidate;
    }
    return onPath;
  }
  throw new Error('kubectl is not installed: the tests compare Roadside with the real kubectl');
}
