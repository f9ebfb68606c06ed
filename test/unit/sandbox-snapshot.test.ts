import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findExecReply, findHttpReply, matchesGlob } from '../../src/main/sandbox/scenario-match';
import { loadSnapshot, NotASnapshotError, ScenarioFileError, shiftLogLine, shiftTimestamp, stableUid } from '../../src/main/sandbox/snapshot';
import { expandTemplates } from '../../src/main/sandbox/templates';

let dir: string;

async function put(relative: string, text: string) {
  const path = join(dir, relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'roadside-snapshot-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pod = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: demo
${extra}
`;

describe('loadSnapshot', () => {
  it('reads multi-document YAML, Lists, typed lists and JSON', async () => {
    await put('resources/pods.yaml', `${pod('a')}---\n${pod('b')}---\n`);
    await put(
      'resources/list.yaml',
      `apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: demo}}\n`,
    );
    await put(
      'resources/nested/services.json',
      JSON.stringify({ apiVersion: 'v1', kind: 'ServiceList', items: [{ metadata: { name: 's', namespace: 'demo' } }] }),
    );
    const snap = await loadSnapshot(dir);
    expect(snap.skipped).toEqual([]);
    expect(snap.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['ConfigMap/c', 'Pod/a', 'Pod/b', 'Service/s']);
    expect(snap.objects.find((o) => o.kind === 'Service')!.apiVersion).toBe('v1');
  });

  it('skips malformed documents with file and line and keeps the rest', async () => {
    await put('resources/good.yaml', pod('ok'));
    await put('resources/broken.yaml', `${pod('first')}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n`);
    await put('resources/nokind.yaml', `apiVersion: v1\nmetadata:\n  name: x\n`);
    await put('resources/bad.json', '{\n  "apiVersion": "v1",\n  oops\n}');
    const snap = await loadSnapshot(dir);
    expect(snap.objects.map((o) => o.metadata.name).sort()).toEqual(['first', 'ok']);
    const byFile = Object.fromEntries(snap.skipped.map((s) => [s.file, s]));
    expect(byFile['resources/broken.yaml'].reason).toMatch(/invalid YAML/);
    expect(byFile['resources/broken.yaml'].line).toBeGreaterThanOrEqual(10);
    expect(byFile['resources/nokind.yaml']).toMatchObject({ line: 1, reason: 'missing kind' });
    expect(byFile['resources/bad.json'].reason).toMatch(/invalid JSON/);
    expect(byFile['resources/bad.json'].line).toBe(3);
  });

  it('fills uid, creationTimestamp, resourceVersion and owner uids stably', async () => {
    await put(
      'resources/a.yaml',
      `${pod('p', '  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs}]')}---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs, namespace: demo, uid: given}\n`,
    );
    const now = new Date('2026-02-01T00:00:00Z');
    const snap = await loadSnapshot(dir, { now });
    const p = snap.objects.find((o) => o.kind === 'Pod')!;
    expect(p.metadata.uid).toBe(stableUid('Pod', 'demo', 'p'));
    expect(p.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p.metadata.creationTimestamp).toBe('2026-02-01T00:00:00Z');
    expect(p.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(p.metadata.ownerReferences![0].uid).toBe(stableUid('ReplicaSet', 'demo', 'rs'));
    expect(snap.objects.find((o) => o.kind === 'ReplicaSet')!.metadata.uid).toBe('given');
    const again = await loadSnapshot(dir, { now });
    expect(again.objects.find((o) => o.kind === 'Pod')!.metadata.uid).toBe(p.metadata.uid);
  });

  it('shifts every RFC3339 value and log prefix by now - capturedAt', async () => {
    await put('scenario.yaml', 'name: shift\ncapturedAt: "2026-01-10T10:00:00Z"\n');
    await put(
      'resources/pod.yaml',
      pod(
        'p',
        `  creationTimestamp: "2026-01-10T09:00:00Z"
status:
  startTime: "2026-01-10T09:00:01Z"
  conditions: [{type: Ready, status: "True", lastTransitionTime: "2026-01-10T09:30:00.123456Z"}]
  message: "not a time 2026-01-10T09:00:00Z inside text"
