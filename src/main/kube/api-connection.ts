// Plain HTTPS requests to the API server named in a kubeconfig, with the context's
// credentials as client-node applies them (tokens, client certificates, exec plugins,
// auth providers). A diagnosis makes dozens of reads: they share one keep-alive agent and
// one TLS context, and their JSON is read as is, without client-node's typed models
// (turning every list into model objects and back cost more CPU than the checks).
import { createHash } from 'node:crypto';
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';

type AgentFactory = (cluster: unknown, options: Record<string, unknown>) => unknown;
/** The shared agents of each kubeconfig object, by TLS setup. */
const sharedAgents = new WeakMap<KubeConfig, Map<string, unknown>>();

function fingerprint(parts: unknown[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (part === undefined || part === null) hash.update('\0-');
    else if (Buffer.isBuffer(part) || typeof part === 'string') hash.update('\0').update(part);
    else if (Array.isArray(part)) hash.update('\0[').update(fingerprint(part));
    else hash.update('\0').update(JSON.stringify(part));
  }
  return hash.digest('hex');
}

/**
 * client-node makes a new agent, so a new TCP and TLS connection and a new TLS context, for
 * every request and every exec or port-forward. Here one kubeconfig keeps one keep-alive
 * agent per distinct TLS setup, with its TLS context built once. Idle sockets of a keep-alive
 * agent are unref'd, so they never keep the CLI from exiting.
 */
export function shareConnections(kc: KubeConfig): void {
  if (sharedAgents.has(kc)) return;
  const target = kc as unknown as { createAgent: AgentFactory };
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, unknown>();
  sharedAgents.set(kc, agents);
  target.createAgent = (cluster, options) => {
    const c = cluster as { server?: string; proxyUrl?: string } | undefined;
    if (c?.proxyUrl || c?.server?.startsWith('http:')) return original(cluster, options);
    const key = fingerprint([c?.server, options.ca, options.cert, options.key, options.pfx, options.passphrase, options.servername, options.rejectUnauthorized]);
    let agent = agents.get(key);
    if (!agent) {
      const tls = { ca: options.ca, cert: options.cert, key: options.key, pfx: options.pfx, passphrase: options.passphrase } as Parameters<typeof createSecureContext>[0];
      for (const k of Object.keys(tls!) as Array<keyof typeof tls>) if (tls![k] === undefined) delete tls![k];
      agent = original(cluster, { ...options, secureContext: createSecureContext(tls), keepAlive: true, maxSockets: 32 });
      agents.set(key, agent);
    }
    return agent;
  };
}

/** Closes the kept-alive connections of a kubeconfig object; its next request opens new ones. */
export async function releaseApiConnection(kc: KubeConfig): Promise<void> {
  connections.delete(kc);
  const agents = sharedAgents.get(kc);
  for (const agent of agents?.values() ?? []) (agent as { destroy?: () => void }).destroy?.();
  agents?.clear();
}

export interface ApiConnection {
  /** The API server's URL without a trailing slash. */
  server: string;
  agent?: HttpAgent | HttpsAgent;
  headers: Record<string, string>;
  /** Basic credentials (user:password) of old kubeconfigs. */
  auth?: string;
}

const connections = new WeakMap<KubeConfig, Promise<ApiConnection>>();

/** The credentials and agent of the kubeconfig's current context, worked out once per kubeconfig object. */
export function apiConnection(kc: KubeConfig): Promise<ApiConnection> {
  let entry = connections.get(kc);
  if (!entry) {
    entry = (async () => {
      shareConnections(kc);
      const server = kc.getCurrentCluster()?.server;
      if (!server) throw new Error(`context "${kc.getCurrentContext()}" names no cluster server`);
      const options: Record<string, any> = { headers: {} };
      await kc.applyToHTTPSOptions(options);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(options.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      return { server: server.replace(/\/+$/, ''), agent: options.agent, headers, ...(options.auth ? { auth: options.auth } : {}) };
    })();
    // A failed setup (an exec plugin that failed) is retried by the next caller.
    entry.catch(() => connections.delete(kc));
    connections.set(kc, entry);
  }
  return entry;
}

/** A refusal of the API server: `code` is the HTTP status and `body` its text, as client-node's errors have them. */
export class ApiResponseError extends Error {
  override name = 'ApiResponseError';
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(`HTTP ${code}: ${apiStatusText(body)}`);
  }
}

/** The message of an API server's Status body, else the start of a plain-text body. */
export function apiStatusText(body: string): string {
  try {
    const parsed = JSON.parse(body);
    if (typeof parsed?.message === 'string') return parsed.message;
  } catch {
    // plain text (the kubelet's)
  }
  return body.trim().slice(0, 300);
}

export interface ApiRequest {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Content-Type of the body (default application/json; patches name their own). */
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Time the whole request may take; it then fails with code ROADSIDE_TIMEOUT. */
  timeoutMs?: number;
}

/** Error codes of a request that never reached a trusted API server. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Whether a request error's code means the API server could not be reached, or its TLS not trusted. */
export function isUnreachableCode(code: string | undefined): boolean {
  return !!code && (UNREACHABLE_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('CERT_') || code.includes('CERT'));
}

/** The code of the error a request fails with when it took longer than its timeoutMs. */
export const REQUEST_TIMEOUT = 'ROADSIDE_TIMEOUT';

/** Sends one request; resolves with the response text of a 2xx answer, rejects with ApiResponseError otherwise. */
export async function apiRequestText(kc: KubeConfig, req: ApiRequest): Promise<string> {
  const conn = await apiConnection(kc);
  // A request made with an already aborted signal and a keep-alive agent can fail outside
  // the request's own error handling; such a request is not sent at all.
  if (req.signal?.aborted) throw req.signal.reason ?? new Error('aborted');
  const url = new URL(conn.server + req.path);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise<string>((resolve, reject) => {
    const r = send(
      url,
      {
        method: req.method ?? 'GET',
        ...(conn.agent ? { agent: conn.agent } : {}),
        ...(conn.auth ? { auth: conn.auth } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
        headers: {
          ...conn.headers,
          Accept: req.accept ?? 'application/json',
          'User-Agent': 'roadside',
          ...(payload ? { 'Content-Type': req.contentType ?? 'application/json', 'Content-Length': String(payload.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text);
          else reject(new ApiResponseError(status, text));
        });
      },
    );
    let timer: NodeJS.Timeout | undefined;
    if (req.timeoutMs !== undefined) {
      timer = setTimeout(() => r.destroy(Object.assign(new Error(`no answer within ${req.timeoutMs} ms`), { code: REQUEST_TIMEOUT })), req.timeoutMs);
      timer.unref();
      r.on('close', () => clearTimeout(timer));
    }
    r.on('error', reject);
    if (payload) r.write(payload);
    r.end();
  });
}

/** apiRequestText, parsed as JSON. */
export async function apiRequestJson<T = any>(kc: KubeConfig, req: ApiRequest): Promise<T> {
  const text = await apiRequestText(kc, req);
  return (text ? JSON.parse(text) : undefined) as T;
}
