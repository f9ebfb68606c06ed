import type { Migration } from './types';

// Incidents and their timeline. Times are epoch milliseconds (UTC by nature).
// `key` is the compact internal key entries point at; `id` is the portable UUID.
// entry_count and last_entry_at are kept by the store in the same transaction as
// the entries, so opening an incident never counts 100,000 rows.
export const initialSchema: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE incidents (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'mitigated', 'resolved', 'closed')),
        context TEXT,
        namespace TEXT,
        description TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        impact TEXT NOT NULL DEFAULT '',
        resolution TEXT NOT NULL DEFAULT '',
        escalation_level TEXT CHECK (escalation_level IN ('L1', 'L2', 'L3', 'Emergency')),
        started_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        mitigated_at INTEGER,
        resolved_at INTEGER,
        closed_at INTEGER,
        imported_at INTEGER,
        entry_count INTEGER NOT NULL DEFAULT 0,
        last_entry_at INTEGER
      );
      CREATE INDEX incidents_by_status_started ON incidents (status, started_at);
      CREATE INDEX incidents_by_started ON incidents (started_at);

      CREATE TABLE timeline_entries (
        id INTEGER PRIMARY KEY,
        incident_key INTEGER NOT NULL REFERENCES incidents (key),
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        author TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        data TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX timeline_by_incident_time ON timeline_entries (incident_key, at, id);
    `);
  },
};
