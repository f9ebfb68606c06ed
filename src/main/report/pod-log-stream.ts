// A container's log as a byte stream (kubectl logs --timestamps), so a bundle never holds
// a whole log in memory. client-node's readNamespacedPodLog returns one string; this asks
// the same API server with the kubeconfig's own TLS and credentials.
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

export interface PodLogRequest {
  namespace: string;
  pod: string;
  container: string;
  previous?: boolean;
  sinceSeconds?: number;
  tailLines?: number;
  signal?: AbortSignal;
  /** Time to the response headers (default 15 s); the body may take as long as it needs. */
  headersTimeoutMs?: number;
}

export class PodLogError extends Error {
  override name = 'PodLogError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

// One keep-alive agent per kubeconfig: a bundle reads hundreds of logs, and a TLS handshake
// per log costs more than the log itself.
const agents = new WeakMap<KubeConfig, Promise<{ agent: HttpsAgent; headers: Record<string, string> }>>();

function agentFor(kc: KubeConfig): Promise<{ agent: HttpsAgent; headers: Record<string, string> }> {
  let entry = agents.get(kc);
  if (!entry) {
    entry = (async () => {
      const options: Record<string, any> = { headers: {} };
      await kc.applyToHTTPSOptions(options);
      const { headers, agent: _ignored, ...tls } = options;
      return { agent: new HttpsAgent({ ...tls, keepAlive: true, maxSockets: 8 }), headers: headers as Record<string, string> };
    })();
    agents.set(kc, entry);
  }
  return entry;
}

/** Closes the idle connections kept for this kubeconfig's log reads. */
export async function releasePodLogConnections(kc: KubeConfig): Promise<void> {
  const entry = agents.get(kc);
  agents.delete(kc);
  if (entry) (await entry).agent.destroy();
}

/** Resolves with the response body once the API server answered 200; rejects with why not. */
export async function openPodLog(kc: KubeConfig, req: PodLogRequest): Promise<IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new PodLogError('the kubeconfig has no current cluster');
  const url = new URL(
    `${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(req.namespace)}/pods/${encodeURIComponent(req.pod)}/log`,
  );
  url.searchParams.set('container', req.container);
  url.searchParams.set('timestamps', 'true');
  if (req.previous) url.searchParams.set('previous', 'true');
  if (req.sinceSeconds) url.searchParams.set('sinceSeconds', String(req.sinceSeconds));
  if (req.tailLines) url.searchParams.set('tailLines', String(req.tailLines));
  let options: Record<string, any>;
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  if (url.protocol === 'https:') {
    const { agent, headers } = await agentFor(kc);
    options = { method: 'GET', agent, headers: { ...headers } };
  } else {
    options = { method: 'GET', headers: {} };
    await kc.applyToHTTPSOptions(options);
  }
  const timeout = req.headersTimeoutMs ?? 15_000;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const r = send(url, { ...options, signal: req.signal }, (res) => {
      clearTimeout(timer);
      if (res.statusCode === 200) return resolve(res);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < 64 * 1024) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => {
        let message = Buffer.concat(chunks).toString('utf8');
        try {
          message = JSON.parse(message).message ?? message;
        } catch {
          // plain text
        }
        reject(new PodLogError(`HTTP ${res.statusCode}: ${message.trim().split('\n')[0].slice(0, 300)}`, res.statusCode));
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => r.destroy(new PodLogError(`no answer within ${timeout} ms`)), timeout);
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof PodLogError ? err : new PodLogError((err as Error).message));
    });
    r.end();
  });
}
