// The lists a check declares (Check.reads) are fetched by the engine before the check starts.
// Against the real sandbox: each declared list is one the check really reads, so the
// prefetch never reads what no check uses, and with the prefetch a run still reads each
// list once.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterContext } from '../../src/main/checks/cluster-context';
import { runChecks } from '../../src/main/checks/engine';
import { ALL_CHECKS } from '../../src/main/checks/registry';
import { DEFAULT_SYSTEM_NAMES, type Check, type CheckContext } from '../../src/main/checks/types';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';

const NS = 'traffic-system';

const key = (resource: string, namespace: string | null | undefined) => `${resource} ${namespace === null ? '*' : (namespace ?? NS)}`;

/** A ClusterContext that notes every list it is asked for, as "resource namespace|*", and every get. */
function recording(kc: KubeConfig, signal: AbortSignal, lists: string[], gets: string[] = []): CheckContext {
  const ctx = new ClusterContext({ kubeConfig: kc, namespace: NS, signal });
  const list = ctx.list.bind(ctx);
  const get = ctx.get.bind(ctx);
  ctx.list = (resource, namespace) => {
    lists.push(key(resource, namespace));
    return list(resource, namespace);
  };
  ctx.get = (resource, name, namespace) => {
    gets.push(key(resource, namespace));
    return get(resource, name, namespace);
  };
  return ctx;
}

describe('declared list reads', () => {
  let sandbox: RunningSandbox;
  let kc: KubeConfig;

  beforeAll(async () => {
    sandbox = await startSandbox({ snapshot: await loadScenario('healthy'), port: 0 });
    kc = new KubeConfig();
    kc.loadFromString(sandbox.kubeconfigYaml({ namespace: NS }));
  });
  afterAll(() => sandbox?.stop());

  it('every check reads the lists it declares (or an object of their kind, which the list then answers)', async () => {
    const declaring = ALL_CHECKS.filter((c) => c.reads);
    expect(declaring.length).toBeGreaterThan(25);
    const wasted: string[] = [];
    for (const check of declaring) {
      // Run alone and without its declaration, so only the check itself reads.
      const bare: Check = { ...check, reads: undefined };
      const lists: string[] = [];
      const gets: string[] = [];
      await runChecks({ context: (signal) => recording(kc, signal, lists, gets), contextName: 'sandbox', namespace: NS, registry: [bare], checks: [check.id] });
      for (const read of check.reads!(DEFAULT_SYSTEM_NAMES)) {
        const declared = typeof read === 'string' ? key(read, undefined) : key(read[0], read[1]);
        // A namespace's list also counts as read when the check read the list across all namespaces.
        const everywhere = `${declared.split(' ')[0]} *`;
        if (!lists.includes(declared) && !gets.includes(declared) && !lists.includes(everywhere)) wasted.push(`${check.id} declares ${declared} but read only: ${lists.join(', ') || 'nothing'}`);
      }
    }
    expect(wasted).toEqual([]);
  });

  it('a whole run with the prefetch still reads each list once', async () => {
    const lists: string[] = [];
    const result = await runChecks({ context: (signal) => recording(kc, signal, lists), contextName: 'sandbox', namespace: NS });
    expect(result.summary.error).toBe(0);
    const repeated = lists.filter((l, i) => lists.indexOf(l) !== i);
    expect(repeated).toEqual([]);
    // The declared lists were all read, before the checks asked.
    expect(lists).toEqual(expect.arrayContaining(['pods traffic-system', 'secrets traffic-system', 'events *']));
    // The namespace's events come from the list across all namespaces.
    expect(lists).not.toContain('events traffic-system');
  });
});
