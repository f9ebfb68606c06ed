import type { Migration } from './types';

// Pinned entries (a partial index keeps "pinned only" cheap), filtering by kind,
// and the record of imported cluster events so a refresh never imports one twice:
// an event is the same occurrence when its uid and its count are the same.
export const pinsAndClusterEvents: Migration = {
  version: 2,
  name: 'pins-and-cluster-events',
  up(db) {
    db.exec(`
      ALTER TABLE timeline_entries ADD COLUMN pinned_at INTEGER;
      CREATE INDEX timeline_pinned_by_time ON timeline_entries (incident_key, at, id) WHERE pinned_at IS NOT NULL;
      CREATE INDEX timeline_by_incident_kind_time ON timeline_entries (incident_key, kind, at, id);

      CREATE TABLE cluster_event_imports (
        incident_key INTEGER NOT NULL REFERENCES incidents (key),
        event_uid TEXT NOT NULL,
        event_count INTEGER NOT NULL,
        entry_id INTEGER NOT NULL REFERENCES timeline_entries (id),
        PRIMARY KEY (incident_key, event_uid, event_count)
      ) WITHOUT ROWID;
    `);
  },
};
