// Node checks over a real OpenSSH server on 127.0.0.1 (the commands really run on this machine)
// and the API server of a sandbox reached through an SSH bastion tunnel.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnoseResult, Finding } from '../../src/shared/checks';
import { ClusterContext } from '../../src/main/checks/cluster-context';
import { runChecks } from '../../src/main/checks/engine';
import { ALL_CHECKS } from '../../src/main/checks/registry';
import { diskVerdict, nodeChecks, NOT_CONFIGURED, parseDf, withNodeShell } from '../../src/main/checks/runbook/node';
import { SshAccess } from '../../src/main/ssh/access';
import { NODE_COMMANDS } from '../../src/main/ssh/node-commands';
import { SshNodeShell } from '../../src/main/ssh/node-shell';
import { setProcessSshOptions } from '../../src/main/ssh/process-options';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import { startSshd, sshdAvailable, type TestSshd } from '../support/sshd';

const NS = 'traffic-system';
const SANDBOX = 'roadside-sandbox';

function local(cmd: string, args: string[]): { stdout: string; code: number } {
  try {
    return { stdout: execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), code: 0 };
  } catch (err) {
    const e = err as { status?: number; stdout?: string };
    return { stdout: e.stdout ?? '', code: e.status ?? 127 };
  }
}

function finding(result: DiagnoseResult, id: string): Finding {
  const f = result.findings.find((x) => x.check === id);
  if (!f) throw new Error(`no finding for ${id}: ${result.findings.map((x) => x.check).join(', ')}`);
  return f;
}

