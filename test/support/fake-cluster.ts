// An in-memory CheckContext for unit tests of check verdicts: the objects,
// logs and command replies a cluster would return. Integration tests use the
// real sandbox instead.
import {
  DEFAULT_SYSTEM_NAMES,
  ForbiddenError,
  type CheckContext,
  type ExecResult,
  type HttpResult,
  type KObject,
  type LogOptions,
  type NodeMetric,
  type PodMetric,
  type ResourceName,
  type SystemNames,
} from '../../src/main/checks/types';

export interface FakeClusterSpec {
  /** Objects by resource name, e.g. { pods: [...], 'deployments.apps': [...] }. */
  objects?: Partial<Record<ResourceName, KObject[]>>;
  /** Logs by "namespace/pod/container" (add "#previous" for the previous container). */
  logs?: Record<string, string>;
  exec?: (pod: string, container: string, argv: string[]) => ExecResult | undefined;
  http?: (service: string, port: number, path: string) => HttpResult | undefined;
  podMetrics?: PodMetric[];
  nodeMetrics?: NodeMetric[];
  statsSummary?: Record<string, unknown>;
  /** Resources (or "pods/exec", "pods/log", "services/proxy") the credentials may not use. */
  forbidden?: string[];
  params?: Record<string, string>;
  names?: Partial<SystemNames>;
  now?: Date;
}

export class FakeCluster implements CheckContext {
  readonly names: SystemNames;
  readonly params: Record<string, string>;
  readonly signal = new AbortController().signal;
  /** Every call, to assert what a check read. */
  readonly calls: string[] = [];

  constructor(private readonly spec: FakeClusterSpec = {}) {
    this.names = { ...DEFAULT_SYSTEM_NAMES, ...spec.names };
    this.params = spec.params ?? {};
  }

  now(): Date {
    return this.spec.now ?? new Date('2026-01-10T10:00:00Z');
  }

  private guard(verb: string, resource: string, namespace?: string): void {
    if (this.spec.forbidden?.includes(resource)) throw new ForbiddenError(verb, resource, namespace);
  }

  async list(resource: ResourceName, namespace?: string | null): Promise<KObject[]> {
    const ns = namespace === undefined ? this.names.namespace : namespace;
    this.calls.push(`list ${resource} ${ns ?? '*'}`);
    this.guard('list', resource, ns ?? undefined);
    const all = this.spec.objects?.[resource] ?? [];
    return ns === null ? all : all.filter((o) => !o.metadata.namespace || o.metadata.namespace === ns);
  }

  async get(resource: ResourceName, name: string, namespace?: string | null): Promise<KObject | undefined> {
    return (await this.list(resource, namespace)).find((o) => o.metadata.name === name);
  }

  async logs(pod: string, opts: LogOptions & { namespace?: string } = {}): Promise<string> {
    const ns = opts.namespace ?? this.names.namespace;
    this.guard('get', 'pods/log', ns);
    const key = `${ns}/${pod}/${opts.container ?? ''}${opts.previous ? '#previous' : ''}`;
    this.calls.push(`logs ${key}`);
    let text = this.spec.logs?.[key];
    if (text === undefined) {
      const prefix = `${ns}/${pod}/`;
      const match = Object.keys(this.spec.logs ?? {}).find((k) => k.startsWith(prefix) && !opts.container && k.endsWith('#previous') === !!opts.previous);
      text = match ? this.spec.logs![match] : '';
    }
    if (opts.tailLines !== undefined) text = text.split('\n').slice(-opts.tailLines - 1).join('\n');
    return text;
  }

  async exec(pod: string, container: string, argv: string[]): Promise<ExecResult> {
    this.guard('create', 'pods/exec');
    this.calls.push(`exec ${pod}/${container} ${argv.join(' ')}`);
    return this.spec.exec?.(pod, container, argv) ?? { stdout: '', stderr: `${argv[0]}: command not found`, exitCode: 127 };
  }

  async httpGet(service: string, port: number, path: string): Promise<HttpResult> {
    this.guard('create', 'pods/portforward');
    this.calls.push(`http ${service}:${port}${path}`);
    const r = this.spec.http?.(service, port, path);
    if (!r) throw new Error(`no endpoints available for service "${service}"`);
    return r;
  }

  async podMetrics(): Promise<PodMetric[]> {
    this.guard('list', 'pods.metrics.k8s.io');
    return this.spec.podMetrics ?? [];
  }

  async nodeMetrics(): Promise<NodeMetric[]> {
    this.guard('list', 'nodes.metrics.k8s.io');
    return this.spec.nodeMetrics ?? [];
  }

  async nodeStatsSummary(node: string): Promise<any> {
    this.guard('get', 'nodes/proxy');
    return this.spec.statsSummary?.[node] ?? { node: { nodeName: node }, pods: [] };
  }

  async can(verb: string, resource: string, opts: { subresource?: string } = {}): Promise<boolean> {
    const full = opts.subresource ? `${resource}/${opts.subresource}` : resource;
    return !this.spec.forbidden?.includes(full);
  }
}