`,
      ),
    );
    await put('logs/demo/p/app.log', '2026-01-10T09:59:00.123456789Z started at 2026/01/10 09:59:00 ok\nno timestamp here\n');
    await put('logs/demo/p/app.previous.log', '2026-01-10T08:00:00Z old\n');
    const snap = await loadSnapshot(dir, { now: new Date('2026-03-01T12:00:00.400Z') });
    const p = snap.objects[0] as any;
    expect(p.metadata.creationTimestamp).toBe('2026-03-01T11:00:00Z');
    expect(p.status.startTime).toBe('2026-03-01T11:00:01Z');
    expect(p.status.conditions[0].lastTransitionTime).toBe('2026-03-01T11:30:00.123456Z');
    expect(p.status.message).toBe('not a time 2026-01-10T09:00:00Z inside text');
    const current = snap.logs.find((l) => !l.previous)!;
    expect(current).toMatchObject({ namespace: 'demo', pod: 'p', container: 'app' });
    expect(current.lines).toEqual(['2026-03-01T11:59:00.123456789Z started at 2026/03/01 11:59:00 ok', 'no timestamp here']);
    expect(snap.logs.find((l) => l.previous)!.lines).toEqual(['2026-03-01T10:00:00Z old']);
  });

  it('keeps timestamps as captured without capturedAt', async () => {
    await put('resources/pod.yaml', pod('p', '  creationTimestamp: "2020-01-01T00:00:00Z"'));
    const snap = await loadSnapshot(dir, { now: new Date('2026-03-01T12:00:00Z') });
    expect(snap.objects[0].metadata.creationTimestamp).toBe('2020-01-01T00:00:00Z');
    expect(snap.scenario).toMatchObject({ latencyMs: 0, users: [], exec: [], expect: [] });
  });

  it('throws NotASnapshotError for folders that are not snapshots', async () => {
    await put('notes.txt', 'hello');
    await expect(loadSnapshot(dir)).rejects.toThrow(NotASnapshotError);
    await expect(loadSnapshot(dir)).rejects.toThrow(/neither a resources\/ folder nor a scenario\.yaml/);
    await expect(loadSnapshot(join(dir, 'missing'))).rejects.toThrow(/does not exist/);
    await expect(loadSnapshot(join(dir, 'notes.txt'))).rejects.toThrow(/is a file/);
  });

  it('rejects an invalid scenario.yaml naming the field', async () => {
    await put('scenario.yaml', 'name: Bad Name\nexec:\n  - {pod: x, stdout: hi}\nlatencyMs: -1\n');
    const err = await loadSnapshot(dir).catch((e) => e);
    expect(err).toBeInstanceOf(ScenarioFileError);
    expect(err.message).toMatch(/^name: /m);
    expect(err.message).toMatch(/^exec\[0\]\.command: /m);
    expect(err.message).toMatch(/^latencyMs: /m);
  });

  it('applies defaults to scenario replies', async () => {
    await put('scenario.yaml', 'name: d\nexec:\n  - {pod: "web-*", command: "date +%s", stdout: "{{nowEpoch}}"}\nhttp:\n  - {service: web, port: 80, path: /}\n');
    const snap = await loadSnapshot(dir);
    expect(snap.scenario.exec[0]).toMatchObject({ stderr: '', exitCode: 0, delayMs: 0 });
    expect(snap.scenario.http[0]).toMatchObject({ method: 'GET', status: 200, headers: {}, body: '', delayMs: 0 });
    expect(snap.scenario.title).toEqual({ es: 'd', en: 'd' });
  });

  it('resolves an overlay: replace, remove, patch, logs and replies first', async () => {
    const base = join(dir, 'base');
    const overlay = join(dir, 'overlay');
    dir = base;
    await put('scenario.yaml', 'name: base\ncapturedAt: "2026-01-10T10:00:00Z"\nexec:\n  - {command: "date", stdout: base}\nexpect:\n  - {check: a.one, status: pass}\n  - {check: a.two, status: pass}\n');
    await put('resources/all.yaml', `${pod('keep')}---\n${pod('replace', 'status: {phase: Running}')}---\n${pod('gone')}---\n${pod('patched', 'status: {phase: Running, podIP: 10.0.0.1}')}`);
    await put('logs/demo/gone/app.log', '2026-01-10T09:00:00Z bye\n');
    await put('logs/demo/keep/app.log', '2026-01-10T09:00:00Z base line\n');
    dir = overlay;
    await put(
      'scenario.yaml',
      `name: overlay
base: ../base
remove: [{kind: Pod, namespace: demo, name: gone}]
patches:
  - {kind: Pod, namespace: demo, name: patched, patch: {status: {phase: Failed, podIP: null}}}
exec:
  - {command: "date", stdout: overlay}
expect:
  - {check: a.two, status: fail}
