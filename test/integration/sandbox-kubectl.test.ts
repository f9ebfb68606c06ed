// Real kubectl binaries against a started sandbox, asserting on what they print.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import { findKubectl } from '../support/kubectl';
import { buildFixtureSnapshot } from './sandbox-kubectl-fixture';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let sandbox: RunningSandbox;
let dir: string;
const kubeconfigs: Record<string, string> = {};

function kubectl(args: string[], opts: { user?: 'admin' | 'operator'; minor?: number; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      findKubectl(opts.minor ?? 33),
      ['--kubeconfig', kubeconfigs[opts.user ?? 'admin'], ...args],
      { env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache') }, timeout: opts.timeoutMs ?? 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? Number((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadside-sandbox-kubectl-'));
  sandbox = await startSandbox({ snapshot: buildFixtureSnapshot(new Date()), podReadyDelayMs: 400 });
  kubeconfigs.admin = join(dir, 'admin.kubeconfig');
  kubeconfigs.operator = join(dir, 'operator.kubeconfig');
  writeFileSync(kubeconfigs.admin, sandbox.kubeconfigYaml({ namespace: 'traffic-system' }));
  writeFileSync(kubeconfigs.operator, sandbox.kubeconfigYaml({ user: 'l1-operator', namespace: 'traffic-system' }));
});

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl reads the sandbox like a cluster', () => {
  it('get pods -o wide prints the usual columns and the CrashLoopBackOff pod', async () => {
    const r = await kubectl(['get', 'pods', '-o', 'wide']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(r.stdout).toMatch(/traffic-system-postgresql-0\s+0\/1\s+CrashLoopBackOff\s+7 \(4m\d*s? ago\)\s+5d\s+10\.244\.1\.20\s+node-a/);
    expect(r.stdout).toMatch(/traffic-system-backend-7d9f8c6b5d-abcde\s+1\/1\s+Running\s+0\s+3d\s+10\.244\.1\.10\s+node-a/);
  });

  it('an older kubectl (1.31) lists through the same discovery', async () => {
    const r = await kubectl(['get', 'pods'], { minor: 31 });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
  });

  it('get pods -o json returns the objects', async () => {
    const r = await kubectl(['get', 'pods', '-o', 'json']);
    const list = JSON.parse(r.stdout) as { items: Array<{ metadata: { name: string }; status: { phase: string } }> };
    expect(list.items.map((p) => p.metadata.name).sort()).toEqual([
      'traffic-system-backend-7d9f8c6b5d-abcde',
      'traffic-system-backend-7d9f8c6b5d-fghij',
      'traffic-system-postgresql-0',
    ]);
  });

  it('get deploy,svc,pvc,nodes,events prints each kind with its columns', async () => {
    const r = await kubectl(['get', 'deploy,svc,pvc,nodes,events']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps\/traffic-system-backend\s+2\/2\s+2\s+2\s+3d/);
    expect(r.stdout).toMatch(/service\/traffic-system-backend\s+ClusterIP\s+10\.96\.12\.34\s+<none>\s+8000\/TCP\s+30d/);
    expect(r.stdout).toMatch(/persistentvolumeclaim\/data-traffic-system-postgresql-0\s+Bound\s+pvc-0a1b2c\s+20Gi\s+RWO\s+standard/);
    expect(r.stdout).toMatch(/node\/node-a\s+Ready\s+control-plane\s+40d\s+v1\.30\.4/);
    expect(r.stdout).toMatch(/LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    expect(r.stdout).toMatch(/\(x42 over 60m\)\s+Warning\s+BackOff\s+pod\/traffic-system-postgresql-0/);
  });

  it('describe pod shows the pod events', async () => {
    const r = await kubectl(['describe', 'pod', 'traffic-system-postgresql-0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
    expect(r.stdout).toMatch(/Warning\s+BackOff\s+.*kubelet\s+Back-off restarting failed container postgresql/);
  });

  it('logs --previous and --tail read the stored lines without timestamps', async () => {
    const previous = await kubectl(['logs', 'traffic-system-postgresql-0', '--previous']);
    expect(previous.stdout).toBe('FATAL:  could not open file "global/pg_filenode.map": No space left on device\n');
    const tail = await kubectl(['logs', 'traffic-system-postgresql-0', '--tail=2']);
    expect(tail.stdout).toBe('LOG:  database system startup attempt 4\nLOG:  database system startup attempt 5\n');
    const stamped = await kubectl(['logs', 'traffic-system-postgresql-0', '--tail=1', '--timestamps']);
    expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ LOG:  database system startup attempt 5\n$/);
    const none = await kubectl(['logs', 'traffic-system-backend-7d9f8c6b5d-abcde', '--previous']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('previous terminated container "backend" in pod "traffic-system-backend-7d9f8c6b5d-abcde" not found');
  });

  it('top pods and top nodes show the scenario metrics', async () => {
    const pods = await kubectl(['top', 'pods']);
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/traffic-system-backend-7d9f8c6b5d-abcde\s+250m\s+300Mi/);
    expect(pods.stdout).not.toContain('postgresql');
    const nodes = await kubectl(['top', 'nodes']);
    expect(nodes.stdout).toMatch(/node-a\s+1500m\s+18%\s+6144Mi\s+18%/);
    expect(nodes.stdout).toMatch(/node-b\s+3000m\s+37%\s+12288Mi\s+37%/);
  });

  it('auth can-i answers from the user rules', async () => {
    const admin = await kubectl(['auth', 'can-i', 'get', 'secrets']);
    expect(admin.stdout.trim()).toBe('yes');
    const operator = await kubectl(['auth', 'can-i', 'get', 'secrets'], { user: 'operator' });
    expect(operator.stdout.trim()).toBe('no');
    expect(operator.code).toBe(1);
    const operatorPods = await kubectl(['auth', 'can-i', 'list', 'pods'], { user: 'operator' });
    expect(operatorPods.stdout.trim()).toBe('yes');
  });

  it('a restricted user gets Forbidden with the real message', async () => {
    const r = await kubectl(['get', 'secret', 'traffic-system-postgresql'], { user: 'operator' });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): secrets "traffic-system-postgresql" is forbidden: User "l1-operator" cannot get resource "secrets" in API group "" in the namespace "traffic-system"',
    );
  });

  it('unknown resource types and objects are 404s', async () => {
    const type = await kubectl(['get', 'frobnicators']);
    expect(type.stderr).toContain('the server doesn\'t have a resource type "frobnicators"');
    const obj = await kubectl(['get', 'pod', 'nope']);
    expect(obj.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
  });

  it('service proxy answers from the scenario HTTP replies', async () => {
    const r = await kubectl(['get', '--raw', '/api/v1/namespaces/traffic-system/services/traffic-system-backend:http/proxy/api/health/']);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok' });
    expect(JSON.parse(r.stdout).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('kubectl writes to the sandbox', () => {
  it('patch --dry-run=server changes nothing', async () => {
    // The server answers with the object as it would be: 5 replicas.
    const r = await kubectl(['patch', 'deployment', 'traffic-system-backend', '--dry-run=server', '-p', '{"spec":{"replicas":5}}', '-o', 'jsonpath={.spec.replicas}']);
    expect(r.stdout).toBe('5');
    const replicas = await kubectl(['get', 'deployment', 'traffic-system-backend', '-o', 'jsonpath={.spec.replicas}']);
    expect(replicas.stdout).toBe('2');
  });

  it('rollout restart replaces the pods and rollout status waits for them', async () => {
    const before = await kubectl(['get', 'pods', '-l', 'app.kubernetes.io/component=backend', '-o', 'name']);
    const restart = await kubectl(['rollout', 'restart', 'deployment/traffic-system-backend']);
    expect(restart.stdout.trim()).toBe('deployment.apps/traffic-system-backend restarted');
    const status = await kubectl(['rollout', 'status', 'deployment/traffic-system-backend', '--timeout=20s'], { timeoutMs: 25_000 });
    expect(status.stdout).toContain('deployment "traffic-system-backend" successfully rolled out');
    const after = await kubectl(['get', 'pods', '-l', 'app.kubernetes.io/component=backend']);
    const rows = after.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatch(/^traffic-system-backend-[a-z0-9]{10}-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\d+s$/);
      expect(before.stdout).not.toContain(row.split(/\s+/)[0]);
    }
  });

  it('scale --replicas=3 adds a pod that turns Ready', async () => {
    const scale = await kubectl(['scale', 'deployment', 'traffic-system-backend', '--replicas=3']);
    expect(scale.stdout.trim()).toBe('deployment.apps/traffic-system-backend scaled');
    const status = await kubectl(['rollout', 'status', 'deployment/traffic-system-backend', '--timeout=20s'], { timeoutMs: 25_000 });
    expect(status.stdout).toContain('successfully rolled out');
    const deploy = await kubectl(['get', 'deployment', 'traffic-system-backend']);
    expect(deploy.stdout).toMatch(/traffic-system-backend\s+3\/3\s+3\s+3/);
    const endpoints = await kubectl(['get', 'endpoints', 'traffic-system-backend', '-o', 'jsonpath={.subsets[0].addresses[*].ip}']);
    expect(endpoints.stdout.split(' ')).toHaveLength(3);
  });

  it('a run-once pod goes Pending, Running, then Completed', async () => {
    const run = await kubectl(['run', 'dns-probe', '--image=busybox', '--restart=Never', '--', 'nslookup', 'kubernetes.default']);
    expect(run.stdout.trim()).toBe('pod/dns-probe created');
    const wait = await kubectl(['wait', 'pod/dns-probe', '--for=jsonpath={.status.phase}=Succeeded', '--timeout=20s'], { timeoutMs: 25_000 });
    expect(wait.stdout.trim()).toBe('pod/dns-probe condition met');
    const get = await kubectl(['get', 'pod', 'dns-probe']);
    expect(get.stdout).toMatch(/dns-probe\s+0\/1\s+Completed/);
    const del = await kubectl(['delete', 'pod', 'dns-probe']);
    expect(del.stdout.trim()).toBe('pod "dns-probe" deleted');
  });
});
