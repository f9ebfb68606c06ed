// SSH for one Roadside core: the per-context settings (data folder), the CLI's overrides, host-key
// policy, secrets, the bastion tunnels every API call of a context goes through, node shells for
// runs, and `ssh test`. Secrets live in memory only, or in the desktop app's safe storage.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { apiRequestJson } from '../kube/api-connection';
import type { SshContextView } from '../../shared/contract-ssh';
import { sshContextSettingsSchema } from '../../shared/contract-ssh';
import { SSH_DEFAULT_PORT, type SshContextSettings, type SshHostSettings, type SshTestReport, type SshTestStep } from '../../shared/ssh';
import { readTextIfExists, writeFileAtomic } from '../data-folder';
import { RoadsideError } from '../errors';
import { probeReachability } from '../kube/reachability';
import type { KObject } from '../checks/types';
import { SshError } from './errors';
import { fingerprintOf, rememberHostKey } from './known-hosts';
import { listNodeCommands, type NodeCommand, type NodeCommandKey } from './node-commands';
import { SshNodeShell } from './node-shell';
import { processSshOptions } from './process-options';
// ssh2 is loaded when a first SSH connection opens, not by every command.
import type { HostKeyCheck, SshAuth, SshSession } from './session';
import { apiServerAddress, kubeConfigThroughTunnel, openApiTunnel, type ApiTunnel } from './tunnel';

/** The desktop app's safe storage (Electron safeStorage behind an interface; absent in the CLI and serve). */
export interface SshSecretVault {
  read(id: string): string | undefined;
  write(id: string, secret: string): void;
}

export interface SshAccessOptions {
  dataDir: string;
  /** The home whose ~/.ssh/known_hosts is read (default: the user's). */
  home?: () => string;
  env?: NodeJS.ProcessEnv;
  /** The URL of the sandbox this data folder serves, if running. */
  sandboxUrl?: () => string | undefined;
  sandboxContext?: string;
}

