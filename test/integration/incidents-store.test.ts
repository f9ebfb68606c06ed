import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentStore } from '../../src/main/incidents';
import type { NewTimelineEntry, TimelineEntry } from '../../src/shared/incidents';
import { INCIDENT_LIMITS } from '../../src/shared/incidents';

let root: string;
let store: IncidentStore;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'roadside-incidents-'));
  store = IncidentStore.open(join(root, 'data'), { author: 'ana' });
});
afterEach(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

function note(body: string, at: number | string): NewTimelineEntry {
  return { kind: 'note', body, at };
}

describe('incidents', () => {
  it('creates, lists with filters and search, and updates an incident', () => {
    const db = store.createIncident({
      title: 'PostgreSQL inaccesible',
      severity: 'SEV1',
      context: 'prod-eu',
      namespace: 'traffic-system',
      description: 'Backend returns 500 on /api/infractions',
      startedAt: '2024-06-01T10:00:00+02:00',
    });
    store.createIncident({ title: 'MinIO slow uploads', severity: 'SEV3', context: 'staging' });
    expect(db.status).toBe('active');
    expect(db.startedAt).toBe('2024-06-01T08:00:00.000Z');
    expect(db.createdBy).toBe('ana');

    expect(store.listIncidents({ severity: 'SEV1' }).map((i) => i.title)).toEqual(['PostgreSQL inaccesible']);
    expect(store.listIncidents({ context: 'staging' }).map((i) => i.title)).toEqual(['MinIO slow uploads']);
    expect(store.listIncidents({ search: 'postgresql' }).map((i) => i.id)).toEqual([db.id]);
    expect(store.listIncidents({ search: 'infractions' }).map((i) => i.id)).toEqual([db.id]);

    const updated = store.updateIncident(db.id, { title: 'PostgreSQL down', impact: 'No infractions saved', escalationLevel: 'L2' });
    expect(updated.title).toBe('PostgreSQL down');
    expect(updated.impact).toBe('No infractions saved');
    expect(store.listIncidents({ search: 'inaccesible' })).toEqual([]);
    const escalations = store.listEntries(db.id, { kinds: ['escalation'] }).entries;
    expect(escalations.map((e) => e.title)).toEqual(['Escalated to L2']);
    expect(() => store.getIncident('00000000-0000-4000-8000-000000000000')).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('moves status forward, records each move, refuses going back except a reopen', () => {
    const incident = store.createIncident({ title: 'Ingress 502', severity: 'SEV2' });
    store.setStatus(incident.id, 'mitigated', 'Scaled backend to 4');
    expect(() => store.setStatus(incident.id, 'mitigated')).toThrow(expect.objectContaining({ code: 'conflict', reason: 'invalid-transition' }));
    const resolved = store.setStatus(incident.id, 'resolved').incident;
    expect(resolved.resolvedAt).toBeDefined();
    const reopened = store.setStatus(incident.id, 'active', 'Errors came back');
    expect(reopened.incident.status).toBe('active');
    expect(reopened.incident.resolvedAt).toBeUndefined();
    expect(reopened.entry.data).toEqual({ from: 'resolved', to: 'active', reopened: true });
    store.setStatus(incident.id, 'closed');
    const changes = store.listEntries(incident.id, { order: 'oldest', kinds: ['status-change'] }).entries;
    expect(changes.map((e) => e.kind === 'status-change' && `${e.data.from}->${e.data.to}`)).toEqual([
      'active->mitigated',
      'mitigated->resolved',
      'resolved->active',
      'active->closed',
    ]);
    expect(changes[0].body).toBe('Scaled backend to 4');
  });
});

describe('timeline', () => {
  it('pages by cursor both ways without gaps or repeats, in either order', () => {
    const incident = store.createIncident({ title: 'Paging', severity: 'SEV4' });
    const base = Date.parse('2024-06-01T00:00:00Z');
    // Equal timestamps on purpose: the cursor must break ties by id.
    store.addEntries(incident.id, Array.from({ length: 95 }, (_, i) => note(`n${i}`, base + Math.floor(i / 3) * 1000)));
    for (const order of ['newest', 'oldest'] as const) {
      const seen: string[] = [];
      let page = store.listEntries(incident.id, { order, limit: 10 });
      expect(page.previous).toBeNull();
      const pages = [page];
      seen.push(...page.entries.map((e) => e.body));
      while (page.next) {
        page = store.listEntries(incident.id, { order, limit: 10, after: page.next });
        pages.push(page);
        seen.push(...page.entries.map((e) => e.body));
      }
      const expected = Array.from({ length: 95 }, (_, i) => `n${i}`);
      expect(seen).toEqual(order === 'oldest' ? expected : expected.reverse());
      // Walking back from the last page gives the page before it.
      const back = store.listEntries(incident.id, { order, limit: 10, before: pages.at(-1)!.previous! });
      expect(back.entries.map((e) => e.id)).toEqual(pages.at(-2)!.entries.map((e) => e.id));
    }
    expect(() => store.listEntries(incident.id, { after: 'garbage!' })).toThrow(/cursor/);
  });

  it('filters by kind and pins, and jumps to a time', () => {
    const incident = store.createIncident({ title: 'Filters', severity: 'SEV3' });
    const base = Date.parse('2024-06-01T00:00:00Z');
    const entries = store.addEntries(incident.id, [
      ...Array.from({ length: 50 }, (_, i) => note(`note ${i}`, base + i * 60_000)),
      { kind: 'finding', at: base + 10 * 60_000 + 1, data: { checkId: 'database.connections', status: 'fail', message: 'max_connections reached' } },
      { kind: 'action', at: base + 20 * 60_000 + 1, data: { actionId: 'restart', target: 'statefulset/postgresql', result: 'succeeded' } },
    ]);
    expect(store.listEntries(incident.id, { kinds: ['finding', 'action'] }).entries.map((e) => e.kind)).toEqual(['action', 'finding']);
    store.pinEntry(entries[3].id);
    store.pinEntry(entries[40].id);
    store.pinEntry(entries[40].id, false);
    const pinned = store.listEntries(incident.id, { pinnedOnly: true }).entries;
    expect(pinned.map((e) => e.id)).toEqual([entries[3].id]);
    expect(pinned[0].pinnedAt).toBeDefined();

    const around = store.listEntries(incident.id, { around: base + 30 * 60_000 - 1, limit: 6, order: 'oldest' });
    expect(around.entries.map((e) => e.body)).toEqual(['note 27', 'note 28', 'note 29', 'note 30', 'note 31', 'note 32']);
    expect(around.anchorId).toBe(entries[30].id);
    expect(around.next).not.toBeNull();
    expect(around.previous).not.toBeNull();
  });

  it('writes a batch all or nothing and refuses kinds that have their own method', () => {
    const incident = store.createIncident({ title: 'Batch', severity: 'SEV4' });
    expect(() =>
      store.addEntries(incident.id, [note('ok', Date.now()), { kind: 'finding', data: { checkId: '', status: 'maybe', message: 1 } } as never]),
    ).toThrow(expect.objectContaining({ code: 'invalid-input' }));
    expect(() => store.addEntry(incident.id, { kind: 'status-change', data: {} } as never)).toThrow(/own methods/);
    expect(() => store.addEntry(incident.id, note('zone-less', '2024-06-01T10:00:00'))).toThrow(/zone/);
    expect(store.getIncident(incident.id).entryCount).toBe(0);
    const added = store.addEntry(incident.id, { kind: 'note', body: '# Revisé los pods\n\nTodo en **CrashLoopBackOff**' });
    expect(added.title).toBe('Revisé los pods');
    expect(added.author).toBe('ana');
    expect(store.addEntry(incident.id, { kind: 'note', body: 'x', author: 'luis' }).author).toBe('luis');
  });

  it('records a diagnostic run with findings that point at it', () => {
    const incident = store.createIncident({ title: 'Diagnostics', severity: 'SEV2' });
    const { run, findings } = store.recordDiagnosticRun(incident.id, {
      runId: 'run-1',
      summary: '2 fail, 1 pass',
      findings: [
        { checkId: 'connectivity.backend', status: 'fail', message: 'Service has no endpoints', command: 'kubectl get endpoints -n traffic-system' },
        { checkId: 'database.disk', status: 'pass', message: 'PVC at 40%' },
      ],
    });
    expect(run.data.findingEntryIds).toEqual(findings.map((f) => f.id));
    expect(findings.every((f) => f.data.runEntryId === run.id)).toBe(true);
  });

  it('imports cluster Warning events once per uid and count, keeping their time', () => {
    const incident = store.createIncident({ title: 'Events', severity: 'SEV2', namespace: 'traffic-system' });
    const event = (uid: string, count: number, namespace = 'traffic-system', type = 'Warning') => ({
      metadata: { uid, name: `e-${uid}`, namespace },
      type,
      reason: 'FailedScheduling',
      message: '0/3 nodes are available: insufficient nvidia.com/gpu',
      involvedObject: { kind: 'Pod', name: 'ml-service-0', namespace },
      count,
      lastTimestamp: '2024-06-01T07:59:00Z',
    });
    expect(store.importClusterEvents(incident.id, [event('a', 1), event('b', 1), event('c', 1, 'kube-system'), event('d', 1, 'traffic-system', 'Normal')])).toBe(2);
    expect(store.importClusterEvents(incident.id, [event('a', 1), event('b', 1)])).toBe(0);
    expect(store.importClusterEvents(incident.id, [event('a', 2), event('a', 2)])).toBe(1);
    const imported = store.listEntries(incident.id, { kinds: ['cluster-event'] }).entries;
    expect(imported).toHaveLength(3);
    expect(imported[0].at).toBe('2024-06-01T07:59:00.000Z');
  });
});

describe('limits and odd input', () => {
  it('accepts a note at the limit and refuses one over it, naming the limit', () => {
    const incident = store.createIncident({ title: 'Limits', severity: 'SEV4' });
    const atLimit = 'é'.repeat(INCIDENT_LIMITS.textBytes / 2);
    expect(store.addEntry(incident.id, note(atLimit, Date.now())).body.length).toBe(atLimit.length);
    expect(() => store.addEntry(incident.id, note(atLimit + 'x', Date.now()))).toThrow(
      expect.objectContaining({ code: 'too-large', message: expect.stringContaining('the limit is 1 MiB') }),
    );
    expect(() => store.createIncident({ title: 'x'.repeat(501), severity: 'SEV4' })).toThrow(/limit is 500 characters/);
    expect(() => store.createIncident({ title: 'ok', severity: 'SEV9' as never })).toThrow(expect.objectContaining({ code: 'invalid-input' }));
  });

  it('refuses an attachment over 512 MiB by size before reading it', async () => {
    const incident = store.createIncident({ title: 'Big file', severity: 'SEV4' });
    const sparse = join(root, 'huge.dump');
    const fd = openSync(sparse, 'w');
    ftruncateSync(fd, INCIDENT_LIMITS.attachmentBytes + 1);
    closeSync(fd);
    await expect(store.addAttachment(incident.id, { path: sparse })).rejects.toMatchObject({
      code: 'too-large',
      message: expect.stringContaining('the limit is 512 MiB'),
    });
    expect(store.getIncident(incident.id).entryCount).toBe(0);
  });
});

describe('attachments and search', () => {
  it('stores small ones inline and large ones as content-addressed files, binary and non-UTF-8 included', async () => {
    const incident = store.createIncident({ title: 'Attachments', severity: 'SEV2' });
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const small = await store.addAttachment(incident.id, { name: 'capture.bin', data: binary });
    expect(small.data).toMatchObject({ mediaType: 'application/octet-stream', size: 4096, indexedText: false });
    expect(store.readAttachment(small.data.sha256).equals(binary)).toBe(true);
    expect(store.attachmentFile(small.data.sha256)).toBeUndefined();

    const logPath = join(root, 'backend.log');
    const lines = Array.from({ length: 12000 }, (_, i) => `2024-06-01T08:${String(i % 60).padStart(2, '0')} worker ${i} ok`);
    lines[5000] = 'psycopg2.OperationalError: could not connect to server: Connection refused';
    writeFileSync(logPath, lines.join('\n'));
    const large = await store.addAttachment(incident.id, { path: logPath, caption: 'kubectl logs backend' });
    expect(large.data.size).toBeGreaterThan(INCIDENT_LIMITS.inlineAttachmentBytes);
    const file = store.attachmentFile(large.data.sha256)!;
    expect(file).toBe(join(root, 'data', 'attachments', large.data.sha256.slice(0, 2), large.data.sha256));
    expect(readFileSync(file).equals(readFileSync(logPath))).toBe(true);

    const latin1 = Buffer.from('Conexión rechazada por el servidor', 'latin1');
    await store.addAttachment(incident.id, { name: 'psql.txt', mediaType: 'text/plain', data: latin1 });

    const hits = store.search('OperationalError', { incidentId: incident.id });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ entryId: large.id, kind: 'attachment', title: 'backend.log' });
    expect(hits[0].snippet).toContain('«OperationalError»');
    expect(store.search('conexion rechazada').map((h) => h.title)).toEqual(['psql.txt']);

    // Damage on disk is reported, never handed out as the attachment.
    writeFileSync(file, 'tampered');
    expect(() => store.readAttachment(large.data.sha256)).toThrow(expect.objectContaining({ reason: 'attachment-corrupt' }));
  });

  it('finds titles, notes and findings with highlighted snippets, and survives any search text', () => {
    const a = store.createIncident({ title: 'GPU nodes drained', severity: 'SEV1' });
    const b = store.createIncident({ title: 'DNS flaps', severity: 'SEV3' });
    store.addEntry(a.id, { kind: 'note', body: 'ml-service pods pending: insufficient nvidia.com/gpu after the drain' });
    store.addEntry(b.id, { kind: 'finding', data: { checkId: 'network.dns', status: 'fail', message: 'CoreDNS timeouts resolving postgresql.traffic-system' } });
    const gpu = store.search('gpu');
    expect(gpu.map((h) => h.kind)).toEqual(['incident', 'note']);
    expect(gpu[0].snippetParts.some((part) => part.match && /gpu/i.test(part.text))).toBe(true);
    expect(store.search('coredns timeo')[0]).toMatchObject({ incidentId: b.id, kind: 'finding' });
    expect(store.search('gpu', { incidentId: b.id })).toEqual([]);
    for (const odd of ['"', 'AND OR NOT', '(*)', 'a:b', '\u0000', '']) expect(() => store.search(odd)).not.toThrow();
  });
});

describe('export and import', () => {
  it('round-trips an incident with attachments into another store, refuses a second import, and copies on request', async () => {
    const incident = store.createIncident({ title: 'Portable', severity: 'SEV2', namespace: 'traffic-system' });
    const { run } = store.recordDiagnosticRun(incident.id, { summary: 'one fail', findings: [{ checkId: 'storage.pvc', status: 'fail', message: 'PVC full' }] });
    const pinned = store.addEntry(incident.id, { kind: 'note', body: 'pinned note', pinned: true });
    store.importClusterEvents(incident.id, [{ metadata: { uid: 'ev', namespace: 'traffic-system' }, type: 'Warning', reason: 'Evicted', count: 1 }]);
    const big = Buffer.alloc(300 * 1024, 'pg_dump line\n');
    await store.addAttachment(incident.id, { name: 'dump.sql', mediaType: 'application/sql', data: big });
    store.setStatus(incident.id, 'mitigated');
    const exported = JSON.parse(JSON.stringify(store.exportIncident(incident.id)));
    expect(exported.format).toBe('roadside-incident/1');

    const other = IncidentStore.open(join(root, 'colleague'), { author: 'luis' });
    try {
      const imported = await other.importIncident(exported);
      expect(imported).toMatchObject({ id: incident.id, title: 'Portable', status: 'mitigated', entryCount: 6 });
      expect(imported.importedAt).toBeDefined();
      const entries = other.listEntries(incident.id, { order: 'oldest' }).entries;
      const importedRun = entries.find((e) => e.kind === 'diagnostic-run')!;
      const finding = entries.find((e) => e.kind === 'finding') as TimelineEntry & { kind: 'finding' };
      expect(finding.data.runEntryId).toBe(importedRun.id);
      expect(importedRun.data).toMatchObject({ summary: run.data.summary, findingEntryIds: [finding.id] });
      expect(entries.find((e) => e.body === 'pinned note')?.pinned).toBe(pinned.pinned);
      const attachment = entries.find((e) => e.kind === 'attachment') as TimelineEntry & { kind: 'attachment' };
      expect(other.readAttachment(attachment.data.sha256).equals(big)).toBe(true);
      expect(other.search('pg_dump').length).toBe(1);
      expect(other.importClusterEvents(incident.id, [{ metadata: { uid: 'ev', namespace: 'traffic-system' }, type: 'Warning', reason: 'Evicted', count: 1 }])).toBe(0);

      await expect(other.importIncident(exported)).rejects.toMatchObject({ code: 'conflict', reason: 'already-imported' });
      expect(other.listIncidents()).toHaveLength(1);
      const copy = await other.importIncident(exported, { asNewCopy: true });
      expect(copy.id).not.toBe(incident.id);
      expect(other.listIncidents()).toHaveLength(2);
    } finally {
      other.close();
    }
  });

  it('refuses malformed and newer files with the reason, leaving nothing behind', async () => {
    const incident = store.createIncident({ title: 'Source', severity: 'SEV4' });
    store.addEntry(incident.id, { kind: 'note', body: 'hello' });
    const good = store.exportIncident(incident.id);
    const target = IncidentStore.open(join(root, 'target'));
    try {
      await expect(target.importIncident({ ...good, format: 'roadside-incident/2' })).rejects.toThrow(/newer Roadside/);
      await expect(target.importIncident({ ...good, format: 'something-else' })).rejects.toThrow(/Unknown file format/);
      await expect(target.importIncident('[]')).rejects.toThrow(/JSON object/);
      await expect(target.importIncident({ ...good, entries: [{ ...good.entries[0], at: 'noon' }] })).rejects.toThrow(/entries\.0\.at/);
      const dangling = { ...good, entries: [...good.entries, { ...good.entries[0], id: 999, kind: 'attachment', data: { sha256: 'f'.repeat(64) } }] };
      await expect(target.importIncident(dangling)).rejects.toThrow(/not in the file/);
      expect(target.listIncidents()).toEqual([]);
      expect(target.search('hello')).toEqual([]);
      expect(existsSync(join(root, 'target', 'roadside.db'))).toBe(true);
    } finally {
      target.close();
    }
  });
});
