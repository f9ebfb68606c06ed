// A GUI started from a desktop launcher inherits a minimal PATH, so exec
// credential plugins (gke-gcloud-auth-plugin, aws, kubelogin) are "not found".
// Ask the login shell once for its PATH, as Headlamp and Freelens do.
import { execFile } from 'node:child_process';
import { delimiter } from 'node:path';

export function mergePaths(current: string, fromShell: string): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of [...fromShell.split(delimiter), ...current.split(delimiter)]) {
    if (dir && !seen.has(dir)) {
      seen.add(dir);
      out.push(dir);
    }
  }
  return out.join(delimiter);
}

export function readLoginShellPath(timeoutMs = 3000): Promise<string | undefined> {
  if (process.platform === 'win32') return Promise.resolve(undefined);
  const shell = process.env.SHELL || '/bin/sh';
  const marker = '__ROADSIDE_PATH__';
  return new Promise((resolvePath) => {
    execFile(
      shell,
      ['-ilc', `printf '${marker}%s${marker}' "$PATH"`],
      { timeout: timeoutMs, env: { ...process.env, DISABLE_AUTO_UPDATE: 'true' }, maxBuffer: 1024 * 1024 },
      (err, stdout) => {
        if (err) return resolvePath(undefined);
        const m = stdout.match(new RegExp(`${marker}(.*)${marker}`, 's'));
        resolvePath(m?.[1] || undefined);
      },
    );
  });
}

/** Extends process.env.PATH with the login shell's PATH; never fails, never takes longer than the timeout. */
export async function adoptLoginShellPath(timeoutMs = 3000): Promise<void> {
  const shellPath = await readLoginShellPath(timeoutMs);
  if (shellPath) process.env.PATH = mergePaths(process.env.PATH ?? '', shellPath);
}
