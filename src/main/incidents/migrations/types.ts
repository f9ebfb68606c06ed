import type Database from 'better-sqlite3';

/** One schema version. `up` runs inside the open transaction that applies all pending versions. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}
