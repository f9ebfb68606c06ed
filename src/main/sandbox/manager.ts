// Runs one sandbox per data folder and lets every Roadside process see it:
// its kubeconfig and a small state file live in <data>/sandbox/, so a sandbox
// started by `roadside sandbox start` appears in the app's Clusters list too.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SandboxStatus } from '../../shared/sandbox';
import { writeFileAtomic } from '../data-folder';
import { RoadsideError } from '../errors';
// The sandbox's server and loaders are imported when a sandbox starts: commands that only
// read its kubeconfig (every diagnose) do not pay for them.
import type { RunningSandbox } from './server';
import type { Snapshot } from './snapshot-types';

export const SANDBOX_CONTEXT = 'roadside-sandbox';

interface SandboxState {
  pid: number;
  scenario: string;
  source: string;
  url: string;
  startedAt: string;
  skipped: SandboxStatus['skipped'];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StartRequest {
  scenario?: string;
  dir?: string;
  port?: number;
  /** Also write the kubeconfig here (the CLI's --kubeconfig-out). */
  kubeconfigOut?: string;
}

export class SandboxManager {
  private running?: { sandbox: RunningSandbox; state: SandboxState };

  constructor(private readonly dataDir: string) {}

  private folder(): string {
    return join(this.dataDir, 'sandbox');
  }

  kubeconfigFile(): string {
    return join(this.folder(), 'kubeconfig.yaml');
  }

  private stateFile(): string {
    return join(this.folder(), 'state.json');
  }

  private readState(): SandboxState | undefined {
    try {
      const state = JSON.parse(readFileSync(this.stateFile(), 'utf8')) as SandboxState;
      return typeof state.pid === 'number' ? state : undefined;
    } catch {
      return undefined;
    }
  }

  /** The kubeconfig of a live sandbox (this process's or another's), if any. */
  liveKubeconfig(): string | undefined {
    const state = this.readState();
    if (!state || !isAlive(state.pid) || !existsSync(this.kubeconfigFile())) return undefined;
    return this.kubeconfigFile();
  }

  status(): SandboxStatus {
    const state = this.readState();
    if (!state || !isAlive(state.pid)) return { running: false, skipped: [] };
    return {
      running: true,
      owner: this.running ? 'this-process' : 'other-process',
      pid: state.pid,
      scenario: state.scenario,
      source: state.source,
      url: state.url,
      context: SANDBOX_CONTEXT,
      kubeconfig: this.kubeconfigFile(),
      startedAt: state.startedAt,
      skipped: state.skipped,
    };
  }

  async scenarios() {
    return (await import('./scenarios')).listScenarios();
  }

  async loadRequested(req: StartRequest): Promise<Snapshot> {
    if (req.scenario && req.dir) throw new RoadsideError('invalid-input', 'give a scenario name or a folder, not both');
    const [{ loadScenario, UnknownScenarioError }, { loadSnapshot, NotASnapshotError, ScenarioFileError }] = await Promise.all([import('./scenarios'), import('./snapshot')]);
    try {
      if (req.dir) {
        const dir = resolve(req.dir);
        if (!existsSync(dir)) throw new RoadsideError('invalid-input', `${dir}: folder not found`);
        if (!statSync(dir).isDirectory()) throw new RoadsideError('invalid-input', `${dir}: not a folder`);
        return await loadSnapshot(dir);
      }
      return await loadScenario(req.scenario ?? 'healthy');
    } catch (err) {
      if (err instanceof UnknownScenarioError || err instanceof NotASnapshotError || err instanceof ScenarioFileError)
        throw new RoadsideError('invalid-input', err.message);
      throw err;
    }
  }

  async start(req: StartRequest): Promise<SandboxStatus> {
    const existing = this.status();
    if (existing.running)
      throw new RoadsideError(
        'conflict',
        `a sandbox is already running (${existing.scenario}, pid ${existing.pid}, ${existing.url}); stop it first`,
      );
    const snapshot = await this.loadRequested(req);
    let sandbox: RunningSandbox;
    try {
      const { startSandbox } = await import('./server');
      sandbox = await startSandbox({ snapshot, port: req.port ?? 0 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new RoadsideError('invalid-input', `port ${req.port} on 127.0.0.1 is already in use; choose another with --port`);
      throw err;
    }
    const kubeconfig = sandbox.kubeconfigYaml({ contextName: SANDBOX_CONTEXT, namespace: 'traffic-system' });
    writeFileAtomic(this.kubeconfigFile(), kubeconfig);
    if (req.kubeconfigOut) writeFileAtomic(resolve(req.kubeconfigOut), kubeconfig);
    const state: SandboxState = {
      pid: process.pid,
      scenario: snapshot.scenario.name,
      source: snapshot.source,
      url: sandbox.url,
      startedAt: new Date().toISOString(),
      skipped: snapshot.skipped,
    };
    writeFileAtomic(this.stateFile(), JSON.stringify(state, null, 2));
    this.running = { sandbox, state };
    return this.status();
  }

  async stop(): Promise<SandboxStatus> {
    if (!this.running) {
      const status = this.status();
      if (status.running)
        throw new RoadsideError('conflict', `the sandbox was started by another Roadside process (pid ${status.pid}); stop it there`);
      return status;
    }
    const { sandbox } = this.running;
    this.running = undefined;
    await sandbox.stop();
    rmSync(this.stateFile(), { force: true });
    rmSync(this.kubeconfigFile(), { force: true });
    return this.status();
  }

  /** Users the running sandbox knows (for the training notes: restricted tokens). */
  users() {
    return this.running?.sandbox.users ?? [];
  }
}
