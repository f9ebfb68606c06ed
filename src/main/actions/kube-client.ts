// The few API calls actions make, as plain HTTPS requests with the context's credentials:
// reads, dry-run and real writes (strategic/merge patch, create, delete, the scale
// subresource), access reviews and exec streamed to a file. Only the API server named in
// the kubeconfig is ever dialled.
import type WebSocket from 'ws';
import { webSocketHandlerRecordingRefusal } from '../kube/websocket';
import { ApiResponseError, apiRequestText, apiStatusText, isUnreachableCode, REQUEST_TIMEOUT } from '../kube/api-connection';
import type { Writable } from 'node:stream';
import { Writable as WritableStream } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { RoadsideError } from '../errors';
import type { AccessCheck } from '../../shared/actions';

export type KObj = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: any;
};

export type PatchType = 'strategic' | 'merge' | 'json';

const CONTENT_TYPE: Record<PatchType, string> = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};


/** A refusal of the API server, with its HTTP status (kept so callers can tell 404 from 403). */
export class ApiStatusError extends RoadsideError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(codeForStatus(status), message, { status });
  }
}

function codeForStatus(status: number): RoadsideError['code'] {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422 || status === 415) return 'invalid-input';
  return 'internal';
}

export interface ExecOutcome {
  exitCode: number | null;
  stderr: string;
  /** Bytes written to stdout. */
  bytes: number;
}

export class KubeClient {
  private readonly server: string;

  constructor(
    readonly kc: KubeConfig,
    private readonly timeoutMs = 15_000,
  ) {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new RoadsideError('invalid-input', `context "${kc.getCurrentContext()}" names no cluster server`);
    this.server = server.replace(/\/+$/, '');
  }

  async request(
    method: string,
    path: string,
    opts: { query?: Record<string, string>; body?: unknown; contentType?: string } = {},
  ): Promise<any> {
    let text: string;
    try {
      text = await apiRequestText(this.kc, { method, path, query: opts.query, body: opts.body, contentType: opts.contentType, timeoutMs: this.timeoutMs });
    } catch (err) {
      if (err instanceof ApiResponseError) {
        const message = apiStatusText(err.body) || `HTTP ${err.code}`;
        throw new ApiStatusError(err.code, err.code === 401 ? `the cluster refused the credentials (401 Unauthorized): ${message}` : message);
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === REQUEST_TIMEOUT) throw new RoadsideError('timeout', `${method} ${path} timed out after ${this.timeoutMs} ms`);
      if (isUnreachableCode(code)) {
        throw new RoadsideError('unreachable', `cannot reach the API server ${this.server}: ${code} ${(err as Error).message}`.trim());
      }
      throw err;
    }
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      return text;
    }
  }

  /** The object, or undefined when it does not exist. */
  async get(path: string): Promise<KObj | undefined> {
    try {
      return await this.request('GET', path);
    } catch (err) {
      if (err instanceof ApiStatusError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(path: string, labelSelector?: string): Promise<KObj[]> {
    const body = await this.request('GET', path, labelSelector ? { query: { labelSelector } } : {});
    return (body?.items ?? []) as KObj[];
  }

  patch(path: string, type: PatchType, body: unknown, dryRun: boolean): Promise<any> {
    return this.request('PATCH', path, { body, contentType: CONTENT_TYPE[type], query: { fieldManager: 'roadside', ...(dryRun ? { dryRun: 'All' } : {}) } });
  }

  create(collectionPath: string, body: unknown, dryRun: boolean): Promise<any> {
    return this.request('POST', collectionPath, { body, query: { fieldManager: 'roadside', ...(dryRun ? { dryRun: 'All' } : {}) } });
  }

  delete(path: string, dryRun: boolean): Promise<any> {
    return this.request('DELETE', path, dryRun ? { query: { dryRun: 'All' } } : {});
  }

  /** A SelfSubjectAccessReview: may these credentials do this? */
  async can(check: Omit<AccessCheck, 'allowed'>): Promise<boolean> {
    const review = await this.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: {
            verb: check.verb,
            resource: check.resource,
            ...(check.group ? { group: check.group } : {}),
            ...(check.subresource ? { subresource: check.subresource } : {}),
            ...(check.namespace ? { namespace: check.namespace } : {}),
            ...(check.name ? { name: check.name } : {}),
          },
        },
      },
    });
    return review?.status?.allowed === true;
  }

  /**
   * Runs a fixed argv in a container (no shell), streaming stdout into `stdout` (a file for
   * backups and captures). stderr is kept, capped.
   */
  async exec(namespace: string, pod: string, container: string, argv: string[], stdout: Writable, timeoutMs: number): Promise<ExecOutcome> {
    const { handler, refusal } = webSocketHandlerRecordingRefusal(this.kc);
    let stderr = '';
    let bytes = 0;
    const counted = new WritableStream({
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (!stdout.write(chunk)) stdout.once('drain', () => cb());
        else cb();
      },
    });
    const errSink = new WritableStream({
      write(chunk: Buffer, _enc, cb) {
        if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
        cb();
      },
    });
    let status: V1Status | undefined;
    let ws: WebSocket;
    try {
      ws = (await new Exec(this.kc, handler).exec(namespace, pod, container, argv, counted, errSink, null, false, (s) => {
        status = s;
      })) as unknown as WebSocket;
    } catch (err) {
      if (refusal.status !== undefined) {
        let message = refusal.body ?? '';
        try {
          message = JSON.parse(message).message ?? message;
        } catch {
          // plain text
        }
        throw new ApiStatusError(refusal.status, message.trim() || `exec refused: HTTP ${refusal.status}`);
      }
      throw new RoadsideError('unreachable', `exec in ${pod}: ${(err as Error)?.message ?? String(err)}`);
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new RoadsideError('timeout', `${argv.join(' ')} in ${pod}/${container} did not finish within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      ws.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { exitCode: exitCodeOf(status), stderr, bytes };
  }
}

function exitCodeOf(status: V1Status | undefined): number | null {
  if (!status) return null;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (cause?.message !== undefined && /^\d+$/.test(cause.message)) return Number(cause.message);
  return null;
}
