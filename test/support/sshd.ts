// A real OpenSSH server (Debian's /usr/sbin/sshd) on 127.0.0.1 for integration tests: generated
// host and client keys in a temp dir, a free port, stopped (and its temp dir removed) by stop().
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export function sshdAvailable(): boolean {
  return existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen');
}

export interface TestSshd {
  port: number;
  dir: string;
  user: string;
  /** The client key sshd accepts (no passphrase). */
  clientKeyFile: string;
  /** The host's public key line ("ssh-ed25519 AAAA…"). */
  hostPublicKey: string;
  /** "SHA256:…" of the host key. */
  hostFingerprint: string;
  /** A known_hosts line for this server, plain ([127.0.0.1]:port) or hashed (|1|salt|hash). */
  knownHostsLine(hashed?: boolean): string;
  /** A new key pair sshd does not accept. */
  makeKey(name: string, passphrase?: string): string;
  /** Ends every connection sshd is serving (kills its per-connection processes). */
  dropConnections(): number;
  /** Processes under sshd's per-connection children whose command line contains `text`. */
  descendantsRunning(text: string): number[];
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function keygen(file: string, passphrase = ''): void {
  execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'roadside-test', '-f', file], { stdio: 'ignore' });
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function descendantsOf(pid: number): number[] {
  const all: number[] = [];
  const queue = childrenOf(pid);
  while (queue.length) {
    const p = queue.shift()!;
    all.push(p);
    queue.push(...childrenOf(p));
  }
  return all;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export async function startSshd(opts: { timeoutMs?: number } = {}): Promise<TestSshd> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'roadside-sshd-'));
  const user = userInfo().username;
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'client_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_ed25519.pub')), { mode: 0o600 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'PermitOpen any',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  const hostPublicKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const blob = Buffer.from(hostPublicKey.split(' ')[1], 'base64');
  const hostFingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sshd did not start within ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (/Server listening on 127\.0\.0\.1 port/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code} before listening:\n${log}`));
    });
  });

  return {
    port,
    dir,
    user,
    clientKeyFile: join(dir, 'client_ed25519'),
    hostPublicKey,
    hostFingerprint,
    knownHostsLine(hashed = false) {
      const name = `[127.0.0.1]:${port}`;
      if (!hashed) return `${name} ${hostPublicKey}`;
      const salt = randomBytes(20);
      return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')} ${hostPublicKey}`;
    },
    makeKey(name, passphrase = '') {
      const file = join(dir, name);
      keygen(file, passphrase);
      return file;
    },
    dropConnections() {
      // Only sshd's own processes: the commands they ran are left to end by themselves, as on a
      // real host (killing a shell mid-startup could leave its lock files behind).
      const victims = descendantsOf(child.pid!).filter((pid) => cmdline(pid).startsWith('sshd'));
      for (const pid of victims.reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return victims.length;
    },
    descendantsRunning(text) {
      return descendantsOf(child.pid!).filter((pid) => cmdline(pid).includes(text));
    },
    async stop() {
      for (const pid of descendantsOf(child.pid!).filter((p) => cmdline(p).startsWith('sshd')).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
