// `roadside diagnose` as a user runs it, against every built-in scenario served
// by the real sandbox: each scenario's expectations must hold in a real run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listCheckInfo } from '../../src/main/checks/registry';
import { listScenarios, loadScenario } from '../../src/main/sandbox/scenarios';
import { startSandbox } from '../../src/main/sandbox/server';
import { runCli } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'roadside-diagnose-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ROADSIDE_HOME: join(dir, 'home'), HOME: dir, KUBECONFIG: '' };

const FINDING_FIELDS = ['check', 'section', 'status', 'message', 'evidence', 'kubectl', 'remediation', 'actions'];

async function diagnoseScenario(name: string, extraArgs: string[] = []) {
  const sandbox = await startSandbox({ snapshot: await loadScenario(name), port: 0, podReadyDelayMs: 50 });
  const kubeconfig = join(dir, `${name}.yaml`);
  writeFileSync(kubeconfig, sandbox.kubeconfigYaml({ contextName: 'roadside-sandbox', namespace: 'traffic-system' }));
  try {
    const run = await runCli(['diagnose', '--kubeconfig', kubeconfig, '--context', 'roadside-sandbox', '--json', '--param', 'username=operador.lopez', ...extraArgs], env, 120_000);
    return { run, requests: sandbox.requestCount() };
  } finally {
    await sandbox.stop();
  }
}

const scenarios = await listScenarios();
const OPT_IN = new Set(listCheckInfo().filter((c) => c.optIn).map((c) => c.id));

describe('roadside diagnose against every built-in scenario', () => {
  it('covers the thirteen runbook scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(13);
  });

  it.each(scenarios.map((s) => s.name))('%s: every expectation of the scenario holds', async (name) => {
    const snapshot = await loadScenario(name);
    const { run } = await diagnoseScenario(name);
    const result = JSON.parse(run.stdout);
    for (const field of ['context', 'namespace', 'startedAt', 'durationMs', 'requests', 'summary', 'findings']) expect(result).toHaveProperty(field);
    expect(Object.keys(result.summary).sort()).toEqual(['error', 'fail', 'pass', 'skipped', 'warn']);
    for (const f of result.findings) for (const field of FINDING_FIELDS) expect(f).toHaveProperty(field);
    const byCheck = new Map<string, { status: string; message: string }>(result.findings.map((f: { check: string }) => [f.check, f]));
    // Opt-in checks (they create objects) run only when named: run those the scenario expects on their own.
    const optIn = snapshot.scenario.expect.map((e) => e.check).filter((id) => OPT_IN.has(id));
    if (optIn.length) {
      const extra = await diagnoseScenario(name, optIn.flatMap((id) => ['--check', id]));
      for (const f of JSON.parse(extra.run.stdout).findings) byCheck.set(f.check, f);
    }
    const mismatches = snapshot.scenario.expect
      .filter((e) => byCheck.get(e.check)?.status !== e.status)
      .map((e) => `${e.check}: expected ${e.status}, got ${byCheck.get(e.check)?.status ?? 'nothing'} — ${byCheck.get(e.check)?.message ?? ''}`);
    expect(mismatches).toEqual([]);
    // The exit code follows the findings: 1 when a check failed (or could not run), else 0.
    const failed = result.summary.fail + result.summary.error > 0;
    expect(run.code).toBe(failed ? 1 : 0);
    if (name === 'healthy') {
      expect(result.summary.fail + result.summary.error).toBe(0);
      // Nothing but the JSON: no warnings from the runtime leak into a script's stderr.
      expect(run.stderr).toBe('');
    }
  });

  it('reads each list at most once per run (one request per resource and namespace)', async () => {
    const { run, requests } = await diagnoseScenario('healthy');
    const result = JSON.parse(run.stdout);
    expect(result.requests).toBeGreaterThan(0);
    // What the engine counted is what the API server saw (plus the CLI's access reviews, none here).
    expect(requests).toBeLessThanOrEqual(result.requests + 2);
  });

  it('runs one section or one check when asked, and refuses unknown ones with exit 2', async () => {
    const { run } = await diagnoseScenario('postgres-down', ['--section', 'database']);
    const result = JSON.parse(run.stdout);
    expect(new Set(result.findings.map((f: { section: string }) => f.section))).toEqual(new Set(['database']));
    expect(run.code).toBe(1);
    const one = await diagnoseScenario('healthy', ['--check', 'storage.pvc-usage']);
    expect(JSON.parse(one.run.stdout).findings.map((f: { check: string }) => f.check)).toEqual(['storage.pvc-usage']);
    const bad = await runCli(['diagnose', '--section', 'plumbing'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown section');
    const badCheck = await runCli(['diagnose', '--check', 'storage.nope', '--context', 'x'], env);
    expect(badCheck.code).toBe(2);
    expect(badCheck.stderr).toContain('no such check');
  });

  it('runs the opt-in DNS probe only when asked, creating and cleaning up its pod', async () => {
    const { run } = await diagnoseScenario('healthy', ['--check', 'network.dns-probe']);
    const result = JSON.parse(run.stdout);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].status).toBe('pass');
    const all = await diagnoseScenario('healthy');
    expect(JSON.parse(all.run.stdout).findings.map((f: { check: string }) => f.check)).not.toContain('network.dns-probe');
  });
});

describe('roadside diagnose when the cluster cannot be used', () => {
  it('exits 3 when the API server refuses connections or rejects the token', async () => {
    const tmp = net.createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', () => r()));
    const port = (tmp.address() as net.AddressInfo).port;
    await new Promise<void>((r) => tmp.close(() => r()));
    const refused = join(dir, 'refused.yaml');
    writeFileSync(
      refused,
      `apiVersion: v1\nkind: Config\ncurrent-context: gone\nclusters: [{name: gone, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: gone, context: {cluster: gone, user: u}}]\n`,
    );
    const r = await runCli(['diagnose', '--kubeconfig', refused, '--context', 'gone', '--json'], env, 60_000);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).unreachable).toMatch(/refused|ECONNREFUSED/i);

    const sandbox = await startSandbox({ snapshot: await loadScenario('healthy'), port: 0 });
    try {
      const badToken = join(dir, 'bad-token.yaml');
      writeFileSync(badToken, sandbox.kubeconfigYaml({ contextName: 'roadside-sandbox' }).replace(/token: .*/, 'token: not-the-token'));
      const r2 = await runCli(['diagnose', '--kubeconfig', badToken, '--context', 'roadside-sandbox'], env, 60_000);
      expect(r2.code).toBe(3);
      expect(r2.stdout).toMatch(/could not be reached|Unauthorized|401/i);
    } finally {
      await sandbox.stop();
    }
  });
});
