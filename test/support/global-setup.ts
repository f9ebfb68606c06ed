// CLI tests run the built `roadside` command; build once if it is missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(__dirname, '../..');
  if (!existsSync(join(root, 'out/main/cli.js'))) {
    execFileSync(join(root, 'node_modules/.bin/electron-vite'), ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
}
