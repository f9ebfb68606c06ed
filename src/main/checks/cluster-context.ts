// The CheckContext of a real cluster, through @kubernetes/client-node: lists and reads,
// logs, exec and port-forward over the API server's WebSocket, metrics and access reviews.
// Every request goes to the API server named in the kubeconfig; no address read from the
// cluster (pod or node IPs) is ever dialled.
import { setMaxListeners } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import type { KubeConfig, V1Status } from '@kubernetes/client-node';
import type WebSocket from 'ws';
import {
  CLUSTER_SCOPED_RESOURCES,
  DEFAULT_SYSTEM_NAMES,
  ForbiddenError,
  UnreachableError,
  type CheckContext,
  type ExecResult,
  type HttpResult,
  type KObject,
  type LogOptions,
  type NodeMetric,
  type PodMetric,
  type ResourceName,
  type RulesReview,
  type SystemNames,
} from './types';
import type { PolicyRule } from '../kube/rbac-rules';
import { apiRequestText, isUnreachableCode, REQUEST_TIMEOUT, shareConnections, type ApiRequest } from '../kube/api-connection';
import { KubeProbePodRunner, type ProbePodResult, type ProbePodRunner, type ProbePodSpec } from './probe-pod';
import { isPodReady, parseCpuMillicores, parseMemoryBytes, selectsLabels } from './runbook/common';

export interface ClusterContextOptions {
  kubeConfig: KubeConfig;
  /** The run's namespace (default: names.namespace). */
  namespace?: string;
  names?: Partial<SystemNames>;
  params?: Record<string, string>;
  signal?: AbortSignal;
  now?: () => Date;
  /** Time one API request may take (default 10 s). */
  requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_STREAM_TIMEOUT_MS = 15_000;

interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  /** CRD groups may be absent from the cluster: a 404 on the list then means "none". */
  optionalGroup?: boolean;
}

