// A real sandbox API server with a scenario, and a Roadside core whose only kubeconfig is
// the sandbox's: what the actions tests act on.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/main/actions/kube-client';
import { RoadsideService } from '../../src/main/service';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import type { ExecReply, Snapshot } from '../../src/main/sandbox/snapshot-types';

export const NS = 'traffic-system';
export const CONTEXT = 'roadside-sandbox';

export interface ActionsWorld {
  sandbox: RunningSandbox;
  service: RoadsideService;
  /** A client with the scenario's admin credentials, to read back what actions did. */
  admin: KubeClient;
  dir: string;
  dataDir: string;
  kubeconfigFile: string;
  close(): Promise<void>;
}

export function execReply(reply: Partial<ExecReply> & Pick<ExecReply, 'pod' | 'command'>): ExecReply {
  return { stdout: '', stderr: '', exitCode: 0, delayMs: 0, namespace: NS, ...reply };
}

export async function startActionsWorld(
  scenario: string,
  opts: { user?: string; adminUser?: string; execReplies?: ExecReply[]; mutate?: (s: Snapshot) => void } = {},
): Promise<ActionsWorld> {
  const snapshot = await loadScenario(scenario);
  // Replies the scenario lacks (pg_dump, migrate …) go first: the first match wins.
  snapshot.scenario.exec.unshift(...(opts.execReplies ?? []));
  opts.mutate?.(snapshot);
  const sandbox = await startSandbox({ snapshot, port: 0, podReadyDelayMs: 100 });
  const dir = mkdtempSync(join(tmpdir(), 'roadside-actions-'));
  const kubeconfigFile = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfigFile, sandbox.kubeconfigYaml({ namespace: NS, contextName: CONTEXT, ...(opts.user ? { user: opts.user } : {}) }), { mode: 0o600 });
  const dataDir = join(dir, 'data');
  const service = new RoadsideService({ dataDir, door: 'cli', version: 'test', kubeconfig: { kubeconfigEnv: kubeconfigFile, home: dir } });
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfigYaml({ namespace: NS, ...(opts.adminUser ? { user: opts.adminUser } : {}) }));
  return {
    sandbox,
    service,
    admin: new KubeClient(kc),
    dir,
    dataDir,
    kubeconfigFile,
    async close() {
      await service.shutdown();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls the sandbox until `read` gives a value `done` accepts (bounded; the simulator works on timers). */
export async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

export const deploymentPath = (name: string, ns = NS) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;

export async function podNames(admin: KubeClient, selector: string, ns = NS): Promise<string[]> {
  return (await admin.list(`/api/v1/namespaces/${ns}/pods`, selector)).map((p) => p.metadata.name).sort();
}
