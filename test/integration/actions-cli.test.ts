// `roadside act` as an engineer runs it (the built CLI) against the real sandbox.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readActionLog } from '../../src/main/actions/action-log';
import { ROADSIDE_BIN, runCli } from '../support/cli';
import { deploymentPath, execReply, startActionsWorld, type ActionsWorld } from './actions-fixture';

let world: ActionsWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const env = (w: ActionsWorld) => ({ KUBECONFIG: w.kubeconfigFile, ROADSIDE_HOME: w.dataDir, HOME: w.dir });
const replicas = async (w: ActionsWorld) => (await w.admin.get(deploymentPath('traffic-system-ml-service')))!.spec.replicas as number;

describe('roadside act', () => {
  it('--dry-run prints the server-side diff, changes nothing and exits 0', async () => {
    world = await startActionsWorld('healthy');
    const before = await replicas(world);
    const run = await runCli(['act', 'scale', '--target', 'ml-service', '--param', 'replicas=4', '--dry-run'], env(world));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kubectl scale deployments traffic-system-ml-service --replicas=4 -n traffic-system');
    expect(run.stdout).toMatch(new RegExp(`^\\s+-\\s+replicas: ${before}$`, 'm'));
    expect(run.stdout).toMatch(/^\s+\+\s+replicas: 4$/m);
    expect(await replicas(world)).toBe(before);
    expect(readActionLog(world.dataDir)).toEqual([]);
  });

  it('without a terminal and without --yes it prints the preview and refuses (exit 2)', async () => {
    world = await startActionsWorld('healthy');
    const before = await replicas(world);
    const run = await runCli(['act', 'scale:ml-service', '--param', 'replicas=4'], env(world));
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^\s+\+\s+replicas: 4$/m);
    expect(run.stderr).toMatch(/no terminal to confirm on.*--yes/);
    expect(await replicas(world)).toBe(before);
  });

  it('--yes applies, exits 0 and records the action with before and after', async () => {
    world = await startActionsWorld('healthy');
    const before = await replicas(world);
    const run = await runCli(['act', 'scale:ml-service', '--param', 'replicas=4', '--yes', '--json'], env(world));
    expect(run.code).toBe(0);
    const { plan, outcome } = JSON.parse(run.stdout);
    expect(outcome).toMatchObject({ planId: plan.planId, result: 'succeeded' });
    expect(await replicas(world)).toBe(4);
    const [record] = readActionLog(world.dataDir);
    const key = 'deployment/traffic-system-ml-service -n traffic-system (scale)';
    expect(record).toMatchObject({ actionId: 'scale:ml-service', result: 'succeeded', before: { [key]: { spec: { replicas: before } } }, after: { [key]: { spec: { replicas: 4 } } } });
  });

  it('exit codes: read-only 2, bad usage 2, forbidden 3, a command failing in the pod 1', async () => {
    world = await startActionsWorld('healthy', { execReplies: [execReply({ pod: 'traffic-system-backend-*', command: 'python manage.py migrate --run-syncdb', stderr: 'django.db.utils.OperationalError: could not connect to server\n', exitCode: 1 })] });
    const readOnly = await runCli(['act', 'rollout-restart:backend', '--yes', '--read-only'], env(world));
    expect(readOnly.code).toBe(2);
    expect(readOnly.stderr).toMatch(/read-only/);
    expect((await runCli(['act', 'restart-everything', '--yes'], env(world))).code).toBe(2);
    expect((await runCli(['act', 'scale:ml-service', '--param', 'replicas=lots', '--yes'], env(world))).code).toBe(2);
    const failed = await runCli(['act', 'migrate-run-syncdb', '--yes'], env(world));
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/failed.*OperationalError/);
    expect(readActionLog(world.dataDir)[0]).toMatchObject({ actionId: 'migrate-run-syncdb', result: 'failed' });
    await world.close();

    world = await startActionsWorld('rbac-forbidden');
    const forbidden = await runCli(['act', 'rollout-restart:backend', '--yes'], env(world));
    expect(forbidden.code).toBe(3);
    expect(forbidden.stderr).toMatch(/may not patch deployments\.apps "traffic-system-backend"/);
  });

  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal a destructive action applies only when its name is typed', async () => {
    world = await startActionsWorld('healthy');
    const w = world;
    // `script` gives the CLI a real terminal; the answer arrives on it as typed input.
    const onTerminal = (answer: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} ${ROADSIDE_BIN} act scale:ml-service --param replicas=0; echo EXIT=$?`, '/dev/null'], {
          env: { ...process.env, ...env(w), NO_COLOR: '1' },
        });
        let out = '';
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`no answer within 30 s:\n${out}`));
        }, 30_000);
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', () => {
          clearTimeout(timer);
          resolve(out);
        });
        child.stdin.end(`${answer}\n`);
      });
    const before = await replicas(w);
    const wrong = await onTerminal('yes');
    expect(wrong).toContain('Type traffic-system-ml-service to apply');
    expect(wrong).toContain('EXIT=2');
    expect(await replicas(w)).toBe(before);
    const typed = await onTerminal('traffic-system-ml-service');
    expect(typed).toContain('EXIT=0');
    expect(await replicas(w)).toBe(0);
  });
});
