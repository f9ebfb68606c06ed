import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentStore, LATEST_SCHEMA_VERSION, MIGRATIONS, openIncidentDatabase } from '../../src/main/incidents';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'roadside-incidents-migrations-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const INCIDENT_ID = '7f1c2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b';
const T0 = Date.parse('2024-06-01T08:00:00Z');

/** Rows as a Roadside at `version` would have written them. */
function seed(db: Database.Database, version: number): void {
  if (version < 1) return;
  db.prepare(
    `INSERT INTO incidents (id, title, severity, status, namespace, description, started_at, created_at, updated_at, created_by, entry_count, last_entry_at)
     VALUES (?, 'Backend sin conexión a PostgreSQL', 'SEV1', 'active', 'traffic-system', 'connection refused on 5432', ?, ?, ?, 'ana', 3, ?)`,
  ).run(INCIDENT_ID, T0, T0, T0, T0 + 2000);
  const insert = db.prepare(
    `INSERT INTO timeline_entries (incident_key, kind, at, recorded_at, author, title, body, data) VALUES (1, ?, ?, ?, 'ana', ?, ?, ?)`,
  );
  insert.run('note', T0, T0, 'Revisé pods', 'Revisé pods: backend en CrashLoopBackOff', '{}');
  insert.run('finding', T0 + 1000, T0 + 1000, 'FAIL database.connectivity', 'pg_isready: no response', '{"checkId":"database.connectivity","status":"fail","message":"pg_isready: no response"}');
  insert.run('note', T0 + 2000, T0 + 2000, 'Escalado', 'Escalado a L2', '{}');
  if (version >= 2) {
    db.prepare('UPDATE timeline_entries SET pinned_at = ? WHERE id = 2').run(T0 + 5000);
    db.prepare(
      `INSERT INTO cluster_event_imports (incident_key, event_uid, event_count, entry_id) VALUES (1, 'uid-1', 4, 1)`,
    ).run();
  }
}

function planOf(db: Database.Database, sql: string, ...params: unknown[]): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((row) => row.detail).join(' | ');
}

describe('migrations', () => {
  it('has a migration file per version up to the latest', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3]);
    expect(LATEST_SCHEMA_VERSION).toBe(3);
  });

  it('applies pending migrations in one transaction: a failing one leaves the database at its old version', () => {
    const dataDir = join(root, 'failing');
    IncidentStore.open(dataDir).close();
    const broken = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'broken',
      up(db: Database.Database) {
        db.exec('CREATE TABLE half_done (x)');
        throw new Error('disk said no');
      },
    };
    expect(() => openIncidentDatabase(dataDir, { migrations: [...MIGRATIONS, broken] })).toThrow('disk said no');
    const { db } = openIncidentDatabase(dataDir);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  for (let from = 0; from < LATEST_SCHEMA_VERSION; from++) {
    it(`upgrades a version-${from} database keeping its data, with the intended indexes in use`, () => {
      const dataDir = join(root, `v${from}`);
      const old = openIncidentDatabase(dataDir, { migrations: MIGRATIONS.slice(0, from) });
      expect(old.db.pragma('user_version', { simple: true })).toBe(from);
      seed(old.db, from);
      old.db.close();

      const store = IncidentStore.open(dataDir);
      store.close();
      const reopened = openIncidentDatabase(dataDir);
      expect(reopened.previousVersion).toBe(LATEST_SCHEMA_VERSION);
      reopened.db.close();

      const upgraded = IncidentStore.open(dataDir);
      try {
        if (from === 0) {
          expect(upgraded.listIncidents()).toEqual([]);
        } else {
          const incident = upgraded.getIncident(INCIDENT_ID);
          expect(incident).toMatchObject({ title: 'Backend sin conexión a PostgreSQL', severity: 'SEV1', entryCount: 3 });
          const entries = upgraded.listEntries(INCIDENT_ID, { order: 'oldest' }).entries;
          expect(entries.map((e) => e.body)).toEqual([
            'Revisé pods: backend en CrashLoopBackOff',
            'pg_isready: no response',
            'Escalado a L2',
          ]);
          expect(entries[1]).toMatchObject({ kind: 'finding', pinned: from >= 2, data: { checkId: 'database.connectivity' } });
          // Rows written before search existed are searchable after the upgrade.
          expect(upgraded.search('crashloopbackoff').map((hit) => hit.entryId)).toEqual([entries[0].id]);
          expect(upgraded.search('postgresql').map((hit) => hit.kind)).toEqual(['incident']);
          // Events imported before the upgrade are still known: the same occurrence is not imported twice.
          const event = { metadata: { uid: 'uid-1', namespace: 'traffic-system' }, type: 'Warning', reason: 'BackOff', count: 4 };
          expect(upgraded.importClusterEvents(INCIDENT_ID, [event])).toBe(from >= 2 ? 0 : 1);
        }
      } finally {
        upgraded.close();
      }

      const { db } = openIncidentDatabase(dataDir);
      try {
        expect(planOf(db, 'SELECT id FROM timeline_entries WHERE incident_key = ? AND (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT 200', 1, T0, 5)).toMatch(
          /USING (COVERING )?INDEX timeline_by_incident_time \(incident_key=\? AND (at<\?|\(at,id\)<\(\?,\?\))\)/,
        );
        const newest = planOf(db, 'SELECT * FROM timeline_entries WHERE incident_key = ? ORDER BY at DESC, id DESC LIMIT 200', 1);
        expect(newest).toContain('INDEX timeline_by_incident_time');
        expect(newest).not.toContain('TEMP B-TREE');
        expect(planOf(db, "SELECT * FROM timeline_entries WHERE incident_key = ? AND kind IN ('finding') ORDER BY at DESC, id DESC LIMIT 200", 1)).toContain(
          'INDEX timeline_by_incident_kind_time',
        );
        expect(planOf(db, 'SELECT * FROM timeline_entries WHERE incident_key = ? AND pinned_at IS NOT NULL ORDER BY at DESC, id DESC LIMIT 200', 1)).toContain(
          'INDEX timeline_pinned_by_time',
        );
        expect(planOf(db, "SELECT * FROM incidents WHERE status IN ('active') ORDER BY started_at DESC LIMIT 50")).toContain(
          'INDEX incidents_by_status_started',
        );
        expect(planOf(db, "SELECT rowid FROM entry_search WHERE entry_search MATCH 'x' ORDER BY rowid DESC LIMIT 50")).toMatch(/VIRTUAL TABLE INDEX/);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    });
  }
});
