// Reachability of a context: GET /version with the context's credentials,
// bounded by one timeout that covers credentials, connect, TLS and response.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Reachability, ReachabilityStatus } from '../../shared/kube';

export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

type Classified = Pick<Reachability, 'status' | 'detail' | 'tlsReason'>;

/** Maps a Node network or TLS error to what the engineer should understand from it. */
export function classifyNetworkError(err: NodeJS.ErrnoException): Classified {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return { status: 'refused', detail: 'connection refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
    return { status: 'dns-failure', detail: `cannot resolve host (${code})` };
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return { status: 'timeout', detail: 'timed out' };
  if (UNKNOWN_AUTHORITY.has(code))
    return { status: 'tls-error', tlsReason: 'unknown-authority', detail: 'certificate signed by unknown authority' };
  if (code === 'CERT_HAS_EXPIRED') return { status: 'tls-error', tlsReason: 'expired', detail: 'certificate has expired' };
  if (code === 'CERT_NOT_YET_VALID') return { status: 'tls-error', tlsReason: 'other', detail: 'certificate is not yet valid' };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return { status: 'tls-error', tlsReason: 'hostname-mismatch', detail: `certificate is not valid for this host: ${err.message}` };
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /certificate|ssl|tls/i.test(err.message))
    return { status: 'tls-error', tlsReason: 'other', detail: err.message };
  if (code === 'ECONNRESET') return { status: 'error', detail: 'connection reset by the server' };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { status: 'timeout', detail: `host unreachable (${code})` };
  return { status: 'error', detail: err.message || code || 'unknown error' };
}

export function classifyHttpStatus(statusCode: number): ReachabilityStatus {
  if (statusCode === 401) return 'unauthorized';
  if (statusCode === 403) return 'forbidden';
  if (statusCode >= 200 && statusCode < 300) return 'ok';
  return 'error';
}

class ProbeTimeout extends Error {}

export async function probeReachability(kc: KubeConfig, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<Reachability> {
  const started = performance.now();
  const finish = (c: Classified & { serverVersion?: string }): Reachability => ({
    ...c,
    latencyMs: Math.round(performance.now() - started),
    checkedAt: new Date().toISOString(),
  });
  const cluster = kc.getCurrentCluster();
  if (!cluster) return finish({ status: 'error', detail: 'the context has no cluster' });

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), timeoutMs);
  });
  const controller = new AbortController();
  try {
    const opts: https.RequestOptions = {};
    try {
      // Runs exec credential plugins and reads cert files: that is where plugin failures surface.
      await Promise.race([kc.applyToHTTPSOptions(opts), deadline]);
    } catch (err) {
      if (err instanceof ProbeTimeout) throw err;
      const user = kc.getCurrentUser();
      const msg = (err as Error).message ?? String(err);
      if (user?.exec || user?.authProvider)
        return finish({ status: 'exec-plugin-failure', detail: `credential plugin failed: ${msg}` });
      return finish({ status: 'error', detail: `cannot prepare credentials: ${msg}` });
    }
    const url = new URL('/version', cluster.server.endsWith('/') ? cluster.server : cluster.server + '/');
    const transport = url.protocol === 'http:' ? http : https;
    const response = new Promise<{ status: number; body: string }>((resolveResponse, reject) => {
      const req = transport.request(
        url,
        {
          ...opts,
          method: 'GET',
          headers: { ...(opts.headers ?? {}), Accept: 'application/json' },
          signal: controller.signal,
          agent: false,
        } as https.RequestOptions,
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (body.length < 64 * 1024) body += chunk;
          });
          res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    const { status, body } = await Promise.race([response, deadline]);
    const verdict = classifyHttpStatus(status);
    if (verdict === 'ok') {
      let serverVersion: string | undefined;
      try {
        serverVersion = (JSON.parse(body) as { gitVersion?: string }).gitVersion;
      } catch {
        return finish({ status: 'error', detail: 'the server answered /version with something that is not JSON' });
      }
      return finish({ status: 'ok', serverVersion });
    }
    const detail =
      verdict === 'unauthorized'
        ? 'the server rejected the credentials (401 Unauthorized)'
        : verdict === 'forbidden'
          ? 'the credentials are not allowed to read /version (403 Forbidden)'
          : `unexpected HTTP ${status} from /version`;
    return finish({ status: verdict, detail });
  } catch (err) {
    if (err instanceof ProbeTimeout) return finish({ status: 'timeout', detail: `no answer within ${timeoutMs} ms` });
    return finish(classifyNetworkError(err as NodeJS.ErrnoException));
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Probes every context at once, so a black-holed cluster costs one timeout, not one each. */
export async function probeAll(
  configs: Map<string, KubeConfig>,
  timeoutMs: number,
  onResult?: (context: string, r: Reachability) => void,
): Promise<Record<string, Reachability>> {
  const entries = await Promise.all(
    [...configs].map(async ([name, kc]) => {
      const r = await probeReachability(kc, timeoutMs);
      onResult?.(name, r);
      return [name, r] as const;
    }),
  );
  return Object.fromEntries(entries);
}
