// The CheckContext of a real cluster, through @kubernetes/client-node: lists and reads,
// logs, exec and port-forward over the API server's WebSocket, metrics and access reviews.
// Every request goes to the API server named in the kubeconfig; no address read from the
// cluster (pod or node IPs) is ever dialled.
import { createHash } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import {
  AppsV1Api,
  AuthorizationV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  Exec,
  Metrics,
  NetworkingV1Api,
  PortForward,
  StorageV1Api,
  type KubeConfig,
  type V1Status,
} from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { of } from '@kubernetes/client-node/dist/gen/rxjsStub.js';
import type WebSocket from 'ws';
import {
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
  type SystemNames,
} from './types';
import { webSocketHandlerRecordingRefusal } from '../kube/websocket';
import { KubeProbePodRunner, type ProbePodResult, type ProbePodRunner, type ProbePodSpec } from './probe-pod';
import { isPodReady, parseCpuMillicores, parseMemoryBytes, selectsLabels } from './runbook/common';

type AgentFactory = (cluster: unknown, options: Record<string, unknown>) => unknown;
const CONNECTION_REUSE = Symbol('roadside.connectionReuse');

/**
 * client-node makes a new agent, so a new TCP and TLS connection, for every request.
 * A run makes dozens of requests to one server with the same credentials: keep the
 * connections alive and share one agent per distinct TLS setup. Idle sockets of a
 * keep-alive agent are unref'd, so they never keep the CLI from exiting.
 */
function reuseConnections(kc: KubeConfig): void {
  const target = kc as unknown as { createAgent: AgentFactory; [CONNECTION_REUSE]?: true };
  if (target[CONNECTION_REUSE]) return;
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, unknown>();
  target.createAgent = (cluster, options) => {
    const c = cluster as { server?: string; proxyUrl?: string } | undefined;
    if (c?.proxyUrl) return original(cluster, options);
    const key = createHash('sha256')
      .update(JSON.stringify([c?.server, options.ca, options.cert, options.key, options.pfx, options.servername, options.rejectUnauthorized]))
      .digest('hex');
    let agent = agents.get(key);
    if (!agent) {
      agent = original(cluster, { ...options, keepAlive: true, maxSockets: 32 });
      agents.set(key, agent);
    }
    return agent;
  };
  target[CONNECTION_REUSE] = true;
}

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

type Lister = (namespace: string | null) => Promise<unknown>;

interface ResourceApi {
  /** The list type for ObjectSerializer, e.g. V1PodList (absent: plain JSON already). */
  listType?: string;
  list: Lister;
  /** CRD groups may be absent from the cluster: a 404 on the list then means "none". */
  optionalGroup?: boolean;
  clusterScoped?: boolean;
}

