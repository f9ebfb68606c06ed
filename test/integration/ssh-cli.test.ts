// `roadside ssh test` and `roadside diagnose` with SSH flags, as a user runs them, against a real
// sshd on 127.0.0.1 and a sandbox served from a kubeconfig file.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnoseResult } from '../../src/shared/checks';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import { runCli } from '../support/cli';
import { startSshd, sshdAvailable, type TestSshd } from '../support/sshd';

describe.skipIf(!sshdAvailable())('roadside ssh test and diagnose --ssh-*', () => {
  let sshd: TestSshd;
  let sandbox: RunningSandbox;
  let root: string;
  let kubeconfig: string;

  beforeAll(async () => {
    [sshd, sandbox] = await Promise.all([startSshd(), loadScenario('healthy').then((snapshot) => startSandbox({ snapshot, port: 0 }))]);
    root = mkdtempSync(join(tmpdir(), 'roadside-ssh-cli-'));
    kubeconfig = join(root, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, sandbox.kubeconfigYaml({ namespace: 'traffic-system' }));
  });
  afterAll(async () => {
    await Promise.all([sshd?.stop(), sandbox?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  /** A fresh engineer: own HOME (known_hosts) and data folder. */
  function user(name: string) {
    const home = join(root, name, 'home');
    const data = join(root, name, 'data');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    mkdirSync(data, { recursive: true });
    const env = { HOME: home, ROADSIDE_HOME: data, KUBECONFIG: kubeconfig, SSH_AUTH_SOCK: undefined };
    return { home, data, env };
  }

  const nodeFlags = () => ['--context', 'roadside-sandbox', '--node', 'worker-1', '--node-address', `worker-1=127.0.0.1:${sshd.port}`, '--ssh-user', sshd.user, '--ssh-key', sshd.clientKeyFile];

  it('refuses an unknown host key with its fingerprint; accepts and remembers it with --accept-new-host-key', async () => {
    const u = user('ana');
    const refused = await runCli(['ssh', 'test', ...nodeFlags()], u.env);
    expect(refused.code, refused.stdout + refused.stderr).toBe(3);
    expect(refused.stdout).toContain(`is not known: ssh-ed25519 ${sshd.hostFingerprint}`);
    expect(refused.stdout).toContain('--accept-new-host-key');
    expect(existsSync(join(u.data, 'ssh', 'known_hosts'))).toBe(false);

    const accepted = await runCli(['ssh', 'test', ...nodeFlags(), '--accept-new-host-key'], u.env);
    expect(accepted.code, accepted.stdout + accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/✔ ok\s+node worker-1\s+reached/);
    expect(readFileSync(join(u.data, 'ssh', 'known_hosts'), 'utf8')).toContain(sshd.hostPublicKey.split(' ')[1]);

    const again = await runCli(['ssh', 'test', ...nodeFlags(), '--json'], u.env);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.ok).toBe(true);
    expect(report.steps.find((s: { target: string }) => s.target === 'worker-1')).toMatchObject({ kind: 'node', status: 'ok' });
  });

  it('refuses a changed host key even with --accept-new-host-key, showing both fingerprints', async () => {
    const u = user('bea');
    const other = readFileSync(`${sshd.makeKey('bea_old_host_key')}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    writeFileSync(join(u.home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${other}\n`);
    const r = await runCli(['ssh', 'test', ...nodeFlags(), '--accept-new-host-key', '--json'], u.env);
    expect(r.code).toBe(3);
    const step = JSON.parse(r.stdout).steps.find((s: { target: string }) => s.target === 'worker-1');
    expect(step.code).toBe('changed-host-key');
    expect(step.detail).toContain(sshd.hostFingerprint);
    expect(step.hostKey.knownFingerprints).toHaveLength(1);
    expect(step.detail).toContain(step.hostKey.knownFingerprints[0]);
    expect(existsSync(join(u.data, 'ssh', 'known_hosts'))).toBe(false);
  });

  it('refuses a key the server does not accept with a clear message', async () => {
    const u = user('carla');
    writeFileSync(join(u.home, '.ssh', 'known_hosts'), sshd.knownHostsLine(true) + '\n');
    const wrong = sshd.makeKey('carla_key');
    const flags = nodeFlags();
    flags[flags.indexOf('--ssh-key') + 1] = wrong;
    const r = await runCli(['ssh', 'test', ...flags], u.env);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`refused the login of "${sshd.user}" (offered key ${wrong})`);
  });

  it('bad flags are usage errors', async () => {
    const u = user('dora');
    const r = await runCli(['ssh', 'test', '--context', 'roadside-sandbox', '--node-address', 'worker-1'], u.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--node-address must look like NAME=HOST[:PORT]');
  });

  it('diagnose takes the same flags: API calls through the bastion, node checks on the mapped node', async () => {
    const u = user('eva');
    writeFileSync(join(u.home, '.ssh', 'known_hosts'), sshd.knownHostsLine() + '\n');
    const r = await runCli(
      ['diagnose', '--json', '--check', 'connectivity.pods-healthy', '--check', 'storage.node-disk', '--bastion', `${sshd.user}@127.0.0.1:${sshd.port}`, ...nodeFlags()],
      u.env,
    );
    const result = JSON.parse(r.stdout) as DiagnoseResult;
    expect(result.unreachable).toBeUndefined();
    const byId = Object.fromEntries(result.findings.map((f) => [f.check, f]));
    expect(byId['connectivity.pods-healthy'].status).toBe('pass');
    expect(['pass', 'warn', 'fail']).toContain(byId['storage.node-disk'].status);
    expect(byId['storage.node-disk'].message).toMatch(/^worker-1: \/ \d+%/);
    expect(r.code).toBe(byId['storage.node-disk'].status === 'fail' ? 1 : 0);
  });

  it('diagnose says when the bastion refuses, with exit code 3', async () => {
    const u = user('fran');
    const r = await runCli(['diagnose', '--context', 'roadside-sandbox', '--check', 'connectivity.pods-healthy', '--bastion', `${sshd.user}@127.0.0.1:${sshd.port}`, '--ssh-key', sshd.clientKeyFile], u.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('through the bastion');
    expect(r.stderr).toContain(sshd.hostFingerprint);
  });
});
