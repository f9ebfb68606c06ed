#!/usr/bin/env node
// `npm start`: build, make sure the Electron binary is there, open the window.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const build = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

if (!existsSync(join(root, 'node_modules/electron/path.txt'))) {
  process.stdout.write('Downloading the Electron binary (first start only)…\n');
  const install = spawnSync(process.execPath, [join(root, 'node_modules/electron/install.js')], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0 || !existsSync(join(root, 'node_modules/electron/path.txt'))) {
    process.stderr.write(
      '\nThe Electron binary could not be downloaded on this machine.\n' +
        'You can still use Roadside in a browser:  npx roadside serve\n',
    );
    process.exit(3);
  }
}

const child = spawn(process.execPath, [join(root, 'node_modules/electron/cli.js'), root], { cwd: root, stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
