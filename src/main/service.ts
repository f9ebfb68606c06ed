// The one core behind the three doors (Electron IPC, the loopback HTTP host, the CLI).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  isChannel,
  requestSchemas,
  type AppInfo,
  type Channel,
  type NamespaceList,
  type ParsedRequestOf,
  type RequestOf,
  type ResponseOf,
  type RoadsideEvent,
  type Settings,
} from '../shared/contract';
import type { DiagnoseResult } from '../shared/checks';
import { DEFAULT_NAMESPACE, type ContextList, type Reachability } from '../shared/kube';
import { fail, ok, type Result } from '../shared/result';
import { RoadsideError, toErrorShape } from './errors';
import { loadContexts, type KubeconfigSources, type ResolvedContexts } from './kube/kubeconfig';
import { apiRequestJson } from './kube/api-connection';
import { SANDBOX_CONTEXT, SandboxManager } from './sandbox/manager';
import { SettingsStore } from './settings';
import { actionRequests, type ActionChannel } from '../shared/contract-actions';
import { incidentRequests, type IncidentChannel } from '../shared/contract-incidents';
import { observeRequests, type ObserveChannel } from '../shared/contract-observe';
import { reportRequests } from '../shared/contract-report';
import { sshRequests } from '../shared/contract-ssh';
import { SshAccess } from './ssh/access';

function contextNamespace(kc: KubeConfig): string | undefined {
  const current = kc.getContextObject(kc.getCurrentContext());
  return current?.namespace || undefined;
}

export interface ServiceOptions {
  dataDir: string;
  door: AppInfo['door'];
  version: string;
  systemLocale?: string;
  /** Overrides for kubeconfig discovery (tests, --kubeconfig). Extra files here are not remembered. */
  kubeconfig?: Omit<KubeconfigSources, 'extraFiles'> & { sessionFiles?: string[] };
}

