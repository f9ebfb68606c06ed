// Starts the real `roadside serve` (the built CLI) as a child process and reads the URL it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServedRoadside {
  launchUrl: string;
  baseUrl: string;
  token: string;
  home: string;
  output(): string;
  stop(): Promise<void>;
}

export const ROADSIDE_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/roadside.js');

export async function startServe(env: Record<string, string>, args: string[] = []): Promise<ServedRoadside> {
  const home = mkdtempSync(join(tmpdir(), 'roadside-e2e-home-'));
  const child: ChildProcess = spawn(process.execPath, [ROADSIDE_BIN, 'serve', ...args], {
    env: { ...process.env, ROADSIDE_HOME: home, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const launchUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`roadside serve printed no URL within 15 s:\n${out}`)), 15_000);
    const onData = () => {
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`roadside serve exited with ${code}:\n${out}`)));
  });
  const url = new URL(launchUrl);
  return {
    launchUrl,
    baseUrl: `${url.protocol}//${url.host}`,
    token: url.searchParams.get('token')!,
    home,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