dropExpect: [a.one]
`,
    );
    await put('resources/replace.yaml', pod('replace', 'status: {phase: Pending}'));
    await put('logs/demo/keep/app.log', '2026-01-10T09:00:00Z overlay line\n');
    dir = join(overlay, '..');
    const snap = await loadSnapshot(overlay, { now: new Date('2026-01-10T10:00:00Z') });
    expect(snap.skipped).toEqual([]);
    const byName = Object.fromEntries(snap.objects.map((o) => [o.metadata.name, o as any]));
    expect(Object.keys(byName).sort()).toEqual(['keep', 'patched', 'replace']);
    expect(byName.replace.status.phase).toBe('Pending');
    expect(byName.patched.status).toEqual({ phase: 'Failed' });
    expect(snap.logs.map((l) => `${l.pod}:${l.lines[0]}`)).toEqual(['keep:2026-01-10T09:00:00Z overlay line']);
    expect(snap.scenario.capturedAt).toBe('2026-01-10T10:00:00Z');
    expect(snap.scenario.base).toBe('../base');
    expect(findExecReply(snap.scenario, { namespace: 'demo', pod: 'keep', container: 'app', command: ['date'] })!.stdout).toBe('overlay');
    expect(snap.scenario.expect).toEqual([{ check: 'a.two', status: 'fail' }]);
  });

  it('reports overlay targets that do not exist', async () => {
    await mkdir(join(dir, 'base', 'resources'), { recursive: true });
    await put('over/scenario.yaml', 'name: over\nbase: ../base\nremove: [{kind: Pod, namespace: demo, name: nope}]\npatches: [{kind: Pod, name: nope2, patch: {a: 1}}]\n');
    const snap = await loadSnapshot(join(dir, 'over'));
    expect(snap.skipped.map((s) => s.reason)).toEqual(['remove: no Pod demo/nope in the base', 'patches: no Pod nope2 found']);
  });
});

describe('time helpers', () => {
  it('shifts timestamps keeping their precision', () => {
    expect(shiftTimestamp('2026-01-10T10:00:00Z', 3_600_000)).toBe('2026-01-10T11:00:00Z');
    expect(shiftTimestamp('2026-01-10T10:00:00.5Z', -1000)).toBe('2026-01-10T09:59:59.5Z');
    expect(shiftTimestamp('2026-01-10T12:00:00+02:00', 0)).toBe('2026-01-10T10:00:00Z');
    expect(shiftLogLine('2026-01-10T10:00:00Z I0110 09:59:58.123456 1 x.go:1] msg', 86_400_000)).toBe('2026-01-11T10:00:00Z I0111 09:59:58.123456 1 x.go:1] msg');
  });
});

describe('expandTemplates', () => {
  const now = new Date('2026-01-10T10:00:00.750Z');
  it('expands now and nowEpoch with offsets', () => {
    expect(expandTemplates('{{now}}', now)).toBe('2026-01-10T10:00:00Z');
    expect(expandTemplates('{{nowEpoch}}', now)).toBe('1768039200');
    expect(expandTemplates('{{nowEpoch+300}} {{ nowEpoch - 60 }}', now)).toBe('1768039500 1768039140');
    expect(expandTemplates('at {{now-90}}!', now)).toBe('at 2026-01-10T09:58:30Z!');
    expect(expandTemplates('{{other}} {now}', now)).toBe('{{other}} {now}');
  });
});

describe('reply matching', () => {
  it('globs over the whole argv, spaces and slashes included', () => {
    expect(matchesGlob('psql*pg_stat_statements*', 'psql -U u -c SELECT * FROM pg_stat_statements')).toBe(true);
    expect(matchesGlob('find /tmp*jpg*', 'find /tmp -name *.jpg -mtime +1')).toBe(true);
    expect(matchesGlob('date', 'date +%s')).toBe(false);
    expect(matchesGlob('*[Ss]elect 1*', 'psql -c SELECT 1')).toBe(false);
    expect(matchesGlob('*[Ss]elect 1*', 'psql -c Select 1')).toBe(true);
  });
  it('picks the first matching exec and http reply', () => {
    const scenario = {
      exec: [
        { namespace: 'a', pod: 'db-0', container: 'pg', command: 'psql*', stdout: '1', stderr: '', exitCode: 0, delayMs: 0 },
        { pod: '*', command: '*', stdout: '2', stderr: '', exitCode: 0, delayMs: 0 },
      ],
      http: [{ service: 'web', port: 80, method: 'GET', path: '/x', status: 200, headers: {}, body: 'w', delayMs: 0 }],
    };
    expect(findExecReply(scenario, { namespace: 'a', pod: 'db-0', container: 'pg', command: ['psql', '-c', 'x'] })!.stdout).toBe('1');
    expect(findExecReply(scenario, { namespace: 'a', pod: 'db-0', container: 'other', command: ['psql'] })!.stdout).toBe('2');
    expect(findHttpReply(scenario, { namespace: 'n', service: 'web', port: 80, method: 'get', path: '/x?y=1' })!.body).toBe('w');
    expect(findHttpReply(scenario, { namespace: 'n', pod: 'web', port: 80, method: 'GET', path: '/x' })).toBeUndefined();
  });
});
