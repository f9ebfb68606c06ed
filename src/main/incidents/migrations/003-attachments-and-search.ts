import type { Migration } from './types';

// Attachments, content-addressed by sha256: small ones inline (content), large
// ones as files under <dataDir>/attachments/ab/<sha256> (content NULL).
//
// Full-text search. Entries are indexed by an external-content FTS5 table over
// timeline_entries itself, so their text is stored once; an attachment entry's
// text (capped) sits in indexed_text. Incidents' titles and descriptions have a
// small table of their own (rowid = incidents.key). Hits are listed newest first,
// not by bm25, so the per-row size table is left out (columnsize = 0).
// Existing rows are indexed here: a version-2 database is searchable after the upgrade.
export const attachmentsAndSearch: Migration = {
  version: 3,
  name: 'attachments-and-search',
  up(db) {
    db.exec(`
      CREATE TABLE attachment_blobs (
        sha256 TEXT NOT NULL PRIMARY KEY CHECK (length(sha256) = 64),
        size INTEGER NOT NULL,
        content BLOB,
        created_at INTEGER NOT NULL
      );
      ALTER TABLE timeline_entries ADD COLUMN indexed_text TEXT;

      CREATE VIRTUAL TABLE entry_search USING fts5 (
        title, body, indexed_text, incident_key UNINDEXED,
        content = 'timeline_entries', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2', columnsize = 0
      );
      INSERT INTO entry_search (entry_search) VALUES ('rebuild');

      CREATE VIRTUAL TABLE incident_search USING fts5 (
        title, description,
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO incident_search (rowid, title, description) SELECT key, title, description FROM incidents;
    `);
  },
};
