// A request the API server never answers ends at the context's request timeout, with a message
// that says so, and nothing is left running: a black-hole server on 127.0.0.1 accepts the TCP
// connection and then says nothing.
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterContext } from '../../src/main/checks/cluster-context';

describe('ClusterContext request timeout', () => {
  let hole: net.Server;
  const sockets = new Set<net.Socket>();
  let kc: KubeConfig;

  beforeAll(async () => {
    hole = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', () => r()));
    const port = (hole.address() as net.AddressInfo).port;
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'hole', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'hole', cluster: 'hole', user: 'u' }],
      currentContext: 'hole',
    });
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hole.close(() => r()));
  });

  it('fails a list after requestTimeoutMs, naming the read', async () => {
    const ctx = new ClusterContext({ kubeConfig: kc, namespace: 'traffic-system', requestTimeoutMs: 300 });
    const started = Date.now();
    await expect(ctx.list('pods')).rejects.toThrow('list pods timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops at once when the run is cancelled, with the run’s reason', async () => {
    const run = new AbortController();
    const ctx = new ClusterContext({ kubeConfig: kc, namespace: 'traffic-system', signal: run.signal, requestTimeoutMs: 60_000 });
    const reading = ctx.list('services');
    setTimeout(() => run.abort(new Error('cancelled by the engineer')), 50);
    await expect(reading).rejects.toThrow();
    expect(run.signal.aborted).toBe(true);
  });
});