const NETWORK_CODES = new Set([
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
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly storage: StorageV1Api;
  private readonly autoscaling: AutoscalingV2Api;
  private readonly custom: CustomObjectsApi;
  private readonly discovery: DiscoveryV1Api;
  private readonly authorization: AuthorizationV1Api;
  private readonly resources: Record<ResourceName, ResourceApi>;

  constructor(opts: ClusterContextOptions) {
    this.kc = opts.kubeConfig;
    reuseConnections(this.kc);
    this.names = { ...DEFAULT_SYSTEM_NAMES, ...opts.names, ...(opts.namespace ? { namespace: opts.namespace } : {}) };
    this.params = opts.params ?? {};
    this.signal = opts.signal ?? new AbortController().signal;
    this.clock = opts.now ?? (() => new Date());
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.apps = this.kc.makeApiClient(AppsV1Api);
    this.networking = this.kc.makeApiClient(NetworkingV1Api);
    this.storage = this.kc.makeApiClient(StorageV1Api);
    this.autoscaling = this.kc.makeApiClient(AutoscalingV2Api);
    this.custom = this.kc.makeApiClient(CustomObjectsApi);
    this.discovery = this.kc.makeApiClient(DiscoveryV1Api);
    this.authorization = this.kc.makeApiClient(AuthorizationV1Api);
    this.resources = this.resourceApis();
  }

  /** API requests made so far (lists, reads, logs, exec and port-forward sessions, metrics, reviews). */
  get requestCount(): number {
    return this.requests;
  }

  now(): Date {
    return this.clock();
  }

  /** Per-request options: count it, and abort it with the run or after the request timeout. */
  private options() {
    const signal = AbortSignal.any([this.signal, AbortSignal.timeout(this.requestTimeoutMs)]);
    const count = () => this.requests++;
    return {
      middleware: [
        {
          // The object-style API runs observable middleware (client-node's own `of`).
          pre: (ctx: { setSignal(s: AbortSignal): void }) => {
            count();
            ctx.setSignal(signal);
            return of(ctx);
          },
          post: <T>(res: T) => of(res),
        },
      ],
      middlewareMergeStrategy: 'append' as const,
    } as any;
  }

  private resourceApis(): Record<ResourceName, ResourceApi> {
    const o = () => this.options();
    const ns = (namespace: string | null) => namespace ?? '';
    const core = this.core;
    const apps = this.apps;
    const net = this.networking;
    const custom = (group: string, plural: string): Lister => (namespace) =>
      namespace === null
        ? this.custom.listClusterCustomObject({ group, version: 'v1', plural }, o())
        : this.custom.listNamespacedCustomObject({ group, version: 'v1', namespace, plural }, o());
    return {
      pods: { listType: 'V1PodList', list: (n) => (n === null ? core.listPodForAllNamespaces({}, o()) : core.listNamespacedPod({ namespace: ns(n) }, o())) },
      services: { listType: 'V1ServiceList', list: (n) => (n === null ? core.listServiceForAllNamespaces({}, o()) : core.listNamespacedService({ namespace: ns(n) }, o())) },
      endpoints: { listType: 'V1EndpointsList', list: (n) => (n === null ? core.listEndpointsForAllNamespaces({}, o()) : core.listNamespacedEndpoints({ namespace: ns(n) }, o())) },
      events: { listType: 'CoreV1EventList', list: (n) => (n === null ? core.listEventForAllNamespaces({}, o()) : core.listNamespacedEvent({ namespace: ns(n) }, o())) },
      secrets: { listType: 'V1SecretList', list: (n) => (n === null ? core.listSecretForAllNamespaces({}, o()) : core.listNamespacedSecret({ namespace: ns(n) }, o())) },
      configmaps: { listType: 'V1ConfigMapList', list: (n) => (n === null ? core.listConfigMapForAllNamespaces({}, o()) : core.listNamespacedConfigMap({ namespace: ns(n) }, o())) },
      persistentvolumeclaims: {
        listType: 'V1PersistentVolumeClaimList',
        list: (n) => (n === null ? core.listPersistentVolumeClaimForAllNamespaces({}, o()) : core.listNamespacedPersistentVolumeClaim({ namespace: ns(n) }, o())),
      },
      persistentvolumes: { listType: 'V1PersistentVolumeList', clusterScoped: true, list: () => core.listPersistentVolume({}, o()) },
      nodes: { listType: 'V1NodeList', clusterScoped: true, list: () => core.listNode({}, o()) },
      namespaces: { listType: 'V1NamespaceList', clusterScoped: true, list: () => core.listNamespace({}, o()) },
      'deployments.apps': { listType: 'V1DeploymentList', list: (n) => (n === null ? apps.listDeploymentForAllNamespaces({}, o()) : apps.listNamespacedDeployment({ namespace: ns(n) }, o())) },
      'statefulsets.apps': { listType: 'V1StatefulSetList', list: (n) => (n === null ? apps.listStatefulSetForAllNamespaces({}, o()) : apps.listNamespacedStatefulSet({ namespace: ns(n) }, o())) },
      'replicasets.apps': { listType: 'V1ReplicaSetList', list: (n) => (n === null ? apps.listReplicaSetForAllNamespaces({}, o()) : apps.listNamespacedReplicaSet({ namespace: ns(n) }, o())) },
      'daemonsets.apps': { listType: 'V1DaemonSetList', list: (n) => (n === null ? apps.listDaemonSetForAllNamespaces({}, o()) : apps.listNamespacedDaemonSet({ namespace: ns(n) }, o())) },
      'ingresses.networking.k8s.io': { listType: 'V1IngressList', list: (n) => (n === null ? net.listIngressForAllNamespaces({}, o()) : net.listNamespacedIngress({ namespace: ns(n) }, o())) },
      'ingressclasses.networking.k8s.io': { listType: 'V1IngressClassList', clusterScoped: true, list: () => net.listIngressClass({}, o()) },
      'networkpolicies.networking.k8s.io': {
        listType: 'V1NetworkPolicyList',
        list: (n) => (n === null ? net.listNetworkPolicyForAllNamespaces({}, o()) : net.listNamespacedNetworkPolicy({ namespace: ns(n) }, o())),
      },
      'storageclasses.storage.k8s.io': { listType: 'V1StorageClassList', clusterScoped: true, list: () => this.storage.listStorageClass({}, o()) },
      'horizontalpodautoscalers.autoscaling': {
        listType: 'V2HorizontalPodAutoscalerList',
        list: (n) =>
          n === null
            ? this.autoscaling.listHorizontalPodAutoscalerForAllNamespaces({}, o())
            : this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns(n) }, o()),
      },
      'certificates.cert-manager.io': { optionalGroup: true, list: custom('cert-manager.io', 'certificates') },
      'servicemonitors.monitoring.coreos.com': { optionalGroup: true, list: custom('monitoring.coreos.com', 'servicemonitors') },
      'endpointslices.discovery.k8s.io': {
        listType: 'V1EndpointSliceList',
        list: (n) => (n === null ? this.discovery.listEndpointSliceForAllNamespaces({}, o()) : this.discovery.listNamespacedEndpointSlice({ namespace: ns(n) }, o())),
      },
    };
  }

  /** Turns a client error into the engine's errors (forbidden, unreachable) or a plain message. */
  private translate(err: unknown, verb: string, resource: string, namespace?: string | null): Error {
    if (err instanceof ForbiddenError || err instanceof UnreachableError) return err;
    const status = httpStatus(err);
    if (status === 403) return new ForbiddenError(verb, resource, namespace ?? undefined);
    if (status === 401) return new UnreachableError(`the cluster refused the credentials (401 Unauthorized): ${statusMessage(err)}`);
    const name = (err as { name?: string })?.name;
    if (name === 'AbortError' || (err as { type?: string })?.type === 'aborted') {
      if (this.signal.aborted) return err instanceof Error ? err : new Error(String(err));
      return new Error(`${verb} ${resource} timed out after ${this.requestTimeoutMs} ms`);
    }
    const code = errorCode(err);
    if (code && (NETWORK_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('CERT_'))) {
      return new UnreachableError(`cannot reach the API server ${this.kc.getCurrentCluster()?.server ?? ''}: ${code} ${err instanceof Error ? err.message : ''}`.trim());
    }
    if (status !== undefined) return new Error(`${verb} ${resource}${namespace ? ` in ${namespace}` : ''}: HTTP ${status} ${statusMessage(err)}`);
    return err instanceof Error ? err : new Error(String(err));
  }

  async list(resource: ResourceName, namespace?: string | null): Promise<KObject[]> {
    const api = this.resources[resource];
    if (!api) throw new Error(`unknown resource ${resource}`);
    const ns = api.clusterScoped ? null : namespace === undefined ? this.names.namespace : namespace;
    try {
      const raw = await api.list(ns);
      const plain = api.listType ? ObjectSerializer.serialize(raw, api.listType, '') : raw;
      return ((plain as { items?: KObject[] })?.items ?? []) as KObject[];
    } catch (err) {
      if (api.optionalGroup && httpStatus(err) === 404) return [];
      throw this.translate(err, 'list', resource, ns);
    }
  }

  async get(resource: ResourceName, name: string, namespace?: string | null): Promise<KObject | undefined> {
    const ns = namespace === undefined ? this.names.namespace : namespace;
    try {
      switch (resource) {
        case 'secrets':
          return ObjectSerializer.serialize(await this.core.readNamespacedSecret({ name, namespace: ns ?? '' }, this.options()), 'V1Secret', '');
        case 'services':
          return ObjectSerializer.serialize(await this.core.readNamespacedService({ name, namespace: ns ?? '' }, this.options()), 'V1Service', '');
        case 'pods':
          return ObjectSerializer.serialize(await this.core.readNamespacedPod({ name, namespace: ns ?? '' }, this.options()), 'V1Pod', '');
        case 'configmaps':
          return ObjectSerializer.serialize(await this.core.readNamespacedConfigMap({ name, namespace: ns ?? '' }, this.options()), 'V1ConfigMap', '');
        case 'deployments.apps':
          return ObjectSerializer.serialize(await this.apps.readNamespacedDeployment({ name, namespace: ns ?? '' }, this.options()), 'V1Deployment', '');
        case 'statefulsets.apps':
          return ObjectSerializer.serialize(await this.apps.readNamespacedStatefulSet({ name, namespace: ns ?? '' }, this.options()), 'V1StatefulSet', '');
        default:
          // Other kinds: read the list (it is cached by the engine) and pick the object.
          return (await this.list(resource, namespace)).find((o) => o.metadata.name === name);
      }
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw this.translate(err, 'get', resource, ns);
    }
  }

  async logs(pod: string, opts: LogOptions & { namespace?: string } = {}): Promise<string> {
    const namespace = opts.namespace ?? this.names.namespace;
    try {
      const text = await this.core.readNamespacedPodLog(
        {
          name: pod,
          namespace,
          ...(opts.container ? { container: opts.container } : {}),
          ...(opts.tailLines !== undefined ? { tailLines: opts.tailLines } : {}),
          ...(opts.sinceSeconds !== undefined ? { sinceSeconds: opts.sinceSeconds } : {}),
          ...(opts.previous ? { previous: true } : {}),
          ...(opts.timestamps ? { timestamps: true } : {}),
        },
        this.options(),
      );
      return typeof text === 'string' ? text : String(text ?? '');
    } catch (err) {
      throw this.translate(err, 'get', 'pods/log', namespace);
    }
  }

  /** A WebSocket handler that remembers why the API server refused an upgrade. */
  private webSocketHandler() {
    return webSocketHandlerRecordingRefusal(this.kc);
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
    const { handler, refusal } = this.webSocketHandler();
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

  async httpGet(service: string, port: number, path: string, opts: { namespace?: string; timeoutMs?: number } = {}): Promise<HttpResult> {
    const namespace = opts.namespace ?? this.names.namespace;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS;
    const svc = await this.get('services', service, namespace);
    if (!svc) throw new Error(`service "${service}" not found in namespace ${namespace}`);
    const servicePort = (svc.spec?.ports ?? []).find((p: any) => p.port === port);
    if (!servicePort) throw new Error(`service "${service}" has no port ${port}`);
    const pods = (await this.list('pods', namespace)).filter((p) => selectsLabels(svc.spec?.selector, p.metadata.labels) && isPodReady(p));
    const pod = pods[0];
    if (!pod) throw new Error(`no endpoints available for service "${service}"`);
    const containerPort = resolveTargetPort(servicePort.targetPort ?? port, pod);
    if (containerPort === undefined) throw new Error(`service "${service}" targetPort ${servicePort.targetPort} matches no port of pod ${pod.metadata.name}`);

    const { handler, refusal } = this.webSocketHandler();
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
    this.requests++;
    try {
      const list = await new Metrics(this.kc).getPodMetrics(ns ?? undefined);
      return list.items.map((m) => ({
        namespace: m.metadata.namespace,
        pod: m.metadata.name,
        containers: m.containers.map((c) => ({ name: c.name, cpuMillicores: parseCpuMillicores(c.usage.cpu), memoryBytes: parseMemoryBytes(c.usage.memory) })),
      }));
    } catch (err) {
      throw this.translate(err, 'list', 'pods.metrics.k8s.io', ns);
    }
  }

  async nodeMetrics(): Promise<NodeMetric[]> {
    this.requests++;
    try {
      const list = await new Metrics(this.kc).getNodeMetrics();
      return list.items.map((m) => ({ node: m.metadata.name, cpuMillicores: parseCpuMillicores(m.usage.cpu), memoryBytes: parseMemoryBytes(m.usage.memory) }));
    } catch (err) {
      throw this.translate(err, 'list', 'nodes.metrics.k8s.io');
    }
  }

  async nodeStatsSummary(node: string): Promise<any> {
    try {
      const text = await this.core.connectGetNodeProxyWithPath({ name: node, path: 'stats/summary' }, this.options());
      return typeof text === 'string' ? JSON.parse(text) : text;
    } catch (err) {
      throw this.translate(err, 'get', 'nodes/proxy');
    }
  }

  /** Creates a short-lived pod (network.dns-probe, opt-in), waits for it, reads its log, deletes it. */
  runProbePod(spec: ProbePodSpec): Promise<ProbePodResult> {
    this.requests += 1;
    return new KubeProbePodRunner(this.kc, this.names.namespace).runProbePod({ ...spec, signal: spec.signal ?? this.signal });
  }

  async can(verb: string, resource: string, opts: { group?: string; subresource?: string; namespace?: string | null; name?: string } = {}): Promise<boolean> {
    const namespace = opts.namespace === undefined ? this.names.namespace : (opts.namespace ?? undefined);
    try {
      const review = await this.authorization.createSelfSubjectAccessReview(
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { verb, resource, group: opts.group, subresource: opts.subresource, namespace, name: opts.name } },
          },
        },
        this.options(),
      );
      return review.status?.allowed === true;
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