interface StoredSettings {
  version: 1;
  contexts: Record<string, SshContextSettings>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export class SshAccess {
  private vault?: SshSecretVault;
  private readonly passphrases = new Map<string, string>();
  private readonly pendingKeys = new Map<string, Buffer>();
  private readonly bastions = new Map<string, Promise<SshSession>>();
  private readonly tunnels = new Map<string, Promise<ApiTunnel>>();
  /** Tunnelled KubeConfig copies → the context's own. */
  private readonly originals = new WeakMap<KubeConfig, KubeConfig>();

  constructor(private readonly opts: SshAccessOptions) {}

  /** The desktop app hands its safe storage here; only then can a passphrase be remembered. */
  useVault(vault: SshSecretVault): void {
    this.vault = vault;
  }

  private settingsFile(): string {
    return join(this.opts.dataDir, 'ssh', 'contexts.json');
  }

  roadsideKnownHostsFile(): string {
    return join(this.opts.dataDir, 'ssh', 'known_hosts');
  }

  private readStored(): StoredSettings {
    const text = readTextIfExists(this.settingsFile());
    if (!text) return { version: 1, contexts: {} };
    try {
      const raw = JSON.parse(text) as StoredSettings;
      const contexts: Record<string, SshContextSettings> = {};
      for (const [name, value] of Object.entries(raw.contexts ?? {})) {
        const parsed = sshContextSettingsSchema.safeParse(value);
        if (parsed.success) contexts[name] = parsed.data;
      }
      return { version: 1, contexts };
    } catch {
      return { version: 1, contexts: {} };
    }
  }

  storedSettings(context: string): SshContextSettings | undefined {
    return this.readStored().contexts[context];
  }

  saveSettings(context: string, settings: SshContextSettings | null): void {
    const stored = this.readStored();
    if (settings === null || (!settings.bastion && !settings.nodes && !settings.keyFile)) delete stored.contexts[context];
    else stored.contexts[context] = sshContextSettingsSchema.parse(settings);
    writeFileAtomic(this.settingsFile(), JSON.stringify(stored, null, 2) + '\n');
    void this.dropTunnels(context);
  }

  /** What applies to a context: what the app remembers, overridden by this process's CLI flags. */
  settingsFor(context: string): SshContextSettings {
    const base = this.storedSettings(context) ?? {};
    const o = processSshOptions().overrides ?? {};
    const wantsNodes = !!(base.nodes || o.nodeUser || (o.nodeAddresses && Object.keys(o.nodeAddresses).length) || o.nodes?.length);
    const settings: SshContextSettings = {};
    const bastion = o.bastion ?? base.bastion;
    if (bastion) settings.bastion = bastion;
    const keyFile = o.keyFile ?? base.keyFile;
    if (keyFile) settings.keyFile = keyFile;
    if (wantsNodes) {
      settings.nodes = {
        user: o.nodeUser ?? base.nodes?.user ?? userInfo().username,
        port: base.nodes?.port ?? SSH_DEFAULT_PORT,
        addresses: { ...(base.nodes?.addresses ?? {}), ...(o.nodeAddresses ?? {}) },
      };
    }
    return settings;
  }

  isSandboxContext(context: string, kc: KubeConfig): boolean {
    if (context === (this.opts.sandboxContext ?? 'roadside-sandbox')) return true;
    const server = kc.getCurrentCluster()?.server;
    const sandboxUrl = this.opts.sandboxUrl?.();
    if (!server || !sandboxUrl) return false;
    try {
      const a = new URL(server);
      const b = new URL(sandboxUrl);
      return LOOPBACK.has(a.hostname.replace(/^\[|\]$/g, '')) && a.port === b.port;
    } catch {
      return false;
    }
  }

  view(context: string, kc?: KubeConfig): SshContextView {
    return {
      context,
      settings: this.storedSettings(context) ?? null,
      agentAvailable: !!this.env().SSH_AUTH_SOCK,
      isSandbox: kc ? this.isSandboxContext(context, kc) : context === (this.opts.sandboxContext ?? 'roadside-sandbox'),
      canRememberSecrets: !!this.vault,
      commands: listNodeCommands().map(({ id, line, purpose }) => ({ id, line, purpose })),
    };
  }

  private env(): NodeJS.ProcessEnv {
    return this.opts.env ?? process.env;
  }

  knownHostsFiles(): string[] {
    return [join((this.opts.home ?? homedir)(), '.ssh', 'known_hosts'), this.roadsideKnownHostsFile()];
  }

  private hostKeyCheck(): HostKeyCheck {
    return {
      files: this.knownHostsFiles(),
      roadsideFile: this.roadsideKnownHostsFile(),
      onUnknown: processSshOptions().acceptNewHostKeys ? 'accept-and-remember' : 'refuse',
    };
  }

  private auth(keyFile: string | undefined): SshAuth {
    const agentSocket = this.env().SSH_AUTH_SOCK;
    return {
      ...(keyFile ? { keyFile } : {}),
      ...(agentSocket ? { agentSocket } : {}),
      passphrase: (file) => this.passphraseFor(file),
    };
  }

  private async passphraseFor(keyFile: string): Promise<string | undefined> {
    const known = this.passphrases.get(keyFile) ?? this.vault?.read(`ssh-key:${keyFile}`);
    if (known !== undefined) return known;
    const asked = await processSshOptions().passphrasePrompt?.(keyFile);
    // Asked answers live only as long as this process.
    if (asked !== undefined) this.passphrases.set(keyFile, asked);
    return asked;
  }

  provideSecret(keyFile: string, passphrase: string, remember: boolean): { remembered: boolean } {
    this.passphrases.set(keyFile, passphrase);
    if (remember && this.vault) {
      this.vault.write(`ssh-key:${keyFile}`, passphrase);
      return { remembered: true };
    }
    return { remembered: false };
  }

  /** Opens a session, keeping an unknown host key aside so the engineer can trust it after checking it. */
  async openSession(opts: { host: string; port: number; user: string; label: string; keyFile?: string; via?: SshSession }): Promise<SshSession> {
    try {
      const { SshSession } = await import('./session');
      return await SshSession.open({ ...opts, auth: this.auth(opts.keyFile), hostKeys: this.hostKeyCheck() });
    } catch (err) {
      if (err instanceof SshError && err.code === 'unknown-host-key' && err.keyBlob) this.pendingKeys.set(`${opts.host}:${opts.port}`, err.keyBlob);
      throw err;
    }
  }

  trustHostKey(host: string, port: number, fingerprint: string): { trusted: true; fingerprint: string } {
    const key = this.pendingKeys.get(`${host}:${port}`);
    if (!key || fingerprintOf(key) !== fingerprint) {
      throw new RoadsideError('not-found', `no unknown host key ${fingerprint} was offered by ${host}:${port} in this session; run the SSH test again`);
    }
    rememberHostKey(this.roadsideKnownHostsFile(), host, port, key);
    this.pendingKeys.delete(`${host}:${port}`);
    return { trusted: true, fingerprint };
  }

  private bastionKey(context: string, b: SshHostSettings, keyFile?: string): string {
    return `${context}|${b.user}@${b.host}:${b.port}|${keyFile ?? ''}`;
  }

  /** The context's bastion session (one per context, reopened when it dropped). */
  bastionSession(context: string): Promise<SshSession> {
    const s = this.settingsFor(context);
    if (!s.bastion) return Promise.reject(new SshError('not-configured', `no bastion is configured for context ${context}`));
    const b = s.bastion;
    const key = this.bastionKey(context, b, s.keyFile);
    const cached = this.bastions.get(key);
    if (cached) return cached.then((session) => (session.isOpen ? session : this.reopenBastion(key, b, s.keyFile)));
    return this.reopenBastion(key, b, s.keyFile);
  }

  private reopenBastion(key: string, b: SshHostSettings, keyFile?: string): Promise<SshSession> {
    const p = this.openSession({ ...b, label: 'bastion', keyFile });
    this.bastions.set(key, p);
    // A refused bastion is tried again on the next request, not remembered as refused.
    p.catch(() => {
      if (this.bastions.get(key) === p) this.bastions.delete(key);
    });
    return p;
  }

  /** The KubeConfig every API call of the context uses: through the bastion's tunnel when one is set. */
  async kubeConfigThroughBastion(context: string, kc: KubeConfig): Promise<KubeConfig> {
    const s = this.settingsFor(context);
    if (!s.bastion) return kc;
    const server = kc.getCurrentCluster()?.server;
    if (!server) return kc;
    const key = `${this.bastionKey(context, s.bastion, s.keyFile)}|${server}`;
    let opening = this.tunnels.get(key);
    if (!opening) {
      const target = apiServerAddress(server);
      opening = openApiTunnel(() => this.bastionSession(context), target);
      this.tunnels.set(key, opening);
      // A tunnel that could not listen is opened again next time.
      opening.catch(() => {
        if (this.tunnels.get(key) === opening) this.tunnels.delete(key);
      });
    }
    const tunnel = await opening;
    const copy = kubeConfigThroughTunnel(kc, tunnel.port);
    this.originals.set(copy, kc);
    return copy;
  }

  /** The context's own KubeConfig behind a tunnelled copy (itself when it is not one). */
  originalOf(kc: KubeConfig): KubeConfig {
    return this.originals.get(kc) ?? kc;
  }

  /** Before a run: opens the bastion (so that its problems are told as such) and the node shell. */
  async prepareRun(context: string, kc: KubeConfig, extra: { only?: string[]; commands?: Readonly<Record<NodeCommandKey, NodeCommand>> } = {}): Promise<{ shell?: SshNodeShell; close(): Promise<void> }> {
    const s = this.settingsFor(context);
    if (s.bastion) {
      try {
        await this.bastionSession(context);
      } catch (err) {
        throw new RoadsideError('unreachable', `the API server of ${context} is reached through the bastion ${s.bastion.user}@${s.bastion.host}:${s.bastion.port}, which failed: ${(err as Error).message}`, err instanceof SshError ? { ssh: err.code, hostKey: err.hostKey } : undefined);
      }
    }
    const shell = this.nodeShell(context, kc, extra);
    return { ...(shell ? { shell } : {}), close: async () => shell?.close() };
  }

  nodeShell(context: string, kc: KubeConfig, extra: { only?: string[]; commands?: Readonly<Record<NodeCommandKey, NodeCommand>> } = {}): SshNodeShell | undefined {
    const s = this.settingsFor(context);
    const nodes = s.nodes;
    if (!nodes) return undefined;
    const only = extra.only ?? processSshOptions().overrides?.nodes;
    return new SshNodeShell({
      addresses: nodes.addresses,
      port: nodes.port,
      isSandbox: this.isSandboxContext(context, kc),
      ...(only?.length ? { only } : {}),
      ...(extra.commands ? { commands: extra.commands } : {}),
      open: async (t) => {
        const via = s.bastion ? await this.bastionSession(context) : undefined;
        return this.openSession({ host: t.host, port: t.port, user: nodes.user, label: `node ${t.node}`, keyFile: s.keyFile, ...(via ? { via } : {}) });
      },
    });
  }

  /** `roadside ssh test`: bastion reachable, logged in, the API through the tunnel, each node reachable. */
  async test(context: string, kc: KubeConfig, opts: { nodes?: string[]; timeoutMs?: number } = {}): Promise<SshTestReport> {
    const s = this.settingsFor(context);
    const steps: SshTestStep[] = [];
    const failed = (kind: SshTestStep['kind'], target: string, err: unknown): SshTestStep => ({
      kind,
      target,
      status: 'failed',
      detail: err instanceof Error ? err.message : String(err),
      ...(err instanceof SshError ? { code: err.code, ...(err.hostKey ? { hostKey: err.hostKey } : {}) } : {}),
    });
    let bastionOk = true;
    if (s.bastion) {
      const b = s.bastion;
      const target = `${b.user}@${b.host}:${b.port}`;
      try {
        await probeTcp(b.host, b.port, opts.timeoutMs ?? 5_000);
        steps.push({ kind: 'bastion-reachable', target, status: 'ok', detail: `${b.host}:${b.port} accepts connections` });
        try {
          const session = await this.bastionSession(context);
          steps.push({ kind: 'bastion-auth', target, status: 'ok', detail: `logged in as ${b.user} (host key ${session.hostKeyFingerprint})` });
        } catch (err) {
          bastionOk = false;
          steps.push(failed('bastion-auth', target, err));
        }
      } catch (err) {
        bastionOk = false;
        steps.push(failed('bastion-reachable', target, err));
        steps.push({ kind: 'bastion-auth', target, status: 'skipped', detail: 'the bastion cannot be reached' });
      }
      const server = kc.getCurrentCluster()?.server ?? '';
      if (bastionOk) {
        const tunnelled = await this.kubeConfigThroughBastion(context, kc);
        const r = await probeReachability(tunnelled, opts.timeoutMs ?? 5_000);
        steps.push(
          r.status === 'ok'
            ? { kind: 'api-through-tunnel', target: server, status: 'ok', detail: `the API server answered /version (${r.serverVersion ?? '?'}) through the tunnel in ${r.latencyMs} ms` }
            : { kind: 'api-through-tunnel', target: server, status: 'failed', detail: `the API server did not answer through the tunnel: ${r.status}${r.detail ? ` (${r.detail})` : ''}` },
        );
      } else {
        steps.push({ kind: 'api-through-tunnel', target: server, status: 'skipped', detail: 'the bastion is not available' });
      }
    }
    if (!s.nodes) {
      if (!s.bastion) steps.push({ kind: 'node', target: context, status: 'skipped', detail: 'neither a bastion nor node access is configured for this context (SSH settings in Clusters, or --bastion / --ssh-user / --node-address)' });
      else steps.push({ kind: 'node', target: context, status: 'skipped', detail: 'node access is not configured (give --ssh-user or --node-address)' });
    } else if (!bastionOk) {
      steps.push({ kind: 'node', target: context, status: 'skipped', detail: 'nodes are reached through the bastion, which is not available' });
    } else {
      const tunnelled = await this.kubeConfigThroughBastion(context, kc);
      const shell = this.nodeShell(context, kc, { only: opts.nodes ?? processSshOptions().overrides?.nodes })!;
      try {
        let listProblem: string | undefined;
        const targets = await shell.targets({
          list: async () => {
            try {
              return await listNodes(tunnelled, opts.timeoutMs ?? 5_000);
            } catch (err) {
              listProblem = (err as Error).message;
              return [];
            }
          },
        });
        if (listProblem) steps.push({ kind: 'node', target: '(node list)', status: 'skipped', detail: `could not list the nodes (${listProblem}); only nodes with an explicit address are tried` });
        if (!targets.length) steps.push({ kind: 'node', target: context, status: 'skipped', detail: 'no node to try' });
        const results = await Promise.all(
          targets.map(async (t): Promise<SshTestStep> => {
            if (t.skipReason) return { kind: 'node', target: t.node, status: 'skipped', detail: t.skipReason };
            try {
              const r = await shell.run(t, 'hostname');
              return { kind: 'node', target: t.node, status: 'ok', detail: `reached ${s.nodes!.user}@${t.host}:${t.port}${s.bastion ? ' through the bastion' : ''}; "hostname" says ${r.stdout.trim() || '(nothing)'}` };
            } catch (err) {
              return failed('node', t.node, err);
            }
          }),
        );
        steps.push(...results);
      } finally {
        await shell.close();
      }
    }
    return { context, steps, ok: !steps.some((st) => st.status === 'failed') };
  }

  private async dropTunnels(context: string): Promise<void> {
    for (const [key, tunnel] of [...this.tunnels]) if (key.startsWith(`${context}|`)) {
      this.tunnels.delete(key);
      await tunnel.then((t) => t.close(), () => undefined);
    }
    for (const [key, p] of [...this.bastions]) if (key.startsWith(`${context}|`)) {
      this.bastions.delete(key);
      void p.then((s) => s.close(), () => undefined);
    }
  }

  async close(): Promise<void> {
    const tunnels = [...this.tunnels.values()];
    const bastions = [...this.bastions.values()];
    this.tunnels.clear();
    this.bastions.clear();
    await Promise.all(tunnels.map((t) => t.then((open) => open.close(), () => undefined)));
    await Promise.all(bastions.map((p) => p.then((s) => s.close(), () => undefined)));
  }
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<void> {
  return import('node:net').then(
    ({ connect }) =>
      new Promise<void>((resolve, reject) => {
        const sock = connect({ host, port });
        const timer = setTimeout(() => {
          sock.destroy();
          reject(new SshError('connect-timeout', `no answer from ${host}:${port} within ${timeoutMs} ms`));
        }, timeoutMs);
        sock.once('connect', () => {
          clearTimeout(timer);
          sock.destroy();
          resolve();
        });
        sock.once('error', (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(new SshError('connect-failed', `cannot reach ${host}:${port}: ${err.code ?? err.message}`));
        });
      }),
  );
}

async function listNodes(kc: KubeConfig, timeoutMs: number): Promise<KObject[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const list = await Promise.race([
      apiRequestJson<{ items?: KObject[] }>(kc, { path: '/api/v1/nodes', signal: AbortSignal.timeout(timeoutMs) }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return list?.items ?? [];
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new Error(code === 403 ? 'not allowed to list nodes' : ((err as Error).message ?? String(err)).split('\n')[0]);
  } finally {
    clearTimeout(timer);
  }
}
