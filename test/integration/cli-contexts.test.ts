import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'roadside-cli-'));
let server: http.Server;
let port = 0;
let good = '';
const env = () => ({ ROADSIDE_HOME: join(dir, 'home'), HOME: dir, KUBECONFIG: '' });

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end(JSON.stringify({ gitVersion: 'v1.31.2' })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
  good = join(dir, 'good.yaml');
  writeFileSync(
    good,
    `apiVersion: v1
kind: Config
current-context: local
clusters:
- name: local
  cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}
users:
- name: me
  user: {token: very-secret-token}
contexts:
- name: local
  context: {cluster: local, user: me}
- name: broken
  context: {cluster: nowhere, user: me}
`,
  );
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('roadside contexts', () => {
  it('prints JSON with each context, its reachability, and the broken entry as a problem (exit 2)', async () => {
    const r = await runCli(['contexts', '--json', '--kubeconfig', good], env());
    const out = JSON.parse(r.stdout);
    expect(out.contexts).toHaveLength(1);
    expect(out.contexts[0]).toMatchObject({ name: 'local', server: `http://127.0.0.1:${port}`, user: 'me', sourceFile: good, reachability: { status: 'ok', serverVersion: 'v1.31.2' } });
    expect(out.problems).toEqual([expect.objectContaining({ file: good, entry: 'broken', severity: 'error' })]);
    expect(out.selected).toEqual({ context: 'local', namespace: 'traffic-system' });
    expect(r.stdout).not.toContain('very-secret-token');
    expect(r.code).toBe(2);
  });

  it('prints a table for people and explains problems on stderr', async () => {
    const r = await runCli(['contexts', '--kubeconfig', good], env());
    expect(r.stdout).toMatch(/\*\s+local\s+http:\/\/127\.0\.0\.1:\d+\s+me\s+-\s+ok v1\.31\.2/);
    expect(r.stderr).toContain(`error: ${good} (broken): context "broken" refers to cluster "nowhere"`);
  });

  it('exits 2 naming the flag for a missing --kubeconfig file or a bad --timeout', async () => {
    const missing = await runCli(['contexts', '--kubeconfig', join(dir, 'nope.yaml')], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--kubeconfig');
    expect(missing.stderr).toContain('file not found');
    const badTimeout = await runCli(['contexts', '--timeout', 'soon'], env());
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain('--timeout must be a whole number');
    const unknown = await runCli(['contexts', '--frobnicate'], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
  });

  it('tells a newcomer without any kubeconfig what to do, and exits 0', async () => {
    const r = await runCli(['contexts'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No kubeconfig found');
  });

  it('never modifies the kubeconfig it reads', async () => {
    const { readFileSync } = await import('node:fs');
    const before = readFileSync(good, 'utf8');
    await runCli(['contexts', '--kubeconfig', good, '--no-probe'], env());
    expect(readFileSync(good, 'utf8')).toBe(before);
  });
});

describe('roadside serve', () => {
  it('refuses a port already in use with a clear message', async () => {
    const r = await runCli(['serve', '--port', String(port)], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });

  it('refuses a port out of range as bad usage', async () => {
    const r = await runCli(['serve', '--port', '70000'], env());
    expect(r.code).toBe(2);
  });
});

describe('roadside --help', () => {
  it('lists the commands and exits 0', async () => {
    const r = await runCli(['--help'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('contexts');
    expect(r.stdout).toContain('serve');
  });
});
