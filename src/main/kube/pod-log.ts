// One container's log over the API server (GET …/pods/<pod>/log?timestamps=true) as a byte
// stream: read whole, followed (the Logs view) or piped through redaction (bundles), so no
// log is ever held whole in memory. It uses the kubeconfig's own TLS and credentials, and
// goes only to the API server the kubeconfig names. client-node's Log class hides why a
// request failed; this keeps the status and the server's message.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { ForbiddenError, UnreachableError } from '../checks/types';
import { apiConnection, releaseApiConnection } from './api-connection';

export interface ContainerLogRequest {
  namespace: string;
  pod: string;
  container: string;
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC 3339; the server rounds it down to the second. */
  sinceTime?: string;
  follow?: boolean;
  /** The previous container's log (kubectl logs --previous). */
  previous?: boolean;
  signal?: AbortSignal;
  /** Time until the response headers arrive (default 10 s). */
  headersTimeoutMs?: number;
}

export class ContainerLogError extends Error {
  override name = 'ContainerLogError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Closes the idle connections kept for this kubeconfig's requests (a bundle reads hundreds of logs). */
export const releaseContainerLogConnections = releaseApiConnection;

/** Resolves with the body once the server answered 200; rejects with why not. */
export async function openContainerLog(kc: KubeConfig, req: ContainerLogRequest): Promise<IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ContainerLogError('the kubeconfig has no current cluster');
  const url = new URL(
    `${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(req.namespace)}/pods/${encodeURIComponent(req.pod)}/log`,
  );
  url.searchParams.set('container', req.container);
  url.searchParams.set('timestamps', 'true');
  if (req.follow) url.searchParams.set('follow', 'true');
  if (req.previous) url.searchParams.set('previous', 'true');
  if (req.tailLines !== undefined) url.searchParams.set('tailLines', String(req.tailLines));
  if (req.sinceSeconds !== undefined) url.searchParams.set('sinceSeconds', String(req.sinceSeconds));
  else if (req.sinceTime) url.searchParams.set('sinceTime', req.sinceTime);
  let options: Record<string, any>;
  if (url.protocol === 'https:' && !req.follow) {
    const conn = await apiConnection(kc);
    options = { method: 'GET', agent: conn.agent, ...(conn.auth ? { auth: conn.auth } : {}), headers: { ...conn.headers, Accept: 'text/plain, */*' } };
  } else {
    options = { method: 'GET', headers: { Accept: 'text/plain, */*' } };
    await kc.applyToHTTPSOptions(options);
  }
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const timeout = req.headersTimeoutMs ?? 10_000;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const r = send(url, { ...options, ...(req.signal ? { signal: req.signal } : {}) }, (res) => {
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
          // plain text from the kubelet
        }
        message = message.trim().split('\n')[0].slice(0, 300);
        if (res.statusCode === 403) reject(new ForbiddenError('get', 'pods/log', req.namespace));
        else if (res.statusCode === 401) reject(new UnreachableError(`the cluster refused the credentials (401 Unauthorized): ${message}`));
        else reject(new ContainerLogError(`HTTP ${res.statusCode}: ${message}`, res.statusCode));
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => r.destroy(new ContainerLogError(`no answer within ${timeout} ms`)), timeout);
    r.on('error', (err) => {
      clearTimeout(timer);
      if (err instanceof ContainerLogError || (err as Error).name === 'AbortError') return reject(err);
      const code = (err as NodeJS.ErrnoException).code;
      reject(code ? new UnreachableError(`cannot reach the API server ${cluster.server}: ${code}`) : new ContainerLogError((err as Error).message));
    });
    r.end();
  });
}

/** The whole (tailed) log of a container as text. */
export async function readContainerLog(kc: KubeConfig, req: Omit<ContainerLogRequest, 'follow'>, maxBytes = 64 * 1024 * 1024): Promise<string> {
  const res = await openContainerLog(kc, req);
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<string>((resolve, reject) => {
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        res.destroy(new ContainerLogError(`log of ${req.pod}/${req.container} is larger than ${maxBytes} bytes; use a smaller --tail`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new ContainerLogError(`the log of ${req.pod}/${req.container} ended early`));
    });
  });
}
