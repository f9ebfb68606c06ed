// SSH sessions against Debian's real OpenSSH server on 127.0.0.1: host-key policy with
// known_hosts (plain, hashed, [host]:port), login refusals, command timeouts and drops.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshError } from '../../src/main/ssh/errors';
import { SshSession, type HostKeyCheck } from '../../src/main/ssh/session';
import { NODE_COMMANDS, type NodeCommand } from '../../src/main/ssh/node-commands';
import { startSshd, sshdAvailable, type TestSshd } from '../support/sshd';

const available = sshdAvailable();

describe.skipIf(!available)('SSH sessions against a real sshd', () => {
  let sshd: TestSshd;
  let home: string;

  beforeAll(async () => {
    sshd = await startSshd();
    home = mkdtempSync(join(tmpdir(), 'roadside-ssh-home-'));
    mkdirSync(join(home, '.ssh'));
  });
  afterAll(async () => {
    await sshd?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const hostKeys = (files: string[], onUnknown: HostKeyCheck['onUnknown'] = 'refuse'): HostKeyCheck => ({ files, roadsideFile: join(home, 'roadside_known_hosts'), onUnknown });
  const open = (keys: HostKeyCheck, keyFile = sshd.clientKeyFile) =>
    SshSession.open({ host: '127.0.0.1', port: sshd.port, user: sshd.user, label: 'node test', auth: { keyFile }, hostKeys: keys, connectTimeoutMs: 3_000, authTimeoutMs: 5_000 });

  it('trusts a host listed in ~/.ssh/known_hosts with a hashed [host]:port entry, and runs df', async () => {
    const file = join(home, '.ssh', 'known_hosts');
    writeFileSync(file, `# other hosts\nexample.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n${sshd.knownHostsLine(true)}\n`);
    const session = await open(hostKeys([file]));
    try {
      expect(session.hostKeyFingerprint).toBe(sshd.hostFingerprint);
      const r = await session.exec(NODE_COMMANDS.diskUsage);
      expect(r.stdout).toMatch(/^Filesystem\s+1024-blocks\s+Used\s+Available\s+Capacity\s+Mounted on/m);
      expect(r.stdout).toMatch(/\s\/\n/);
    } finally {
      await session.close();
    }
  });

  it('refuses an unknown host key and shows its SHA256 fingerprint', async () => {
    const err = await open(hostKeys([join(home, 'empty_known_hosts')])).catch((e) => e);
    expect(err).toBeInstanceOf(SshError);
    expect(err.code).toBe('unknown-host-key');
    expect(err.message).toContain(sshd.hostFingerprint);
    expect(err.hostKey.fingerprint).toBe(sshd.hostFingerprint);
  });

  it('accepts an unknown key when told to, writes it (hashed) to Roadside\'s file, and trusts it next time', async () => {
    const roadsideFile = join(home, 'roadside_known_hosts');
    rmSync(roadsideFile, { force: true });
    const first = await open(hostKeys([roadsideFile], 'accept-and-remember'));
    await first.close();
    const written = readFileSync(roadsideFile, 'utf8');
    expect(written).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    expect(written).not.toContain('127.0.0.1');
    const again = await open(hostKeys([roadsideFile], 'refuse'));
    expect(again.hostKeyFingerprint).toBe(sshd.hostFingerprint);
    await again.close();
  });

  it('refuses a changed host key, always, naming both fingerprints', async () => {
    const file = join(home, 'changed_known_hosts');
    const otherKey = sshd.makeKey('other_host_key');
    const otherPub = readFileSync(`${otherKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    writeFileSync(file, `[127.0.0.1]:${sshd.port} ${otherPub}\n`);
    const err = await open(hostKeys([file], 'accept-and-remember')).catch((e) => e);
    expect(err.code).toBe('changed-host-key');
    expect(err.message).toContain(sshd.hostFingerprint);
    expect(err.hostKey.knownFingerprints).toHaveLength(1);
    expect(err.message).toContain(err.hostKey.knownFingerprints[0]);
    expect(err.hostKey.knownFingerprints[0]).not.toBe(sshd.hostFingerprint);
  });

  it('refuses a key sshd does not accept with a clear message', async () => {
    const file = join(home, '.ssh', 'known_hosts');
    const wrong = sshd.makeKey('wrong_client_key');
    const err = await open(hostKeys([file]), wrong).catch((e) => e);
    expect(err.code).toBe('auth-failed');
    expect(err.message).toMatch(new RegExp(`refused the login of "${sshd.user}" \\(offered key .*wrong_client_key\\)`));
  });

  it('asks for the passphrase of an encrypted key only when needed, and says so when none is given', async () => {
    const file = join(home, '.ssh', 'known_hosts');
    const locked = sshd.makeKey('locked_key', 'correct horse');
    const err = await SshSession.open({ host: '127.0.0.1', port: sshd.port, user: sshd.user, label: 'node test', auth: { keyFile: locked }, hostKeys: hostKeys([file]) }).catch((e) => e);
    expect(err.code).toBe('passphrase-needed');
    expect(err.message).toContain('ssh-add');
  });

  it('ends a command that hangs at its timeout, and the session stays usable', async () => {
    const session = await open(hostKeys([join(home, '.ssh', 'known_hosts')]));
    try {
      const hang: NodeCommand = { id: 'test-hang', line: 'sleep 5.5', purpose: 'test only', timeoutMs: 400 };
      const t0 = Date.now();
      const err = await session.exec(hang).catch((e) => e);
      expect(err.code).toBe('command-timeout');
      expect(err.message).toContain('did not finish within 400 ms');
      expect(Date.now() - t0).toBeLessThan(3_000);
      const r = await session.exec(NODE_COMMANDS.hostname);
      expect(r.exitCode).toBe(0);
    } finally {
      await session.close();
    }
  });

  it('reports a connection dropped mid-command as dropped, with the reason', async () => {
    const session = await open(hostKeys([join(home, '.ssh', 'known_hosts')]));
    const long: NodeCommand = { id: 'test-long', line: 'sleep 6.5', purpose: 'test only', timeoutMs: 20_000 };
    const running = session.exec(long).catch((e) => e);
    await waitFor(() => sshd.descendantsRunning('sleep 6.5').length > 0, 5_000);
    expect(sshd.dropConnections()).toBeGreaterThan(0);
    const err = await running;
    expect(err.code).toBe('dropped');
    expect(err.message).toContain('dropped while running "sleep 6.5"');
    expect(session.isOpen).toBe(false);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