const RESOURCE_TYPES: Record<ResourceName, ResourceType> = {
  pods: { group: '', version: 'v1', plural: 'pods' },
  services: { group: '', version: 'v1', plural: 'services' },
  endpoints: { group: '', version: 'v1', plural: 'endpoints' },
  events: { group: '', version: 'v1', plural: 'events' },
  secrets: { group: '', version: 'v1', plural: 'secrets' },
  configmaps: { group: '', version: 'v1', plural: 'configmaps' },
  persistentvolumeclaims: { group: '', version: 'v1', plural: 'persistentvolumeclaims' },
  persistentvolumes: { group: '', version: 'v1', plural: 'persistentvolumes' },
  nodes: { group: '', version: 'v1', plural: 'nodes' },
  namespaces: { group: '', version: 'v1', plural: 'namespaces' },
  'deployments.apps': { group: 'apps', version: 'v1', plural: 'deployments' },
  'statefulsets.apps': { group: 'apps', version: 'v1', plural: 'statefulsets' },
  'replicasets.apps': { group: 'apps', version: 'v1', plural: 'replicasets' },
  'daemonsets.apps': { group: 'apps', version: 'v1', plural: 'daemonsets' },
  'ingresses.networking.k8s.io': { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses' },
  'ingressclasses.networking.k8s.io': { group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses' },
  'networkpolicies.networking.k8s.io': { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies' },
  'storageclasses.storage.k8s.io': { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' },
  'horizontalpodautoscalers.autoscaling': { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers' },
  'certificates.cert-manager.io': { group: 'cert-manager.io', version: 'v1', plural: 'certificates', optionalGroup: true },
  'servicemonitors.monitoring.coreos.com': { group: 'monitoring.coreos.com', version: 'v1', plural: 'servicemonitors', optionalGroup: true },
  'endpointslices.discovery.k8s.io': { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' },
};

/** The REST path of a resource's collection: in a namespace, or across all when namespace is null. */
export function collectionPath(type: ResourceType, namespace: string | null): string {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return namespace === null ? `${base}/${type.plural}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
}


function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errno?: unknown; cause?: { code?: unknown }; type?: unknown };
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.errno === 'string') return e.errno;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return undefined;
}

function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

function statusMessage(err: unknown): string {
  const body = (err as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body);
      if (typeof parsed?.message === 'string') return parsed.message;
    } catch {
      return body.slice(0, 300);
    }
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

export class ClusterContext implements CheckContext, ProbePodRunner {
  readonly names: SystemNames;
  readonly params: Record<string, string>;
  readonly signal: AbortSignal;
  private readonly kc: KubeConfig;
  private readonly requestTimeoutMs: number;
  private readonly clock: () => Date;
  private requests = 0;

  constructor(opts: ClusterContextOptions) {
    this.kc = opts.kubeConfig;
    shareConnections(this.kc);
    this.names = { ...DEFAULT_SYSTEM_NAMES, ...opts.names, ...(opts.namespace ? { namespace: opts.namespace } : {}) };
    this.params = opts.params ?? {};
    this.signal = opts.signal ?? new AbortController().signal;
    // Every request in flight listens to it; dozens at once are normal.
    setMaxListeners(0, this.signal);
    this.clock = opts.now ?? (() => new Date());
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** API requests made so far (lists, reads, logs, exec and port-forward sessions, metrics, reviews). */
  get requestCount(): number {
    return this.requests;
  }

  now(): Date {
    return this.clock();
  }

  /** One counted API request, aborted with the run or after the request timeout. */
  private request(req: ApiRequest): Promise<string> {
    this.requests++;
    return apiRequestText(this.kc, { ...req, signal: this.signal, timeoutMs: this.requestTimeoutMs });
  }

  private async requestJson<T = any>(req: ApiRequest): Promise<T> {
    const text = await this.request(req);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Turns a client error into the engine's errors (forbidden, unreachable) or a plain message. */
  private translate(err: unknown, verb: string, resource: string, namespace?: string | null): Error {
    if (err instanceof ForbiddenError || err instanceof UnreachableError) return err;
    const status = httpStatus(err);
    if (status === 403) return new ForbiddenError(verb, resource, namespace ?? undefined);
    if (status === 401) return new UnreachableError(`the cluster refused the credentials (401 Unauthorized): ${statusMessage(err)}`);
    if (errorCode(err) === REQUEST_TIMEOUT) return new Error(`${verb} ${resource} timed out after ${this.requestTimeoutMs} ms`);
    const name = (err as { name?: string })?.name;
    if (name === 'AbortError' || (err as { type?: string })?.type === 'aborted') {
      if (this.signal.aborted) return err instanceof Error ? err : new Error(String(err));
      return new Error(`${verb} ${resource} timed out after ${this.requestTimeoutMs} ms`);
    }
    const code = errorCode(err);
    if (isUnreachableCode(code)) {
      return new UnreachableError(`cannot reach the API server ${this.kc.getCurrentCluster()?.server ?? ''}: ${code} ${err instanceof Error ? err.message : ''}`.trim());
    }
    if (status !== undefined) return new Error(`${verb} ${resource}${namespace ? ` in ${namespace}` : ''}: HTTP ${status} ${statusMessage(err)}`);
    return err instanceof Error ? err : new Error(String(err));
  }

  async list(resource: ResourceName, namespace?: string | null): Promise<KObject[]> {
    const type = RESOURCE_TYPES[resource];
    if (!type) throw new Error(`unknown resource ${resource}`);
    const ns = CLUSTER_SCOPED_RESOURCES.has(resource) ? null : namespace === undefined ? this.names.namespace : namespace;
    try {
      const list = await this.requestJson<{ items?: KObject[] | null }>({ path: collectionPath(type, ns) });
      return list?.items ?? [];
    } catch (err) {
      if (type.optionalGroup && httpStatus(err) === 404) return [];
      throw this.translate(err, 'list', resource, ns);
    }
  }

  async get(resource: ResourceName, name: string, namespace?: string | null): Promise<KObject | undefined> {
    const type = RESOURCE_TYPES[resource];
    if (!type) throw new Error(`unknown resource ${resource}`);
    const ns = CLUSTER_SCOPED_RESOURCES.has(resource) ? null : namespace === undefined ? this.names.namespace : namespace;
    try {
      return await this.requestJson<KObject>({ path: `${collectionPath(type, ns)}/${encodeURIComponent(name)}` });
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw this.translate(err, 'get', resource, ns);
    }
  }

  async logs(pod: string, opts: LogOptions & { namespace?: string } = {}): Promise<string> {
    const namespace = opts.namespace ?? this.names.namespace;
    try {
      return await this.request({
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
        accept: 'text/plain, */*',
        query: {
          container: opts.container,
          tailLines: opts.tailLines,
          sinceSeconds: opts.sinceSeconds,
          previous: opts.previous ? true : undefined,
          timestamps: opts.timestamps ? true : undefined,
        },
      });
    } catch (err) {
      throw this.translate(err, 'get', 'pods/log', namespace);
    }
  }

  /** A WebSocket handler that remembers why the API server refused an upgrade. */
  /**
   * The WebSocket clients for exec and port-forward, loaded on a run's first stream: loading
   * them then overlaps with waiting for the first lists instead of delaying the start.
   */
  private async streams() {
    const { Exec, PortForward, webSocketHandlerRecordingRefusal } = await import('../kube/websocket');
    const { handler, refusal } = webSocketHandlerRecordingRefusal(this.kc);
    return { Exec, PortForward, handler, refusal };
  }

  private refusalError(refusal: { status?: number; body?: string }, err: unknown, verb: string, resource: string, namespace: string): Error {
    if (refusal.status === undefined) return this.translate(err instanceof Error ? err : new Error(String((err as { message?: string })?.message ?? err)), verb, resource, namespace);
    let message = refusal.body ?? '';
    try {
      message = JSON.parse(message).message ?? message;
    } catch {
      // plain text from the kubelet
    }
    return this.translate(Object.assign(new Error(message.trim() || `HTTP ${refusal.status}`), { code: refusal.status, body: refusal.body }), verb, resource, namespace);
  }

  async exec(pod: string, container: string, argv: string[], opts: { namespace?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    const namespace = opts.namespace ?? this.names.namespace;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS;
    const { Exec, handler, refusal } = await this.streams();
    const exec = new Exec(this.kc, handler);
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void) =>
      new Writable({
        write(chunk, _enc, cb) {
          append(chunk.toString('utf8'));
          cb();
        },
      });
    let status: V1Status | undefined;
    this.requests++;
    let ws: WebSocket;
    try {
      ws = (await exec.exec(namespace, pod, container, argv, sink((s) => (stdout += s)), sink((s) => (stderr += s)), null, false, (s) => {
        status = s;
      })) as unknown as WebSocket;
    } catch (err) {
      throw this.refusalError(refusal, err, 'create', 'pods/exec', namespace);
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`exec ${argv[0]} in ${pod}/${container} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = () => {
        clearTimeout(timer);
        ws.terminate();
        reject(this.signal.reason ?? new Error('aborted'));
      };
      this.signal.addEventListener('abort', onAbort, { once: true });
      ws.on('close', () => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
    return { stdout, stderr, exitCode: exitCodeOf(status) };
  }

  httpGet(service: string, port: number, path: string, opts: { namespace?: string; timeoutMs?: number } = {}): Promise<HttpResult> {
    return this.httpGetThrough(this, service, port, path, opts);
  }

  /** httpGet, finding the Service and its ready pods through `reads` (the run's read cache). */
  async httpGetThrough(
    reads: Pick<CheckContext, 'get' | 'list'>,
    service: string,
    port: number,
    path: string,
    opts: { namespace?: string; timeoutMs?: number } = {},
  ): Promise<HttpResult> {
    const namespace = opts.namespace ?? this.names.namespace;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS;
    const svc = await reads.get('services', service, namespace);
    if (!svc) throw new Error(`service "${service}" not found in namespace ${namespace}`);
    const servicePort = (svc.spec?.ports ?? []).find((p: any) => p.port === port);
    if (!servicePort) throw new Error(`service "${service}" has no port ${port}`);
    const pods = (await reads.list('pods', namespace)).filter((p) => selectsLabels(svc.spec?.selector, p.metadata.labels) && isPodReady(p));
    const pod = pods[0];
    if (!pod) throw new Error(`no endpoints available for service "${service}"`);
    const containerPort = resolveTargetPort(servicePort.targetPort ?? port, pod);
    if (containerPort === undefined) throw new Error(`service "${service}" targetPort ${servicePort.targetPort} matches no port of pod ${pod.metadata.name}`);

    const { PortForward, handler, refusal } = await this.streams();
    const forward = new PortForward(this.kc, true, handler);
    const toPod = new PassThrough();
    const fromPod = new PassThrough();
    const errors = new PassThrough();
    let errorText = '';
    errors.on('data', (c: Buffer) => (errorText += c.toString('utf8')));
    const received: Buffer[] = [];
    fromPod.on('data', (c: Buffer) => received.push(c));
    const started = performance.now();
    this.requests++;
    let ws: WebSocket;
    try {
      ws = (await forward.portForward(namespace, pod.metadata.name, [containerPort], fromPod, errors, toPod)) as unknown as WebSocket;
    } catch (err) {
      throw this.refusalError(refusal, err, 'create', 'pods/portforward', namespace);
    }
    toPod.write(`GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nUser-Agent: roadside\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
    return await new Promise<HttpResult>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.signal.removeEventListener('abort', onAbort);
        ws.close();
        fn();
      };
      const tryParse = (final: boolean) => {
        const parsed = parseHttpResponse(Buffer.concat(received), final);
        if (parsed) finish(() => resolve({ ...parsed, latencyMs: performance.now() - started }));
        else if (final) finish(() => reject(new Error(errorText.trim() || `port-forward to ${pod.metadata.name}:${containerPort} closed without an HTTP answer`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`GET ${path} on service ${service}:${port} timed out after ${timeoutMs} ms`))), timeoutMs);
      const onAbort = () => finish(() => reject(this.signal.reason ?? new Error('aborted')));
      this.signal.addEventListener('abort', onAbort, { once: true });
      fromPod.on('data', () => tryParse(false));
      errors.on('data', () => {
        if (errorText.trim() && received.length === 0) finish(() => reject(new Error(errorText.trim())));
      });
      ws.on('close', () => setImmediate(() => tryParse(true)));
    });
  }

  async podMetrics(namespace?: string | null): Promise<PodMetric[]> {
    const ns = namespace === undefined ? this.names.namespace : namespace;
    try {
      const list = await this.requestJson<{ items?: any[] }>({
        path: ns === null ? '/apis/metrics.k8s.io/v1beta1/pods' : `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(ns)}/pods`,
      });
      return (list?.items ?? []).map((m) => ({
        namespace: m.metadata?.namespace,
        pod: m.metadata?.name,
        containers: (m.containers ?? []).map((c: any) => ({ name: c.name, cpuMillicores: parseCpuMillicores(c.usage?.cpu), memoryBytes: parseMemoryBytes(c.usage?.memory) })),
      }));
    } catch (err) {
      throw this.translate(err, 'list', 'pods.metrics.k8s.io', ns);
    }
  }

  async nodeMetrics(): Promise<NodeMetric[]> {
    try {
      const list = await this.requestJson<{ items?: any[] }>({ path: '/apis/metrics.k8s.io/v1beta1/nodes' });
      return (list?.items ?? []).map((m) => ({ node: m.metadata?.name, cpuMillicores: parseCpuMillicores(m.usage?.cpu), memoryBytes: parseMemoryBytes(m.usage?.memory) }));
    } catch (err) {
      throw this.translate(err, 'list', 'nodes.metrics.k8s.io');
    }
  }

  async nodeStatsSummary(node: string): Promise<any> {
    try {
      return await this.requestJson({ path: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/stats/summary` });
    } catch (err) {
      throw this.translate(err, 'get', 'nodes/proxy');
    }
  }

  /** Creates a short-lived pod (network.dns-probe, opt-in), waits for it, reads its log, deletes it. */
  runProbePod(spec: ProbePodSpec): Promise<ProbePodResult> {
    this.requests += 1;
    return new KubeProbePodRunner(this.kc, this.names.namespace).runProbePod({ ...spec, signal: spec.signal ?? this.signal });
  }

  async rulesReview(namespace: string): Promise<RulesReview> {
    try {
      const review = await this.requestJson<{ status?: { resourceRules?: PolicyRule[]; incomplete?: boolean } }>({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
      });
      return { resourceRules: review?.status?.resourceRules ?? [], incomplete: review?.status?.incomplete === true };
    } catch (err) {
      throw this.translate(err, 'create', 'selfsubjectrulesreviews.authorization.k8s.io');
    }
  }

  async can(verb: string, resource: string, opts: { group?: string; subresource?: string; namespace?: string | null; name?: string } = {}): Promise<boolean> {
    const namespace = opts.namespace === undefined ? this.names.namespace : (opts.namespace ?? undefined);
    try {
      const review = await this.requestJson<{ status?: { allowed?: boolean } }>({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb, resource, group: opts.group, subresource: opts.subresource, namespace, name: opts.name } },
        },
      });
      return review?.status?.allowed === true;
    } catch (err) {
      throw this.translate(err, 'create', 'selfsubjectaccessreviews.authorization.k8s.io');
    }
  }
}

