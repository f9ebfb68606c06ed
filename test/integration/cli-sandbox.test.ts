// `roadside sandbox` as a user runs it, with the real kubectl pointed at it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli';
import { findKubectl } from '../support/kubectl';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'roadside-cli-sandbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kubectl = findKubectl(31);

function homeEnv(name: string) {
  return { ROADSIDE_HOME: join(dir, name), HOME: dir, KUBECONFIG: '' };
}

describe('roadside sandbox list', () => {
  it('names every built-in scenario with Spanish and English titles', async () => {
    const r = await runCli(['sandbox', 'list', '--json'], homeEnv('list'));
    expect(r.code).toBe(0);
    const scenarios = JSON.parse(r.stdout) as Array<{ name: string; title: { es: string; en: string } }>;
    const names = scenarios.map((s) => s.name);
    for (const expected of ['healthy', 'backend-502', 'postgres-down', 'ml-service-saturated', 'db-slow-queries', 'disk-full', 'minio-errors', 'jwt-clock-skew', 'rbac-forbidden', 'coredns-down', 'network-policy-deny', 'prometheus-targets-down', 'tls-expiring'])
      expect(names).toContain(expected);
    for (const s of scenarios) {
      expect(s.title.es.length).toBeGreaterThan(0);
      expect(s.title.en.length).toBeGreaterThan(0);
    }
    const table = await runCli(['sandbox', 'list'], { ...homeEnv('list'), LANG: 'es_ES.UTF-8' });
    expect(table.stdout).toMatch(/healthy\s+\S/);
  });
});

describe('roadside sandbox start', () => {
  it('serves a scenario to kubectl, shows it in roadside contexts, and stops on Ctrl+C', async () => {
    const env = homeEnv('start');
    const kubeconfig = join(dir, 'sandbox.kubeconfig');
    const sandbox = await startCli(['sandbox', 'start', '--scenario', 'backend-502', '--kubeconfig-out', kubeconfig], env, /Press Ctrl\+C/);
    try {
      expect(sandbox.output()).toContain(`export KUBECONFIG=${kubeconfig}`);
      const pods = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', 'pods', '-n', 'traffic-system']);
      expect(pods.stdout).toMatch(/traffic-system-backend-\S+\s+0\/1\s+CrashLoopBackOff/);
      const contexts = await runCli(['contexts', '--json'], env);
      const list = JSON.parse(contexts.stdout);
      expect(list.contexts.map((c: { name: string }) => c.name)).toContain('roadside-sandbox');
      expect(list.contexts.find((c: { name: string }) => c.name === 'roadside-sandbox').reachability.status).toBe('ok');
    } finally {
      expect(await sandbox.interrupt()).toBe(0);
    }
    const after = JSON.parse((await runCli(['contexts', '--json'], env)).stdout);
    expect(after.contexts.map((c: { name: string }) => c.name)).not.toContain('roadside-sandbox');
    expect(existsSync(join(dir, 'start', 'sandbox', 'state.json'))).toBe(false);
  });

  it('serves a snapshot folder, skipping a malformed file and naming it', async () => {
    const snap = join(dir, 'snap');
    mkdirSync(join(snap, 'resources'), { recursive: true });
    mkdirSync(join(snap, 'logs', 'default', 'web-1'), { recursive: true });
    writeFileSync(
      join(snap, 'resources', 'pods.yaml'),
      `apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: default, labels: {app: web}}
spec: {containers: [{name: web, image: nginx:1.27}], nodeName: node-a}
status:
  phase: Running
  conditions: [{type: Ready, status: "True"}]
  containerStatuses: [{name: web, ready: true, restartCount: 0, image: nginx:1.27, state: {running: {startedAt: "2026-01-10T09:00:00Z"}}}]
`,
    );
    writeFileSync(join(snap, 'resources', 'broken.yaml'), 'kind: Pod\nmetadata: [oops\n');
    writeFileSync(join(snap, 'logs', 'default', 'web-1', 'web.log'), '2026-01-10T09:59:00Z GET / 200\n');
    const env = homeEnv('folder');
    const kubeconfig = join(dir, 'folder.kubeconfig');
    const sandbox = await startCli(['sandbox', 'start', snap, '--kubeconfig-out', kubeconfig], env, /Press Ctrl\+C/);
    try {
      expect(sandbox.output()).toMatch(/skipped .*broken\.yaml/);
      const pods = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', 'pods', '-n', 'default', '-o', 'name']);
      expect(pods.stdout.trim()).toBe('pod/web-1');
      const logs = await run(kubectl, ['--kubeconfig', kubeconfig, 'logs', 'web-1', '-n', 'default']);
      expect(logs.stdout).toContain('GET / 200');
    } finally {
      await sandbox.interrupt();
    }
  });

  it('refuses a folder that is not a snapshot with exit 2 and says why', async () => {
    const empty = join(dir, 'not-a-snapshot');
    mkdirSync(empty, { recursive: true });
    writeFileSync(join(empty, 'notes.txt'), 'hello');
    const r = await runCli(['sandbox', 'start', empty], homeEnv('bad'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a snapshot folder');
    const missing = await runCli(['sandbox', 'start', join(dir, 'nowhere')], homeEnv('bad'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('folder not found');
    const unknown = await runCli(['sandbox', 'start', '--scenario', 'no-such-thing'], homeEnv('bad'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('available: healthy');
  });

  it('says clearly when the port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['sandbox', 'start', '--port', String(port)], homeEnv('port'));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('never writes the snapshot folder it serves', async () => {
    const snap = join(dir, 'snap');
    const before = readFileSync(join(snap, 'resources', 'pods.yaml'), 'utf8');
    const env = homeEnv('readonly');
    const kubeconfig = join(dir, 'ro.kubeconfig');
    const sandbox = await startCli(['sandbox', 'start', snap, '--kubeconfig-out', kubeconfig], env, /Press Ctrl\+C/);
    try {
      await run(kubectl, ['--kubeconfig', kubeconfig, 'label', 'pod', 'web-1', '-n', 'default', 'touched=yes']);
      const labels = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', 'pod', 'web-1', '-n', 'default', '-o', 'jsonpath={.metadata.labels.touched}']);
      expect(labels.stdout).toBe('yes');
    } finally {
      await sandbox.interrupt();
    }
    expect(readFileSync(join(snap, 'resources', 'pods.yaml'), 'utf8')).toBe(before);
  });
});
