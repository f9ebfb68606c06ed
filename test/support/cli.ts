import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROADSIDE_BIN = resolve(__dirname, '../../bin/roadside.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `roadside` command as a user would, bounded in time. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [ROADSIDE_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`roadside ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? -1, stdout, stderr });
    });
  });
}

export interface RunningCli {
  output(): string;
  /** Sends SIGINT (Ctrl+C) and waits for the exit code. */
  interrupt(): Promise<number>;
  kill(): void;
}

/** Starts a long-running `roadside` command and resolves once its output matches `ready`. */
export function startCli(args: string[], env: Record<string, string | undefined>, ready: RegExp, timeoutMs = 30_000): Promise<RunningCli> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, [ROADSIDE_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let started = false;
    const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`roadside ${args.join(' ')} was not ready within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      if (!started && ready.test(out)) {
        started = true;
        clearTimeout(timer);
        resolveStart({
          output: () => out,
          interrupt: async () => {
            child.kill('SIGINT');
            return exited;
          },
          kill: () => child.kill('SIGKILL'),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`roadside ${args.join(' ')} exited with ${code} before it was ready:\n${out}`));
      }
    });
  });
}
