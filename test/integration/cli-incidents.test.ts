// `roadside incident …` as an engineer runs it: the built CLI, real SQLite files in
// a temporary ROADSIDE_HOME.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident, TimelineEntry } from '../../src/shared/incidents';
import { runCli } from '../support/cli';

let root: string;
let home: string;
const env = () => ({ ROADSIDE_HOME: home, KUBECONFIG: join(root, 'no-kubeconfig') });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'roadside-cli-incidents-'));
  home = join(root, 'home');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function newIncident(title = 'PostgreSQL no acepta conexiones'): Promise<Incident> {
  const run = await runCli(['incident', 'new', '--title', title, '--severity', 'SEV1', '--context', 'prod-eu', '--namespace', 'traffic-system', '--json'], env());
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Incident;
}

async function show(id: string, where = env()): Promise<{ incident: Incident; entries: TimelineEntry[] }> {
  const run = await runCli(['incident', 'show', id, '--json'], where);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('roadside incident', () => {
  it('opens an incident, adds a note, a status change and an attachment, and shows them', async () => {
    const incident = await newIncident();
    expect(incident.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(incident).toMatchObject({ severity: 'SEV1', status: 'active', context: 'prod-eu', namespace: 'traffic-system' });

    const note = await runCli(['incident', 'note', incident.id, 'Backend logs: **connection refused** to postgres:5432'], env());
    expect(note.code, note.stderr).toBe(0);
    const status = await runCli(['incident', 'status', incident.id, 'mitigated', '--note', 'Restarted the statefulset'], env());
    expect(status.code, status.stderr).toBe(0);
    const log = join(root, 'backend.log');
    writeFileSync(log, 'ERROR could not connect to server: Connection refused\n');
    const attach = await runCli(['incident', 'attach', incident.id, log, '--caption', 'kubectl logs backend'], env());
    expect(attach.code, attach.stderr).toBe(0);

    const shown = await show(incident.id);
    expect(shown.incident.status).toBe('mitigated');
    expect(shown.entries.map((e) => e.kind).sort()).toEqual(['attachment', 'note', 'status-change']);
    expect(shown.entries.find((e) => e.kind === 'note')?.body).toContain('connection refused');
    expect(shown.entries.find((e) => e.kind === 'attachment')).toMatchObject({ title: 'backend.log', body: 'kubectl logs backend' });

    const list = await runCli(['incident', 'list', '--status', 'mitigated'], env());
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('PostgreSQL no acepta conexiones');
    const search = await runCli(['incident', 'list', '--search', 'refused', '--json'], env());
    const found = JSON.parse(search.stdout) as { incidents: Incident[]; hits: Array<{ snippet: string }> };
    expect(found.incidents.map((i) => i.id)).toEqual([incident.id]);
    expect(found.hits.some((h) => h.snippet.includes('«refused»'))).toBe(true);
    const none = await runCli(['incident', 'list', '--status', 'closed', '--json'], env());
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('exports an incident and another ROADSIDE_HOME imports and continues it', async () => {
    const incident = await newIncident();
    await runCli(['incident', 'note', incident.id, 'Primera nota'], env());
    const file = join(root, 'attached.txt');
    writeFileSync(file, 'pg_stat_activity: 97 connections\n');
    await runCli(['incident', 'attach', incident.id, file], env());
    const out = join(root, 'incident.json');
    const exported = await runCli(['incident', 'export', incident.id, '--out', out], env());
    expect(exported.code, exported.stderr).toBe(0);

    const other = { ROADSIDE_HOME: join(root, 'colleague'), KUBECONFIG: join(root, 'no-kubeconfig') };
    const imported = await runCli(['incident', 'import', out, '--json'], other);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout).id).toBe(incident.id);
    const again = await runCli(['incident', 'import', out], other);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already in this store');

    expect((await runCli(['incident', 'note', incident.id, 'Nota del colega'], other)).code).toBe(0);
    expect((await runCli(['incident', 'status', incident.id, 'resolved'], other)).code).toBe(0);
    const continued = await show(incident.id, other);
    expect(continued.incident.status).toBe('resolved');
    expect(continued.entries.filter((e) => e.kind === 'note').map((e) => e.body).sort()).toEqual(['Nota del colega', 'Primera nota']);
    expect(continued.entries.some((e) => e.kind === 'attachment')).toBe(true);
  });

  it('refuses bad input with exit 2 and a clear message', async () => {
    const missing = await runCli(['incident', 'note', '00000000-0000-4000-8000-000000000000', 'hola'], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no incident with id 00000000-0000-4000-8000-000000000000');
    expect((await runCli(['incident', 'show', 'nope'], env())).stderr).toContain('no incident with id nope');

    const incident = await newIncident();
    const big = join(root, 'big-note.md');
    writeFileSync(big, 'x'.repeat(1024 * 1024 + 1));
    const tooLarge = await runCli(['incident', 'note', incident.id, '--file', big], env());
    expect(tooLarge.code).toBe(2);
    expect(tooLarge.stderr).toMatch(/limit is 1 MiB/);

    const badStatus = await runCli(['incident', 'status', incident.id, 'done'], env());
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain('active, mitigated, resolved, closed');
    expect((await runCli(['incident', 'new', '--title', 'x', '--severity', 'SEV9'], env())).code).toBe(2);
    expect((await runCli(['incident', 'attach', incident.id, join(root, 'absent.log')], env())).stderr).toContain('file not found');

    const notJson = join(root, 'broken.json');
    writeFileSync(notJson, '{"format": "roadside-incident/1", ');
    const malformed = await runCli(['incident', 'import', notJson], env());
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('not valid JSON');
    const wrongShape = join(root, 'wrong.json');
    writeFileSync(wrongShape, JSON.stringify({ format: 'roadside-incident/1', incident: { title: 'half' }, entries: [], attachments: [] }));
    const refused = await runCli(['incident', 'import', wrongShape], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('was not imported');
    // Nothing of either file stayed.
    const list = JSON.parse((await runCli(['incident', 'list', '--json'], env())).stdout) as Incident[];
    expect(list.map((i) => i.id)).toEqual([incident.id]);
  });

  it('records a diagnosis to the incident named with diagnose --incident, and refuses an unknown one', async () => {
    const kubeconfig = join(root, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
current-context: lab
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: lab, context: {cluster: c, user: u, namespace: traffic-system}}]
`,
    );
    const withCluster = { ...env(), KUBECONFIG: kubeconfig };
    const incident = await newIncident();
    const unknown = await runCli(['diagnose', '--incident', 'no-such-incident', '--section', 'database'], withCluster);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no incident with id no-such-incident');
    const run = await runCli(['diagnose', '--incident', incident.id, '--section', 'database'], withCluster);
    expect(run.code).toBe(3);
    const shown = await show(incident.id);
    const recorded = shown.entries.find((e) => e.kind === 'diagnostic-run');
    expect(recorded?.kind === 'diagnostic-run' && recorded.data.summary).toMatch(/^Diagnosis of lab \/ traffic-system: cluster unreachable/);
  });

  it('says which database file is damaged and how to start fresh, and changes nothing', async () => {
    await newIncident();
    const db = join(home, 'roadside.db');
    for (const suffix of ['-wal', '-shm']) rmSync(db + suffix, { force: true });
    const garbage = Buffer.from('this is not a SQLite database, it is a shopping list '.repeat(200));
    writeFileSync(db, garbage);
    const run = await runCli(['incident', 'list'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(db);
    expect(run.stderr).toMatch(/start fresh, move it aside/);
    expect(readFileSync(db).equals(garbage)).toBe(true);
  });

  it('loses no note when two processes add notes at the same time', async () => {
    const incident = await newIncident();
    const perWriter = 8;
    const writer = async (name: string) => {
      for (let i = 0; i < perWriter; i++) {
        const run = await runCli(['incident', 'note', incident.id, `${name} ${i}`], env());
        expect(run.code, run.stderr).toBe(0);
      }
    };
    await Promise.all([writer('ana'), writer('luis')]);
    const shown = await show(incident.id);
    const bodies = new Set(shown.entries.filter((e) => e.kind === 'note').map((e) => e.body));
    expect(bodies.size).toBe(perWriter * 2);
    for (let i = 0; i < perWriter; i++) expect(bodies.has(`ana ${i}`) && bodies.has(`luis ${i}`)).toBe(true);
  }, 120_000);
});