/** The exit code in an exec Status: Success → 0, NonZeroExitCode → its ExitCode cause. */
export function exitCodeOf(status: V1Status | undefined): number | null {
  if (!status) return null;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (cause?.message !== undefined && /^\d+$/.test(cause.message)) return Number(cause.message);
  return null;
}

/** A Service targetPort (number or container port name) as the pod's port number. */
export function resolveTargetPort(target: number | string, pod: KObject): number | undefined {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    const p = (c.ports ?? []).find((x: any) => x.name === target);
    if (p) return p.containerPort;
  }
  return undefined;
}

/** Parses a raw HTTP/1.1 response once it is complete (Content-Length, chunked, or connection closed). */
export function parseHttpResponse(raw: Buffer, connectionClosed: boolean): Omit<HttpResult, 'latencyMs'> | undefined {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd === -1) return undefined;
  const head = raw.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const statusLine = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(head[0] ?? '');
  if (!statusLine) throw new Error(`not an HTTP response: ${head[0]?.slice(0, 80)}`);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) {
      const k = line.slice(0, i).trim().toLowerCase();
      headers[k] = headers[k] ? `${headers[k]}, ${line.slice(i + 1).trim()}` : line.slice(i + 1).trim();
    }
  }
  let body = raw.subarray(headerEnd + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const lineEnd = body.indexOf('\r\n', offset);
      if (lineEnd === -1) return connectionClosed ? { status: Number(statusLine[1]), headers, body: Buffer.concat(chunks).toString('utf8') } : undefined;
      const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
      if (size === 0) break;
      if (lineEnd + 2 + size > body.length) return connectionClosed ? { status: Number(statusLine[1]), headers, body: Buffer.concat(chunks).toString('utf8') } : undefined;
      chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(chunks);
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (body.length < length) return connectionClosed ? { status: Number(statusLine[1]), headers, body: body.toString('utf8') } : undefined;
    body = body.subarray(0, length);
  } else if (!connectionClosed) {
    return undefined;
  }
  return { status: Number(statusLine[1]), headers, body: body.toString('utf8') };
}
