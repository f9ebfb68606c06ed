// What node checks use to run catalogue commands on nodes: which nodes to reach and how (an
// explicit address, or the Node's InternalIP — never in the sandbox), one SSH session per node
// shared by the run's checks, closed at the end of the run.
import type { KObject } from '../checks/types';
import { ForbiddenError } from '../checks/types';
import { SshError } from './errors';
import { NODE_COMMANDS, type NodeCommand, type NodeCommandKey } from './node-commands';
import type { CommandResult, SshSession } from './session';
import { parseHostPort } from '../../shared/ssh';

export interface NodeTarget {
  node: string;
  host?: string;
  port?: number;
  /** Where the address came from. */
  source?: 'explicit' | 'internal-ip';
  /** Set when the node is not dialled, and why. */
  skipReason?: string;
}

export interface NodeRunResult extends CommandResult {
  node: string;
  command: NodeCommand;
}

/** The capability node checks receive on their context. */
export interface NodeShell {
  /** The nodes of this run (listed once per run). */
  targets(ctx: { list(resource: 'nodes', namespace?: string | null): Promise<KObject[]> }): Promise<NodeTarget[]>;
  /** Runs one catalogue command on a node. Rejects with SshError (connect, host key, login, dropped, timeout). */
  run(target: NodeTarget, command: NodeCommandKey, opts?: { signal?: AbortSignal }): Promise<NodeRunResult>;
}

export interface NodeShellOptions {
  /** Node name → "host[:port]". */
  addresses: Record<string, string>;
  port: number;
  /** Only these nodes (roadside ssh test --node). */
  only?: string[];
  /** The sandbox: addresses read from the cluster are never dialled. */
  isSandbox: boolean;
  /** Opens a session to a node (through the bastion when one is set). */
  open(target: Required<Pick<NodeTarget, 'node' | 'host' | 'port'>>): Promise<SshSession>;
  /** The command catalogue (tests replace entries to make a command hang). */
  commands?: Readonly<Record<NodeCommandKey, NodeCommand>>;
  maxNodes?: number;
}

export const MAX_NODES = 20;

export function internalIp(node: KObject): string | undefined {
  return (node.status?.addresses ?? []).find((a: { type?: string }) => a.type === 'InternalIP')?.address;
}

export class SshNodeShell implements NodeShell {
  private targetsRead?: Promise<NodeTarget[]>;
  private readonly sessions = new Map<string, Promise<SshSession>>();
  private readonly commands: Readonly<Record<NodeCommandKey, NodeCommand>>;

  constructor(private readonly opts: NodeShellOptions) {
    this.commands = opts.commands ?? NODE_COMMANDS;
  }

  targets(ctx: { list(resource: 'nodes', namespace?: string | null): Promise<KObject[]> }): Promise<NodeTarget[]> {
    this.targetsRead ??= this.resolveTargets(ctx);
    return this.targetsRead;
  }

  private async resolveTargets(ctx: { list(resource: 'nodes', namespace?: string | null): Promise<KObject[]> }): Promise<NodeTarget[]> {
    let nodes: KObject[] = [];
    let listProblem: string | undefined;
    try {
      nodes = await ctx.list('nodes', null);
    } catch (err) {
      // Without the list, the explicitly mapped nodes can still be checked.
      if (!(err instanceof ForbiddenError)) throw err;
      listProblem = err.message;
    }
    const names = [...new Set([...nodes.map((n) => n.metadata.name), ...Object.keys(this.opts.addresses)])].filter(
      (n) => !this.opts.only?.length || this.opts.only.includes(n),
    );
    for (const wanted of this.opts.only ?? []) if (!names.includes(wanted)) names.push(wanted);
    const targets = names.slice(0, this.opts.maxNodes ?? MAX_NODES).map((name): NodeTarget => {
      const explicit = this.opts.addresses[name];
      if (explicit !== undefined) {
        const hp = parseHostPort(explicit, this.opts.port);
        if (!hp) return { node: name, skipReason: `the address "${explicit}" given for node ${name} is not host[:port]` };
        return { node: name, ...hp, source: 'explicit' };
      }
      if (this.opts.isSandbox) {
        return {
          node: name,
          skipReason: `no address given for node ${name} (--node-address ${name}=127.0.0.1:PORT): in the sandbox, node addresses read from the snapshot are never dialled`,
        };
      }
      const node = nodes.find((n) => n.metadata.name === name);
      const ip = node ? internalIp(node) : undefined;
      if (!ip) return { node: name, skipReason: node ? `node ${name} has no InternalIP and no address was given for it` : `${name} is not a node of this cluster${listProblem ? ` (${listProblem})` : ''} and no address was given for it` };
      return { node: name, host: ip, port: this.opts.port, source: 'internal-ip' };
    });
    return targets;
  }

  private session(target: NodeTarget): Promise<SshSession> {
    if (!target.host || !target.port) return Promise.reject(new SshError('not-configured', target.skipReason ?? `no address for node ${target.node}`));
    const key = `${target.node} ${target.host}:${target.port}`;
    const cached = this.sessions.get(key);
    if (cached) {
      // A dropped session is reopened for the next command; a refused one stays refused for the run.
      return cached.then((s) => (s.isOpen ? s : this.reopen(key, target)));
    }
    return this.reopen(key, target);
  }

  private reopen(key: string, target: NodeTarget): Promise<SshSession> {
    const p = this.opts.open({ node: target.node, host: target.host!, port: target.port! });
    this.sessions.set(key, p);
    return p;
  }

  async run(target: NodeTarget, key: NodeCommandKey, opts: { signal?: AbortSignal } = {}): Promise<NodeRunResult> {
    const command = this.commands[key];
    const session = await this.session(target);
    const result = await session.exec(command, { signal: opts.signal });
    return { ...result, node: target.node, command };
  }

  /** Closes every node session of the run. */
  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.close(), () => undefined)));
  }
}
