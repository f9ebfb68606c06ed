import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Where Roadside keeps its data: ROADSIDE_HOME wins; else Electron's userData
 * (passed by the desktop door); else $XDG_DATA_HOME/roadside (CLI and serve).
 */
export function resolveDataDir(electronUserData?: string): string {
  if (process.env.ROADSIDE_HOME) return process.env.ROADSIDE_HOME;
  if (electronUserData) return electronUserData;
  const xdg = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(xdg, 'roadside');
}

/** Writes a file so that a crash leaves either the old or the new content, never half of it. */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, file);
}

export function readTextIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