describe.skipIf(!sshdAvailable())('node checks and bastion tunnels over a real sshd', () => {
  let sshd: TestSshd;
  let sandbox: RunningSandbox;
  let dataDir: string;
  let home: string;
  let kc: KubeConfig;
  let access: SshAccess;

  beforeAll(async () => {
    [sshd, sandbox] = await Promise.all([startSshd(), loadScenario('healthy').then((snapshot) => startSandbox({ snapshot, port: 0 }))]);
    dataDir = mkdtempSync(join(tmpdir(), 'roadside-ssh-data-'));
    home = mkdtempSync(join(tmpdir(), 'roadside-ssh-home-'));
    mkdirSync(join(home, '.ssh'));
    // The engineer's own known_hosts, hashed as Debian writes it.
    writeFileSync(join(home, '.ssh', 'known_hosts'), sshd.knownHostsLine(true) + '\n');
    kc = new KubeConfig();
    // "localhost" rather than 127.0.0.1, so the tunnel must keep TLS verifying the original name.
    kc.loadFromString(sandbox.kubeconfigYaml({ namespace: NS }).replace(/https:\/\/127\.0\.0\.1:/, 'https://localhost:'));
    access = new SshAccess({ dataDir, home: () => home, env: {}, sandboxContext: SANDBOX });
  });

  afterEach(() => setProcessSshOptions({}));

  afterAll(async () => {
    await access?.close();
    await Promise.all([sshd?.stop(), sandbox?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  const nodeAccess = (extra: Record<string, string> = {}) =>
    setProcessSshOptions({ overrides: { nodeUser: sshd.user, keyFile: sshd.clientKeyFile, nodeAddresses: { 'worker-1': `127.0.0.1:${sshd.port}`, ...extra } } });

  const run = (shell: SshNodeShell | undefined, checks: string[], onProgress?: (id?: string) => void) =>
    runChecks({
      context: (signal) => new ClusterContext({ kubeConfig: kc, namespace: NS, signal }),
      contextName: SANDBOX,
      namespace: NS,
      checks,
      registry: shell ? withNodeShell(ALL_CHECKS, shell) : ALL_CHECKS,
      timeoutMs: 25_000,
      onProgress: (p) => onProgress?.(p.check),
    });

  it('without node access the four node checks are skipped, saying how to set it up', async () => {
    const result = await run(undefined, nodeChecks.map((c) => c.id));
    expect(result.findings.map((f) => [f.check, f.status, f.message])).toEqual(nodeChecks.map((c) => [c.id, 'skipped', NOT_CONFIGURED]));
  });

  it('in the sandbox, nodes without an explicit address are never dialled', async () => {
    const dialled: string[] = [];
    const shell = new SshNodeShell({ addresses: {}, port: 22, isSandbox: true, open: async (t) => (dialled.push(`${t.host}:${t.port}`), Promise.reject(new Error('dialled'))) });
    const result = await run(shell, ['storage.node-disk']);
    const f = finding(result, 'storage.node-disk');
    expect(f.status).toBe('skipped');
    expect(f.message).toContain('--node-address worker-1=127.0.0.1:PORT');
    expect(f.message).toContain('never dialled');
    expect(dialled).toEqual([]);
  });

  it('runs df, du, the clock and the kubelet log on a node over SSH and judges their real output', async () => {
    nodeAccess();
    const shell = access.nodeShell(SANDBOX, kc)!;
    try {
      const result = await run(shell, nodeChecks.map((c) => c.id));

      // df: the same filesystem this test sees locally.
      const disk = finding(result, 'storage.node-disk');
      const root = parseDf(local('df', ['-P', '-k', '/']).stdout)[0];
      expect(disk.status).toBe(diskVerdict(root.percent));
      expect(disk.message).toContain(`worker-1: / ${root.percent}%`);
      expect(disk.message).toMatch(/not checked: .*control-plane-1/);
      const metric = disk.evidence.find((e) => e.kind === 'metric' && e.label === 'worker-1 / used');
      expect(metric).toMatchObject({ value: root.percent, unit: '%', limit: 95 });
      expect(disk.evidence.find((e) => e.kind === 'output')).toMatchObject({ command: `ssh worker-1 ${NODE_COMMANDS.diskUsage.line}` });

      const large = finding(result, 'storage.node-large-files');
      expect(['pass', 'warn']).toContain(large.status);
      const listing = large.evidence.find((e) => e.kind === 'output');
      expect(listing && 'text' in listing ? listing.text : '').toMatch(/\/var\/log\//);

      // The clock: timedatectl needs systemd, chronyc may be absent; date always answers.
      const clock = finding(result, 'auth.node-clock');
      const timedatectl = local('timedatectl', ['show']);
      const chrony = local('chronyc', ['-n', 'tracking']);
      expect(clock.message).toMatch(/worker-1: \d+\.\d s (ahead of|behind) this machine/);
      if (timedatectl.code !== 0 && chrony.code !== 0) {
        expect(clock.status).toBe('pass');
        expect(clock.message).toContain('synchronization unknown');
        expect(clock.message).toMatch(/timedatectl/);
      } else {
        expect(clock.message).toMatch(/synchronized \((timedatectl|chronyc)/i);
      }

      const kubelet = finding(result, 'cluster.kubelet-log');
      const journal = local('journalctl', ['-u', 'kubelet', '--since', '1 hour ago', '--no-pager', '-n', '5']);
      if (journal.code === 127) expect(kubelet.message).toContain('journalctl is not available');
      else if (!/-- No entries --/.test(journal.stdout)) expect(['pass', 'warn', 'fail']).toContain(kubelet.status);
      else expect(kubelet.status).toBe('skipped');
      if (kubelet.status === 'skipped') expect(kubelet.message).toMatch(/journal|journalctl|kubelet entries/);
    } finally {
      await shell.close();
    }
  });

  it('a node command that hangs ends its check as error at the timeout; the other checks finish', async () => {
    nodeAccess();
    const commands = { ...NODE_COMMANDS, clockDate: { id: 'clock-date', line: 'sleep 4.5', purpose: 'test only: hangs', timeoutMs: 300 } };
    const shell = access.nodeShell(SANDBOX, kc, { commands })!;
    try {
      const t0 = Date.now();
      const result = await run(shell, ['storage.node-disk', 'auth.node-clock', 'connectivity.pods-healthy']);
      const clock = finding(result, 'auth.node-clock');
      expect(clock.status).toBe('error');
      expect(clock.message).toContain('"sleep 4.5" on node worker-1');
      expect(clock.message).toContain('did not finish within 300 ms');
      expect(finding(result, 'storage.node-disk').status).not.toBe('error');
      expect(finding(result, 'connectivity.pods-healthy').status).toBe('pass');
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await shell.close();
    }
  });

  it('a connection dropped mid-command ends that check as error with the reason, and the run goes on', async () => {
    nodeAccess();
    const commands = { ...NODE_COMMANDS, kubeletLog: { id: 'kubelet-log', line: 'sleep 7.5', purpose: 'test only: long', timeoutMs: 20_000 } };
    const shell = access.nodeShell(SANDBOX, kc, { commands })!;
    let diskDone!: () => void;
    const diskFinished = new Promise<void>((r) => (diskDone = r));
    try {
      const running = run(shell, ['storage.node-disk', 'cluster.kubelet-log', 'connectivity.pods-healthy'], (id) => id === 'storage.node-disk' && diskDone());
      await diskFinished;
      await waitFor(() => sshd.descendantsRunning('sleep 7.5').length > 0, 10_000);
      expect(sshd.dropConnections()).toBeGreaterThan(0);
      const result = await running;
      const kubelet = finding(result, 'cluster.kubelet-log');
      expect(kubelet.status).toBe('error');
      expect(kubelet.message).toMatch(/worker-1: the connection to node worker-1 .* dropped while running "sleep 7.5"/);
      expect(finding(result, 'storage.node-disk').status).not.toBe('error');
      expect(finding(result, 'connectivity.pods-healthy').status).toBe('pass');
      expect(result.findings).toHaveLength(3);
    } finally {
      await shell.close();
    }
  });

  it('lists pods and reads logs of the sandbox through a bastion tunnel, with TLS still verifying "localhost"', async () => {
    setProcessSshOptions({ overrides: { bastion: { user: sshd.user, host: '127.0.0.1', port: sshd.port }, keyFile: sshd.clientKeyFile } });
    const tunnelled = await access.kubeConfigThroughBastion('bastion-ctx', kc);
    const server = new URL(tunnelled.getCurrentCluster()!.server);
    const original = new URL(kc.getCurrentCluster()!.server);
    expect(server.hostname).toBe('127.0.0.1');
    expect(server.port).not.toBe(original.port);
    expect(tunnelled.getCurrentCluster()!.tlsServerName).toBe('localhost');
    expect(access.originalOf(tunnelled)).toBe(kc);

    const before = sandbox.requestCount();
    const pods = await tunnelled.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS });
    expect(pods.items.length).toBeGreaterThan(0);
    expect(pods.items.map((p) => p.metadata?.name)).toContain(pods.items[0].metadata!.name);
    expect(sandbox.requestCount()).toBeGreaterThan(before);
    const withLog = pods.items.find((p) => p.metadata?.labels?.['app.kubernetes.io/component'] === 'backend') ?? pods.items[0];
    const log = await tunnelled.makeApiClient(CoreV1Api).readNamespacedPodLog({ name: withLog.metadata!.name!, namespace: NS, container: withLog.spec!.containers[0].name });
    expect(typeof log).toBe('string');
    const bastion = await access.bastionSession('bastion-ctx');
    expect(bastion.hostKeyFingerprint).toBe(sshd.hostFingerprint);

    // The checks read through the tunnel exactly as they would directly.
    const result = await runChecks({
      context: (signal) => new ClusterContext({ kubeConfig: tunnelled, namespace: NS, signal }),
      contextName: 'bastion-ctx',
      namespace: NS,
      checks: ['connectivity.pods-healthy', 'connectivity.service-endpoints'],
      timeoutMs: 20_000,
    });
    expect(result.unreachable).toBeUndefined();
    expect(result.findings.map((f) => f.status)).toEqual(['pass', 'pass']);
  });

  it('ssh test reports the bastion, the API through the tunnel and each node', async () => {
    setProcessSshOptions({
      overrides: { bastion: { user: sshd.user, host: '127.0.0.1', port: sshd.port }, keyFile: sshd.clientKeyFile, nodeUser: sshd.user, nodeAddresses: { 'worker-1': `127.0.0.1:${sshd.port}` } },
    });
    const report = await access.test(SANDBOX, kc);
    const summary = report.steps.map((s) => `${s.kind} ${s.target} ${s.status}`);
    expect(summary).toContain(`bastion-reachable ${sshd.user}@127.0.0.1:${sshd.port} ok`);
    expect(summary).toContain(`bastion-auth ${sshd.user}@127.0.0.1:${sshd.port} ok`);
    expect(summary).toContain(`api-through-tunnel ${kc.getCurrentCluster()!.server} ok`);
    expect(summary).toContain('node worker-1 ok');
    expect(summary).toContain('node control-plane-1 skipped');
    expect(report.steps.find((s) => s.target === 'worker-1')!.detail).toContain('through the bastion');
    expect(report.ok).toBe(true);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
