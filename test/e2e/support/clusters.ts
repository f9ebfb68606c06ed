// Loopback API servers standing in for the engineer's clusters, and a kubeconfig naming them.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCa, makeServerCert } from '../../support/certs';

export interface FakeClusters {
  kubeconfig: string;
  close(): Promise<void>;
}

/** Real HTTPS servers on 127.0.0.1; they stand in for production clusters, which cannot exist here. */
export async function startLoopbackClusters(): Promise<FakeClusters> {
  const dir = mkdtempSync(join(tmpdir(), 'roadside-e2e-kc-'));
  const ca = await makeCa();
  const cert = await makeServerCert(ca);
  const servers: https.Server[] = [];
  const listen = (handler: http.RequestListener) =>
    new Promise<number>((r) => {
      const s = https.createServer({ cert: cert.certPem, key: cert.keyPem }, handler);
      servers.push(s);
      s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port));
    });
  const healthy = await listen((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/version')) return res.end(JSON.stringify({ gitVersion: 'v1.30.4' }));
    if (req.url?.startsWith('/api/v1/namespaces'))
      return res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: ['default', 'traffic-system', 'ingress-nginx', 'monitoring'].map((name) => ({ metadata: { name } })) }));
    res.statusCode = 404;
    res.end('{}');
  });
  const unauthorized = await listen((_req, res) => {
    res.statusCode = 401;
    res.end(JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized' }));
  });
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', () => r()));
  const refused = (tmp.address() as net.AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));

  const caData = Buffer.from(ca.certPem).toString('base64');
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: prod-eu
clusters:
- name: prod-eu
  cluster: {server: "https://127.0.0.1:${healthy}", certificate-authority-data: ${caData}}
- name: staging
  cluster: {server: "https://127.0.0.1:${refused}", certificate-authority-data: ${caData}}
- name: lab
  cluster: {server: "https://127.0.0.1:${unauthorized}", certificate-authority-data: ${caData}}
users:
- name: engineer
  user: {token: e2e-token}
contexts:
- name: prod-eu
  context: {cluster: prod-eu, user: engineer}
- name: staging-eu
  context: {cluster: staging, user: engineer, namespace: traffic-staging}
- name: lab
  context: {cluster: lab, user: engineer}
`,
  );
  return {
    kubeconfig,
    close: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
