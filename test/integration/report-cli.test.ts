// `roadside report build`, `roadside bundle verify` and `roadside bundle replay` as a user runs
// them (the built CLI), against the real sandbox serving scenario backend-502.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentStore } from '../../src/main/incidents';
import { loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox, type RunningSandbox } from '../../src/main/sandbox/server';
import { runCli, startCli } from '../support/cli';
import { findKubectl } from '../support/kubectl';

const NS = 'traffic-system';

describe('roadside report build / bundle verify / bundle replay', () => {
  let root: string;
  let home: string;
  let kubeconfig: string;
  let sandbox: RunningSandbox;
  let incidentId: string;
  let podNames: string[];
  let env: Record<string, string>;
  const kubectl = findKubectl();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'roadside-report-cli-'));
    home = join(root, 'home');
    mkdirSync(home);
    const snapshot = await loadScenario('backend-502');
    podNames = snapshot.objects.filter((o) => o.kind === 'Pod' && o.metadata.namespace === NS).map((o) => o.metadata.name).sort();
    sandbox = await startSandbox({ snapshot, port: 0 });
    kubeconfig = join(root, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, sandbox.kubeconfigYaml({ contextName: 'lab', namespace: NS }));
    env = { ROADSIDE_HOME: home, KUBECONFIG: join(root, 'none.yaml'), HOME: root };
    const store = IncidentStore.open(home, { author: 'ana' });
    try {
      incidentId = store.createIncident({ title: 'Backend 502', severity: 'SEV1', context: 'lab', namespace: NS, description: 'token=tk_live_51Hh8QpR2kLmN3oP4qR5sT6uV7wX8yZ9 seen in logs' }).id;
    } finally {
      store.close();
    }
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('builds a bundle with level, since and the kubeconfig given, then verifies it', async () => {
    const out = join(root, 'b.zip');
    const r = await runCli(['report', 'build', '--incident', incidentId, '--out', out, '--level', 'emergency', '--since', '2h', '--kubeconfig', kubeconfig], env, 60_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Bundle written: ${out}`);
    expect(r.stdout).toContain('**[Emergency] Backend 502**');
    const v = await runCli(['bundle', 'verify', out], env);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/verified .*b\.zip\n\s+\d+ files \(\d+ bytes\) match manifest\.json/);
    expect(v.stdout).toContain('level Emergency');
    const j = await runCli(['bundle', 'verify', out, '--json'], env);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.manifest.files.some((f: { path: string }) => f.path === 'cluster/resources/pods.json')).toBe(true);
    expect(parsed.manifest.incidentId).toBe(incidentId);
  });

  it('says why when the input is bad, and writes nothing', async () => {
    const out = join(root, 'bad.zip');
    const level = await runCli(['report', 'build', '--incident', incidentId, '--out', out, '--level', 'L9'], env);
    expect(level.code).toBe(2);
    expect(level.stderr).toContain('--level must be L1, L2, L3 or emergency');
    const since = await runCli(['report', 'build', '--incident', incidentId, '--out', out, '--since', 'yesterday'], env);
    expect(since.code).toBe(2);
    const missing = await runCli(['report', 'build', '--incident', 'nope-0000', '--out', out, '--no-live'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Incident nope-0000 not found/i);
    const folder = await runCli(['report', 'build', '--incident', incidentId, '--out', join(root, 'missing', 'x.zip'), '--no-live'], env);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('does not exist');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a tampered bundle with exit code 1, naming the entry', async () => {
    const out = join(root, 'offline.zip');
    const r = await runCli(['report', 'build', '--incident', incidentId, '--out', out, '--no-live'], env);
    expect(r.code).toBe(0);
    const raw = readFileSync(out);
    const at = raw.indexOf(Buffer.from('report.md')) + 40; // inside report.md's compressed data
    raw[at] ^= 0xff;
    const bad = join(root, 'tampered.zip');
    writeFileSync(bad, raw);
    const v = await runCli(['bundle', 'verify', bad], env);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/bundle refused: entry "report\.md"/);
  });

  it('replays a bundle with the sandbox until Ctrl+C; kubectl sees the same pods', async () => {
    const out = join(root, 'replay.zip');
    expect((await runCli(['report', 'build', '--incident', incidentId, '--out', out, '--kubeconfig', kubeconfig], env, 60_000)).code).toBe(0);
    const kcOut = join(root, 'replay-kubeconfig.yaml');
    const running = await startCli(['bundle', 'replay', out, '--kubeconfig-out', kcOut], env, /Press Ctrl\+C/, 60_000);
    try {
      expect(running.output()).toContain(`export KUBECONFIG=${kcOut}`);
      const { stdout } = await promisify(execFile)(kubectl, ['--kubeconfig', kcOut, 'get', 'pods', '-n', NS, '-o', 'name'], { timeout: 20_000 });
      expect(stdout.trim().split('\n').map((l) => l.replace('pod/', '')).sort()).toEqual(podNames);
    } finally {
      expect(await running.interrupt()).toBe(0);
    }
  });
});
