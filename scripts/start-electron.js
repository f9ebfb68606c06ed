#!/usr/bin/env node
// `npm start`: build, make sure the Electron binary is there, open the window.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

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

// better-sqlite3 is built for Node (the CLI and the tests); Electron needs its own
// build. Keep it beside, not over, the Node one so `npm test` keeps working.
function electronSqliteBinding() {
  const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
  const target = join(root, 'node_modules/.roadside-electron', `better_sqlite3-electron-${electronVersion}-${process.platform}-${process.arch}.node`);
  if (existsSync(target)) return target;
  process.stdout.write(`Preparing SQLite for Electron ${electronVersion} (first start only)…\n`);
  const work = mkdtempSync(join(tmpdir(), 'roadside-sqlite-'));
  cpSync(join(root, 'node_modules/better-sqlite3'), work, { recursive: true });
  rmSync(join(work, 'build'), { recursive: true, force: true });
  const args = ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch];
  let r = spawnSync(join(root, 'node_modules/.bin/prebuild-install'), args, { cwd: work, stdio: 'inherit' });
  if (r.status !== 0) {
    r = spawnSync(join(root, 'node_modules/.bin/node-gyp'), ['rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'], { cwd: work, stdio: 'inherit' });
  }
  const built = join(work, 'build/Release/better_sqlite3.node');
  if (r.status !== 0 || !existsSync(built)) {
    process.stderr.write('Could not prepare SQLite for Electron; incidents will not open in the desktop app. `npx roadside serve` still works.\n');
    return undefined;
  }
  mkdirSync(dirname(target), { recursive: true });
  cpSync(built, target);
  rmSync(work, { recursive: true, force: true });
  return target;
}

const binding = electronSqliteBinding();
const child = spawn(process.execPath, [join(root, 'node_modules/electron/cli.js'), root], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ...(binding ? { ROADSIDE_SQLITE_BINDING: binding } : {}) },
});
child.on('exit', (code) => process.exit(code ?? 0));
