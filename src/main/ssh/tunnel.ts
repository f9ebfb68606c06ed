// The API server through a bastion: a forwarding server on 127.0.0.1:0 whose every connection
// becomes an ssh2 forwardOut channel to the API server's host:port, and a KubeConfig copy that
// points at it while TLS still verifies the original host name (tls-server-name).
import { createServer, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { SshSession } from './session';

export interface ApiTunnel {
  /** The local port on 127.0.0.1. */
  readonly port: number;
  /** Connections forwarded so far. */
  readonly forwarded: number;
  /** The last forwarding failure, for error messages. */
  readonly lastError?: string;
  close(): Promise<void>;
}

/** host and port of an https:// server URL (IPv6 brackets removed). */
export function apiServerAddress(server: string): { host: string; port: number; protocol: string } {
  const url = new URL(server);
  const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, protocol: url.protocol };
}

/**
 * Starts the forwarding server on 127.0.0.1 and resolves once it listens. The bastion is
 * dialled for the first connection; `session` is asked for on every connection and may
 * reconnect.
 */
export async function openApiTunnel(session: () => Promise<SshSession>, target: { host: string; port: number }): Promise<ApiTunnel> {
  const sockets = new Set<Socket>();
  let forwarded = 0;
  let lastError: string | undefined;
  const server: Server = createServer((local) => {
    // The tunnel must never keep a CLI process alive on its own.
    local.unref();
    sockets.add(local);
    local.on('close', () => sockets.delete(local));
    local.on('error', () => undefined);
    local.pause();
    session()
      .then((s) => s.forwardOut(target.host, target.port, undefined, `the API server`))
      .then((channel) => {
        forwarded++;
        if (local.destroyed) {
          channel.close();
          return;
        }
        local.pipe(channel).pipe(local);
        channel.on('error', () => local.destroy());
        channel.on('close', () => local.destroy());
        local.on('close', () => channel.close());
        local.resume();
      })
      .catch((err: Error) => {
        lastError = err.message;
        local.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the tunnel could not listen on 127.0.0.1');
  return {
    port: address.port,
    get forwarded() {
      return forwarded;
    },
    get lastError() {
      return lastError;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A copy of the context's KubeConfig whose server is the tunnel, keeping TLS name checks on the original host. */
export function kubeConfigThroughTunnel(kc: KubeConfig, localPort: number): KubeConfig {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the context has no cluster');
  const original = new URL(cluster.server);
  const tunnelled = new URL(cluster.server);
  tunnelled.hostname = '127.0.0.1';
  tunnelled.port = String(localPort);
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.getClusters().map((c) =>
      c.name === cluster.name
        ? { ...c, server: tunnelled.toString().replace(/\/$/, ''), tlsServerName: c.tlsServerName ?? original.hostname.replace(/^\[|\]$/g, '') }
        : c,
    ),
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return copy;
}