type Handlers = { [C in Channel]: (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> };

/** Handlers of one area (incidents, reports …), written in their own file and merged here. */
export type AreaHandlers<K extends Channel> = { [C in K]: (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> };

/**
 * An area's handlers, its module loaded on the area's first request: a CLI command loads
 * only what it uses (a diagnosis needs neither SQLite nor the report's zip writer).
 */
function lazyArea<K extends Channel>(channels: readonly K[], load: () => Promise<AreaHandlers<K>>): AreaHandlers<K> {
  let area: Promise<AreaHandlers<K>> | undefined;
  const handlers = {} as Record<K, (request: never) => Promise<unknown>>;
  for (const channel of channels) {
    handlers[channel] = async (request: never) => {
      area ??= load();
      area.catch(() => (area = undefined));
      const loaded = (await area) as Record<K, (request: never) => Promise<unknown>>;
      return loaded[channel](request);
    };
  }
  return handlers as unknown as AreaHandlers<K>;
}

const channelsOf = <T extends object>(requests: T) => Object.keys(requests) as Array<keyof T & Channel>;

export class RoadsideService {
  readonly settings: SettingsStore;
  readonly sandbox: SandboxManager;
  /** Renders HTML to PDF; only the desktop door can (Electron's printToPDF). */
  pdfPrinter?: (html: string) => Promise<Buffer>;
  /** SSH settings per context, bastion tunnels for the API server, node shells for runs. */
  readonly ssh: SshAccess;
  private readonly listeners = new Set<(event: RoadsideEvent) => void>();
  private readonly reachability = new Map<string, Reachability>();
  private readonly runs = new Map<string, AbortController>();

  constructor(private readonly options: ServiceOptions) {
    this.settings = new SettingsStore(options.dataDir);
    this.sandbox = new SandboxManager(options.dataDir);
    this.ssh = new SshAccess({ dataDir: options.dataDir, sandboxContext: SANDBOX_CONTEXT, sandboxUrl: () => this.sandbox.status().url });
    this.onShutdown(() => this.ssh.close());
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  private readonly shutdownHooks: Array<() => void | Promise<void>> = [];

  /** Areas that hold resources (the incident store) release them on shutdown. */
  onShutdown(hook: () => void | Promise<void>): void {
    this.shutdownHooks.push(hook);
  }

  /** Stops what this process serves (the sandbox); call on exit. */
  async shutdown(): Promise<void> {
    if (this.sandbox.status().owner === 'this-process') await this.sandbox.stop();
    for (const hook of this.shutdownHooks.splice(0)) await hook();
  }

  onEvent(listener: (event: RoadsideEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Pushes an event to every open UI (and the CLI's progress output). */
  emit(event: RoadsideEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener (a closed window) must not stop the others.
      }
    }
  }

  /** Validates an untrusted payload and runs the handler; never throws. */
  async dispatch(channel: unknown, payload: unknown): Promise<Result<unknown>> {
    if (!isChannel(channel)) return fail('invalid-input', `unknown request "${String(channel)}"`);
    const parsed = requestSchemas[channel].safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
      return fail('invalid-input', `invalid ${channel} request${where}: ${issue?.message ?? 'invalid'}`);
    }
    try {
      const handler = this.handlers[channel] as (r: unknown) => Promise<unknown>;
      return ok(await handler(parsed.data));
    } catch (err) {
      const shape = toErrorShape(err);
      return { ok: false, error: shape };
    }
  }

  /** Typed entry for in-process callers (the CLI): throws RoadsideError on failure. */
  async call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    const result = await this.dispatch(channel, request);
    if (!result.ok) throw new RoadsideError(result.error.code, result.error.message, result.error.details);
    return result.value as ResponseOf<C>;
  }

  resolveContexts(): ResolvedContexts {
    const settings = this.settings.get();
    const k = this.options.kubeconfig ?? {};
    const sandboxFile = this.sandbox.liveKubeconfig();
    const resolved = loadContexts({
      kubeconfigEnv: k.kubeconfigEnv,
      platform: k.platform,
      home: k.home,
      extraFiles: [...settings.extraKubeconfigs, ...(k.sessionFiles ?? []), ...(sandboxFile ? [sandboxFile] : [])],
    });
    for (const c of resolved.contexts) if (sandboxFile && c.sourceFile === sandboxFile) c.builtin = true;
    return resolved;
  }

  /** The KubeConfig of a context (default: the selected one) as its kubeconfig files say, without the bastion. */
  contextKubeConfig(context?: string, resolved: ResolvedContexts = this.resolveContexts()): { name: string; kc: KubeConfig } {
    const name = context ?? this.selection(resolved).context;
    if (!name) throw new RoadsideError('invalid-input', 'no context is selected and none was given');
    const kc = resolved.configs.get(name);
    if (!kc) {
      const problem = resolved.problems.find((p) => p.entry === name);
      if (problem) throw new RoadsideError('invalid-input', `context "${name}" cannot be used: ${problem.reason} (${problem.file})`);
      throw new RoadsideError('not-found', `no context named "${name}" in ${resolved.files.join(', ') || 'any kubeconfig'}`);
    }
    return { name, kc };
  }

  /** The KubeConfig every API call of a context uses: with a bastion configured, through its SSH tunnel. */
  async kubeConfigFor(context?: string, resolved?: ResolvedContexts): Promise<{ name: string; kc: KubeConfig }> {
    const { name, kc } = this.contextKubeConfig(context, resolved);
    return { name, kc: await this.ssh.kubeConfigThroughBastion(name, kc) };
  }

  private selection(resolved: ResolvedContexts): ContextList['selected'] {
    const s = this.settings.get();
    const names = new Set(resolved.contexts.map((c) => c.name));
    const current = resolved.contexts.find((c) => c.isCurrent)?.name;
    const sandbox = names.has(SANDBOX_CONTEXT) ? SANDBOX_CONTEXT : undefined;
    const context =
      s.selectedContext && names.has(s.selectedContext) ? s.selectedContext : (current ?? sandbox ?? resolved.contexts[0]?.name);
    const ctxInfo = resolved.contexts.find((c) => c.name === context);
    const namespace =
      s.selectedContext === context && s.selectedNamespace ? s.selectedNamespace : (ctxInfo?.namespace ?? DEFAULT_NAMESPACE);
    return { ...(context ? { context } : {}), namespace };
  }

  private contextList(): ContextList {
    const resolved = this.resolveContexts();
    return {
      contexts: resolved.contexts,
      problems: resolved.problems,
      files: resolved.files,
      selected: this.selection(resolved),
    };
  }

  private readonly handlers: Handlers = {
    'app.info': async () => ({
      version: this.options.version,
      dataDir: this.options.dataDir,
      platform: process.platform,
      door: this.options.door,
      systemLocale: this.options.systemLocale ?? Intl.DateTimeFormat().resolvedOptions().locale,
    }),
    'settings.get': async () => this.settings.get(),
    'settings.update': async (patch) => {
      const settings = this.settings.update(patch as Partial<Settings>);
      this.emit({ type: 'settings-changed', settings });
      return settings;
    },
    'contexts.list': async () => this.contextList(),
    'contexts.probe': async ({ contexts, timeoutMs }) => {
      const resolved = this.resolveContexts();
      if (contexts) {
        const unknown = contexts.filter((c) => !resolved.configs.has(c));
        if (unknown.length) throw new RoadsideError('not-found', `no usable context named ${unknown.map((u) => `"${u}"`).join(', ')}`);
      }
      const wanted = new Map(
        await Promise.all(
          [...resolved.configs].filter(([name]) => !contexts || contexts.includes(name)).map(async ([name, kc]) => [name, await this.ssh.kubeConfigThroughBastion(name, kc)] as const),
        ),
      );
      const timeout = timeoutMs ?? this.settings.get().probeTimeoutMs;
      const { probeAll } = await import('./kube/reachability');
      return probeAll(wanted, timeout, (context, reachability) => {
        this.reachability.set(context, reachability);
        this.emit({ type: 'reachability', context, reachability });
      });
    },
    'contexts.select': async ({ context, namespace }) => {
      const resolved = this.resolveContexts();
      const info = resolved.contexts.find((c) => c.name === context);
      if (!info) throw new RoadsideError('not-found', `no usable context named "${context}"`);
      this.settings.update({ selectedContext: context, selectedNamespace: namespace ?? info.namespace ?? DEFAULT_NAMESPACE });
      this.emit({ type: 'contexts-changed' });
      return this.selection(this.resolveContexts());
    },
    'namespaces.list': async ({ context }) => this.listNamespaces(context),
    'checks.list': async () => (await import('./checks/registry')).listCheckInfo(),
    'diagnose.run': async (req) => this.runDiagnosis(req),
    'diagnose.cancel': async ({ runId }) => {
      const controller = this.runs.get(runId);
      controller?.abort();
      return { cancelled: !!controller };
    },
    'sandbox.scenarios': async () => this.sandbox.scenarios(),
    'sandbox.status': async () => this.sandbox.status(),
    'sandbox.start': async (req) => {
      const status = await this.sandbox.start(req);
      this.emit({ type: 'sandbox-changed', status });
      this.emit({ type: 'contexts-changed' });
      return status;
    },
    'sandbox.stop': async () => {
      const status = await this.sandbox.stop();
      this.emit({ type: 'sandbox-changed', status });
      this.emit({ type: 'contexts-changed' });
      return status;
    },
    'kubeconfig.add': async ({ path }) => {
      const file = resolve(path);
      if (!existsSync(file)) throw new RoadsideError('invalid-input', `${file}: file not found`);
      if (!statSync(file).isFile()) throw new RoadsideError('invalid-input', `${file}: not a file`);
      const s = this.settings.get();
      if (!s.extraKubeconfigs.includes(file)) this.settings.update({ extraKubeconfigs: [...s.extraKubeconfigs, file] });
      this.emit({ type: 'contexts-changed' });
      return this.contextList();
    },
    'kubeconfig.remove': async ({ path }) => {
      const file = resolve(path);
      const s = this.settings.get();
      if (!s.extraKubeconfigs.includes(file)) throw new RoadsideError('not-found', `${file} was not added in Roadside`);
      this.settings.update({ extraKubeconfigs: s.extraKubeconfigs.filter((f) => f !== file) });
      this.emit({ type: 'contexts-changed' });
      return this.contextList();
    },
    ...lazyArea(channelsOf(incidentRequests) as IncidentChannel[], async () => {
      const area = (await import('./handlers/incidents')).createIncidentHandlers(this);
      this.incidentsLoaded = true;
      return area;
    }),
    ...lazyArea(channelsOf(reportRequests), async () => (await import('./handlers/report')).createReportHandlers(this)),
    ...lazyArea(channelsOf(observeRequests) as ObserveChannel[], async () => (await import('./handlers/observe')).createObserveHandlers(this)),
    ...lazyArea(channelsOf(actionRequests) as ActionChannel[], async () => (await import('./handlers/actions')).createActionHandlers(this)),
    ...lazyArea(channelsOf(sshRequests), async () => (await import('./handlers/ssh')).createSshHandlers(this)),
  };

  /** Whether the incidents area was used in this process (only then can an incident be active). */
  private incidentsLoaded = false;

  private async runDiagnosis(req: ParsedRequestOf<'diagnose.run'>): Promise<DiagnoseResult> {
    // The kubeconfig files are read once for the run.
    const resolved = this.resolveContexts();
    const { name, kc } = await this.kubeConfigFor(req.context, resolved);
    const selected = this.selection(resolved);
    const namespace = req.namespace ?? (name === selected.context ? selected.namespace : undefined) ?? contextNamespace(kc) ?? DEFAULT_NAMESPACE;
    if (this.runs.has(req.runId)) throw new RoadsideError('conflict', `a run with id ${req.runId} is already going`);
    const recordToIncident =
      req.incidentId || this.incidentsLoaded ? (await import('./handlers/incidents')).prepareDiagnosisRecording(this, req.runId, req.incidentId) : undefined;
    // Opens the bastion first (its problems are told as such) and, with node access, the node shell.
    const nodeRun = await this.ssh.prepareRun(name, this.ssh.originalOf(kc));
    const controller = new AbortController();
    this.runs.set(req.runId, controller);
    try {
      const [{ runChecks, UnknownCheckError }, { ClusterContext }, { ALL_CHECKS }, { withNodeShell }] = await Promise.all([
        import('./checks/engine'),
        import('./checks/cluster-context'),
        import('./checks/registry'),
        import('./checks/runbook/node'),
      ]);
      try {
        const result = await runChecks({
          runId: req.runId,
          contextName: name,
          namespace,
          context: (signal) => new ClusterContext({ kubeConfig: kc, namespace, params: req.params ?? {}, signal }),
          checks: req.checks,
          sections: req.sections,
          params: req.params,
          concurrency: req.concurrency,
          timeoutMs: req.timeoutMs,
          signal: controller.signal,
          onProgress: (progress) => this.emit({ type: 'diagnose-progress', progress }),
          ...(nodeRun.shell ? { registry: withNodeShell(ALL_CHECKS, nodeRun.shell) } : {}),
        });
        recordToIncident?.(result);
        return result;
      } catch (err) {
        if (err instanceof UnknownCheckError) throw new RoadsideError('invalid-input', err.message);
        throw err;
      }
    } finally {
      this.runs.delete(req.runId);
      await nodeRun.close();
    }
  }

  private async listNamespaces(context?: string): Promise<NamespaceList> {
    const { name, kc } = await this.kubeConfigFor(context);
    const timeout = this.settings.get().probeTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      const list = await Promise.race([
        apiRequestJson<{ items?: Array<{ metadata?: { name?: string } }> }>(kc, { path: '/api/v1/namespaces', signal: AbortSignal.timeout(timeout) }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
        }),
      ]);
      return { context: name, namespaces: (list?.items ?? []).map((n) => n.metadata?.name ?? '').filter(Boolean).sort() };
    } catch (err) {
      const e = err as { code?: number; message?: string };
      const reason = e.code === 403 ? 'not allowed to list namespaces' : e.code === 401 ? 'credentials rejected' : (e.message ?? String(err));
      return { context: name, namespaces: [], error: reason.split('\n')[0] };
    } finally {
      clearTimeout(timer);
    }
  }
}
