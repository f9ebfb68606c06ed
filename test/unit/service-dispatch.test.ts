// The main side treats every payload from a UI as untrusted.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RoadsideService } from '../../src/main/service';

const dir = mkdtempSync(join(tmpdir(), 'roadside-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kubeconfig = join(dir, 'config');
writeFileSync(
  kubeconfig,
  `apiVersion: v1
kind: Config
current-context: a
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts:
- {name: a, context: {cluster: c, user: u}}
- {name: b, context: {cluster: c, user: u, namespace: monitoring}}
`,
);

function service(home = join(dir, 'home')) {
  return new RoadsideService({ dataDir: home, door: 'cli', version: 'test', kubeconfig: { kubeconfigEnv: kubeconfig, home: dir } });
}

describe('dispatch validates untrusted requests', () => {
  it('refuses an unknown channel, extra fields and wrong types with invalid-input', async () => {
    const s = service();
    expect(await s.dispatch('fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await s.dispatch('contexts.list', { sneaky: true })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await s.dispatch('contexts.select', { context: 42 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const badNs = await s.dispatch('contexts.select', { context: 'a', namespace: 'Not A Namespace!' });
    expect(badNs).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    if (!badNs.ok) expect(badNs.error.message).toContain('namespace');
    expect(await s.dispatch('__proto__', {})).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('answers a selection of an unknown context with not-found', async () => {
    expect(await service().dispatch('contexts.select', { context: 'ghost' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('context selection belongs to Roadside, not to the kubeconfig', () => {
  it('defaults to the current-context and traffic-system, remembers a switch, and leaves the kubeconfig untouched', async () => {
    const home = join(dir, 'home-select');
    const before = readFileSync(kubeconfig, 'utf8');
    const first = await service(home).call('contexts.list', {});
    expect(first.selected).toEqual({ context: 'a', namespace: 'traffic-system' });
    expect(await service(home).call('contexts.select', { context: 'b' })).toEqual({ context: 'b', namespace: 'monitoring' });
    // A new process (new service object) sees the same choice.
    expect((await service(home).call('contexts.list', {})).selected).toEqual({ context: 'b', namespace: 'monitoring' });
    expect(readFileSync(kubeconfig, 'utf8')).toBe(before);
  });

  it('remembers added kubeconfig files across launches and refuses a missing one', async () => {
    const home = join(dir, 'home-add');
    const extra = join(dir, 'extra.yaml');
    writeFileSync(extra, `apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: "https://127.0.0.1:2"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: extra, context: {cluster: x, user: u}}]\n`);
    await service(home).call('kubeconfig.add', { path: extra });
    const list = await service(home).call('contexts.list', {});
    expect(list.contexts.map((c) => c.name)).toContain('extra');
    expect(await service(home).dispatch('kubeconfig.add', { path: join(dir, 'missing.yaml') })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    await service(home).call('kubeconfig.remove', { path: extra });
    expect((await service(home).call('contexts.list', {})).contexts.map((c) => c.name)).not.toContain('extra');
  });

  it('falls back to defaults when the settings file is corrupt, and says so', () => {
    const home = join(dir, 'home-corrupt');
    const s1 = service(home);
    s1.settings.update({ language: 'es' });
    writeFileSync(join(home, 'settings.json'), '{ not json');
    const s2 = service(home);
    expect(s2.settings.get().language).toBe('system');
    expect(s2.settings.loadProblem).toContain('settings.json');
  });
});
