// What a check may use to read the cluster. Checks read only through this
// context; the engine provides one per run with a shared read cache.
import type { PolicyRule } from '../kube/rbac-rules';
import type { CheckInfo, Evidence, Finding, Remediation } from '../../shared/checks';
import type { NodeShell } from '../ssh/node-shell';

/** A Kubernetes object as returned by the API (plain JSON). */
export type KObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
    [k: string]: unknown;
  };
  spec?: any;
  status?: any;
  data?: Record<string, string>;
  [k: string]: any;
};

/**
 * Resources checks may list, named as `<plural>` for the core group and
 * `<plural>.<group>` otherwise (as kubectl names them).
 */
export type ResourceName =
  | 'pods'
  | 'services'
  | 'endpoints'
  | 'events'
  | 'secrets'
  | 'configmaps'
  | 'persistentvolumeclaims'
  | 'persistentvolumes'
  | 'nodes'
  | 'namespaces'
  | 'deployments.apps'
  | 'statefulsets.apps'
  | 'replicasets.apps'
  | 'daemonsets.apps'
  | 'ingresses.networking.k8s.io'
  | 'ingressclasses.networking.k8s.io'
  | 'networkpolicies.networking.k8s.io'
  | 'storageclasses.storage.k8s.io'
  | 'horizontalpodautoscalers.autoscaling'
  | 'certificates.cert-manager.io'
  | 'servicemonitors.monitoring.coreos.com'
  | 'endpointslices.discovery.k8s.io';

/** The status of a SelfSubjectRulesReview. `incomplete`: an authorizer could not list its rules, so a rule missing here may still be granted. */
export interface RulesReview {
  resourceRules: PolicyRule[];
  incomplete: boolean;
}

/** Thrown by the context when the credentials may not do something; the engine turns it into `skipped`. */
export class ForbiddenError extends Error {
  constructor(
    readonly verb: string,
    readonly resource: string,
    readonly namespace?: string,
  ) {
    super(`not allowed to ${verb} ${resource}${namespace ? ` in namespace ${namespace}` : ''}`);
    this.name = 'ForbiddenError';
  }
}

/** Thrown when the cluster cannot be reached or refuses the credentials (401). */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** null when the command could not be started. */
  exitCode: number | null;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  latencyMs: number;
}

export interface PodMetric {
  namespace: string;
  pod: string;
  containers: Array<{ name: string; cpuMillicores: number; memoryBytes: number }>;
}

export interface NodeMetric {
  node: string;
  cpuMillicores: number;
  memoryBytes: number;
}

export interface LogOptions {
  container?: string;
  tailLines?: number;
  sinceSeconds?: number;
  previous?: boolean;
  timestamps?: boolean;
}

/** Names of the traffic-system's parts; configurable, with the runbook's defaults. */
export interface SystemNames {
  namespace: string;
  release: string;
  /** Values of app.kubernetes.io/component. */
  components: { frontend: string; backend: string; mlService: string };
  postgresStatefulSet: string;
  postgresUser: string;
  postgresDatabase: string;
  ingressNamespace: string;
  backendService: string;
  backendPort: number;
  minioService: string;
  prometheusService: string;
}

export const DEFAULT_SYSTEM_NAMES: SystemNames = {
  namespace: 'traffic-system',
  release: 'traffic-system',
  components: { frontend: 'frontend', backend: 'backend', mlService: 'ml-service' },
  postgresStatefulSet: 'traffic-system-postgresql',
  postgresUser: 'trafficuser',
  postgresDatabase: 'trafficdb',
  ingressNamespace: 'ingress-nginx',
  backendService: 'traffic-system-backend',
  backendPort: 8000,
  minioService: 'traffic-system-minio',
  prometheusService: 'traffic-system-prometheus-server',
};

export interface CheckContext {
  names: SystemNames;
  /** Parameters given by the engineer (e.g. { username: 'ana' } for auth.app-user-permissions). */
  params: Record<string, string>;
  signal: AbortSignal;
  /** This machine's clock (tests may fix it). */
  now(): Date;
  /** Lists a resource; namespace undefined = the run's namespace, null = cluster-wide. Cached per run. */
  list(resource: ResourceName, namespace?: string | null): Promise<KObject[]>;
  /** Reads one object (from the list cache when that list was read). undefined when absent. */
  get(resource: ResourceName, name: string, namespace?: string | null): Promise<KObject | undefined>;
  /** A container's log. Cached per run. */
  logs(pod: string, opts?: LogOptions & { namespace?: string }): Promise<string>;
  /** Runs a fixed argv in a container (never a shell line built from input). */
  exec(pod: string, container: string, argv: string[], opts?: { namespace?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** An HTTP GET to a Service port through port-forward to one of its ready pods. */
  httpGet(service: string, port: number, path: string, opts?: { namespace?: string; timeoutMs?: number }): Promise<HttpResult>;
  podMetrics(namespace?: string | null): Promise<PodMetric[]>;
  nodeMetrics(): Promise<NodeMetric[]>;
  /** The kubelet stats summary of a node (through the API server's node proxy). */
  nodeStatsSummary(node: string): Promise<any>;
  /** SelfSubjectAccessReview. */
  can(verb: string, resource: string, opts?: { group?: string; subresource?: string; namespace?: string | null; name?: string }): Promise<boolean>;
  /** SelfSubjectRulesReview: what the credentials may do in a namespace, in one request (a real cluster's context has it). */
  rulesReview?(namespace: string): Promise<RulesReview>;
  /** Commands on the nodes over SSH (the node checks); absent when node access is not configured. */
  nodeShell?: NodeShell;
}

export interface CheckOutcome {
  status: Finding['status'];
  message: string;
  evidence?: Evidence[];
  remediation?: Remediation[];
  actions?: string[];
}

/** Kinds that live outside namespaces: their one list is read with namespace null. */
export const CLUSTER_SCOPED_RESOURCES: ReadonlySet<ResourceName> = new Set<ResourceName>([
  'persistentvolumes',
  'nodes',
  'namespaces',
  'ingressclasses.networking.k8s.io',
  'storageclasses.storage.k8s.io',
]);

/** A list a check reads: a resource in the run's namespace, or in the namespace given (null: all namespaces). */
export type ListRead = ResourceName | readonly [ResourceName, string | null];

export interface Check extends CheckInfo {
  /** The kubectl commands that show what the check read (namespace substituted by the engine). */
  kubectl(names: SystemNames): string[];
  /**
   * The lists the check reads on every run. The engine fetches them all as the run starts,
   * so a check that starts late finds them read, and a `get` of one of their objects is
   * answered from the list.
   */
  reads?(names: SystemNames): readonly ListRead[];
  run(ctx: CheckContext): Promise<CheckOutcome>;
}
