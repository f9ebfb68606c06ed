// `roadside logs` and `roadside overview` as an engineer runs them, against a sandbox
// started with `roadside sandbox start` in the same data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type RunningCli } from '../support/cli';

describe('roadside logs and overview against the backend-502 sandbox', () => {
  let home: string;
  let sandbox: RunningCli;
  let env: Record<string, string>;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'roadside-observe-cli-'));
    // No kubeconfig of the user's: only the sandbox's context is there.
    env = { ROADSIDE_HOME: home, KUBECONFIG: join(home, 'none.yaml'), HOME: home };
    sandbox = await startCli(['sandbox', 'start', '--scenario', 'backend-502'], env, /Press Ctrl\+C to stop/);
  });

  afterAll(async () => {
    if (sandbox) await sandbox.interrupt();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('prints the lines of every pod of the release merged by timestamp, with kubectl\'s --prefix', async () => {
    const run = await runCli(['logs', '--tail', '20'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const parsed = lines.map((l) => /^\[pod\/([^/]+)\/([^\]]+)\] (\S+) /.exec(l));
    expect(parsed.every(Boolean), lines.find((_, i) => !parsed[i])).toBe(true);
    const pods = new Set(parsed.map((m) => m![1]));
    expect(pods.size).toBeGreaterThanOrEqual(5);
    expect([...pods].some((p) => p.startsWith('traffic-system-postgresql-'))).toBe(true);
    const times = parsed.map((m) => Date.parse(m![3]));
    for (let i = 1; i < times.length; i++) expect(times[i], lines[i]).toBeGreaterThanOrEqual(times[i - 1]);
  });

  it('--grep keeps the matching lines (case-insensitive) and --json prints one object per line', async () => {
    const run = await runCli(['logs', '--grep', 'WORKER FAILED TO BOOT', '--json', '-l', 'app.kubernetes.io/component=backend'], env);
    expect(run.code).toBe(0);
    const objects = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(objects.length).toBeGreaterThanOrEqual(2);
    for (const o of objects) {
      expect(o.text).toMatch(/Worker failed to boot/);
      expect(o.pod).toMatch(/^traffic-system-backend-/);
      expect(o.container).toBe('backend');
      expect(Date.parse(o.time)).not.toBeNaN();
    }
    expect(new Set(objects.map((o) => o.pod)).size).toBe(2);
  });

  it('says so when no pod matches, and refuses a bad --since', async () => {
    const none = await runCli(['logs', '-l', 'app=nothing-here'], env);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No pod matches -l app=nothing-here in namespace traffic-system');
    const bad = await runCli(['logs', '--since', 'yesterday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be a duration');
  });

  it('--follow keeps streaming until Ctrl+C and then exits cleanly', async () => {
    const follow = await startCli(['logs', '-f', '--tail', '2', '-l', 'app.kubernetes.io/component=backend'], env, /Following 2 containers/);
    expect(follow.output()).toMatch(/\[pod\/traffic-system-backend-/);
    expect(await follow.interrupt()).toBe(0);
  });

  it('roadside overview shows the crashing backend and exits 1; --json carries every block', async () => {
    const text = await runCli(['overview'], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/traffic-system-backend-7c9d8f6b5d-h2x8r\s+0\/1\s+CrashLoopBackOff\s+9 \(/);
    expect(text.stdout).toContain('$ kubectl get pods -n traffic-system -o wide');
    const json = await runCli(['overview', '--json'], env);
    const o = JSON.parse(json.stdout);
    expect(o.context).toBe('roadside-sandbox');
    expect(o.pods.rows.filter((p: { status: string }) => p.status === 'CrashLoopBackOff')).toHaveLength(2);
    expect(o.services.rows.find((s: { name: string }) => s.name === 'traffic-system-backend').readyEndpoints).toBe(0);
    expect(o.pvcs.rows).toHaveLength(3);
    expect(o.top.rows.length).toBe(9);
    expect(o.events.rows.length).toBeGreaterThan(0);
  });
});
