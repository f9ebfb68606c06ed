// Reachability against real servers on 127.0.0.1: one that never answers, one
// that refuses, TLS with an unknown CA, an expired certificate and a wrong
// hostname, one that answers 401, and a healthy one.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContexts } from '../../src/main/kube/kubeconfig';
import { probeAll, probeReachability } from '../../src/main/kube/reachability';
import { makeCa, makeServerCert } from '../support/certs';

const dir = mkdtempSync(join(tmpdir(), 'roadside-reach-'));
const closers: Array<() => Promise<void> | void> = [];
let blackhole = 0;
let refused = 0;
let healthy = 0;
let unauthorized = 0;
let expired = 0;
let wrongHost = 0;
let caPem = '';
let rogueCaPem = '';
const seenAuth: string[] = [];

function listenHttps(cert: { certPem: string; keyPem: string }, handler: http.RequestListener): Promise<number> {
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, handler);
  closers.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port)));
}

beforeAll(async () => {
  const ca = await makeCa();
  caPem = ca.certPem;
  const rogue = await makeCa('Someone Else CA');
  rogueCaPem = rogue.certPem;
  const good = await makeServerCert(ca);

  // Accepts TCP connections and never says a word.
  const sockets = new Set<net.Socket>();
  const hole = net.createServer((s) => sockets.add(s));
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', () => r()));
  blackhole = (hole.address() as net.AddressInfo).port;
  closers.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); hole.close(() => r()); }));

  // A port that was free a moment ago: nothing listens, so the kernel refuses.
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', () => r()));
  refused = (tmp.address() as net.AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));

  healthy = await listenHttps(good, (req, res) => {
    seenAuth.push(req.headers.authorization ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ major: '1', minor: '30', gitVersion: 'v1.30.4' }));
  });
  unauthorized = await listenHttps(good, (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 }));
  });
  expired = await listenHttps(
    await makeServerCert(ca, { notBefore: new Date(Date.now() - 10 * 86400_000), notAfter: new Date(Date.now() - 86400_000) }),
    (_req, res) => res.end('{}'),
  );
  wrongHost = await listenHttps(await makeServerCert(ca, { ips: [], dns: ['api.other.example'] }), (_req, res) => res.end('{}'));
});

afterAll(async () => {
  for (const close of closers) await close();
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(entries: Array<{ name: string; port: number; ca?: string; token?: string; exec?: string; scheme?: string; insecure?: boolean }>): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const e of entries) {
    lines.push(`- name: ${e.name}`, '  cluster:', `    server: ${e.scheme ?? 'https'}://127.0.0.1:${e.port}`);
    if (e.ca) lines.push(`    certificate-authority-data: ${b64(e.ca)}`);
    if (e.insecure) lines.push('    insecure-skip-tls-verify: true');
  }
  lines.push('users:');
  for (const e of entries) {
    lines.push(`- name: ${e.name}`, '  user:');
    if (e.exec) lines.push('    exec:', '      apiVersion: client.authentication.k8s.io/v1', `      command: ${e.exec}`, '      interactiveMode: Never');
    else lines.push(`    token: ${e.token ?? 'test-token'}`);
  }
  lines.push('contexts:');
  for (const e of entries) lines.push(`- name: ${e.name}`, '  context:', `    cluster: ${e.name}`, `    user: ${e.name}`);
  const file = join(dir, `kc-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('reachability of each context', () => {
  it('classifies every kind of failure and reads the version of a healthy server', async () => {
    const file = kubeconfig([
      { name: 'healthy', port: healthy, ca: caPem, token: 'secret-token-1' },
      { name: 'unauthorized', port: unauthorized, ca: caPem },
      { name: 'unknown-ca', port: healthy, ca: rogueCaPem },
      { name: 'no-ca', port: healthy },
      { name: 'expired', port: expired, ca: caPem },
      { name: 'wrong-host', port: wrongHost, ca: caPem },
      { name: 'refused', port: refused, ca: caPem },
      { name: 'blackhole', port: blackhole, ca: caPem },
      { name: 'plugin', port: healthy, ca: caPem, exec: join(dir, 'no-such-credential-plugin') },
    ]);
    const { configs } = loadContexts({ kubeconfigEnv: file, platform: 'linux', home: dir });
    const results = await probeAll(configs, 1500);
    expect(results.healthy).toMatchObject({ status: 'ok', serverVersion: 'v1.30.4' });
    expect(seenAuth).toContain('Bearer secret-token-1');
    expect(results.unauthorized.status).toBe('unauthorized');
    expect(results['unknown-ca']).toMatchObject({ status: 'tls-error', tlsReason: 'unknown-authority' });
    expect(results['no-ca']).toMatchObject({ status: 'tls-error', tlsReason: 'unknown-authority' });
    expect(results.expired).toMatchObject({ status: 'tls-error', tlsReason: 'expired' });
    expect(results['wrong-host']).toMatchObject({ status: 'tls-error', tlsReason: 'hostname-mismatch' });
    expect(results.refused.status).toBe('refused');
    expect(results.blackhole.status).toBe('timeout');
    expect(results.plugin.status).toBe('exec-plugin-failure');
    expect(results.plugin.detail).toContain('no-such-credential-plugin');
  });

  it('probes 20 contexts, half of them black-holed, in about one timeout rather than the sum', async () => {
    const entries = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? { name: `hole-${i}`, port: blackhole, ca: caPem } : { name: `ok-${i}`, port: healthy, ca: caPem },
    );
    const { configs } = loadContexts({ kubeconfigEnv: kubeconfig(entries), platform: 'linux', home: dir });
    const timeout = 1000;
    const started = Date.now();
    const results = await probeAll(configs, timeout);
    const elapsed = Date.now() - started;
    expect(Object.values(results).filter((r) => r.status === 'timeout')).toHaveLength(10);
    expect(Object.values(results).filter((r) => r.status === 'ok')).toHaveLength(10);
    // Sequential probing would take 10 s; concurrent takes one timeout plus overhead.
    expect(elapsed).toBeLessThan(timeout * 4);
  });

  it('a plain http:// server is probed when the kubeconfig allows it, and explained when it does not', async () => {
    const server = http.createServer((_req, res) => res.end(JSON.stringify({ gitVersion: 'v1.29.0' })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const file = kubeconfig([
      { name: 'plain', port, scheme: 'http', insecure: true },
      { name: 'plain-strict', port, scheme: 'http' },
    ]);
    const { configs } = loadContexts({ kubeconfigEnv: file, platform: 'linux', home: dir });
    const r = await probeReachability(configs.get('plain')!, 1500);
    const strict = await probeReachability(configs.get('plain-strict')!, 1500);
    server.close();
    expect(r).toMatchObject({ status: 'ok', serverVersion: 'v1.29.0' });
    expect(strict.status).toBe('error');
    expect(strict.detail).toMatch(/HTTP protocol is not allowed/);
  });
});
