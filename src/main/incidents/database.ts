// Opening the incident database: refuse what is damaged or newer without writing a
// byte to it, then WAL, durability settings and pending migrations in one transaction.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CorruptDatabaseError, NewerDatabaseError } from './errors';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';

/**
 * Under Electron (`npm start`), better-sqlite3 must be the build made for Electron's ABI,
 * kept beside the Node build that the CLI and tests use; the start script names it.
 */
export function nativeBindingOption(): { nativeBinding?: string } {
  const binding = process.versions.electron ? process.env.ROADSIDE_SQLITE_BINDING : undefined;
  return binding ? { nativeBinding: binding } : {};
}

export const DATABASE_FILE_NAME = 'roadside.db';

export interface OpenDatabaseOptions {
  /**
   * What to do with a damaged or unreadable database file. 'refuse' (default) throws
   * CorruptDatabaseError and leaves the file as it is; 'start-fresh' renames it (and
   * its -wal/-shm) to `<name>.corrupt-<timestamp>` and creates an empty database.
   */
  onCorrupt?: 'refuse' | 'start-fresh';
  /**
   * Check at open. 'basic' (default) reads the header and the schema and compares the
   * file's length with the page count its header gives (a truncated file); it costs
   * under a millisecond. 'quick' also runs PRAGMA quick_check, which reads every
   * page (about a second for 100,000 entries). Damage found later, while reading or
   * writing, is reported as CorruptDatabaseError all the same.
   */
  verify?: 'basic' | 'quick';
  /** How long a write waits for another process's write to finish. */
  busyTimeoutMs?: number;
  /** Migrations to apply; tests pass a prefix of the registry to build older databases. */
  migrations?: readonly Migration[];
}

export interface OpenedDatabase {
  db: Database.Database;
  path: string;
  /** Where a damaged database was set aside, when the caller asked to start fresh. */
  setAsidePath?: string;
  /** Schema version the file had before this open (0 for a new file). */
  previousVersion: number;
}

const CORRUPTION_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CANTOPEN', 'SQLITE_IOERR_SHORT_READ']);

export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (CORRUPTION_CODES.has(code) || code.startsWith('SQLITE_CORRUPT'));
}

export function openIncidentDatabase(dataDir: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.length;
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, DATABASE_FILE_NAME);
  let setAsidePath: string | undefined;

  if (existsSync(path)) {
    try {
      inspectExistingDatabase(path, latest, options.verify ?? 'basic');
    } catch (err) {
      if (!(err instanceof CorruptDatabaseError) || options.onCorrupt !== 'start-fresh') throw err;
      setAsidePath = setAsideDatabase(path);
    }
  }

  const db = new Database(path, { timeout: options.busyTimeoutMs ?? 10_000, ...nativeBindingOption() });
  try {
    configureConnection(db);
    const previousVersion = applyMigrations(db, path, migrations);
    return { db, path, setAsidePath, previousVersion };
  } catch (err) {
    db.close();
    if (err instanceof NewerDatabaseError || err instanceof CorruptDatabaseError) throw err;
    if (isCorruptionError(err)) throw new CorruptDatabaseError(path, describeSqliteError(err));
    throw err;
  }
}

/** Read-only look at an existing file: nothing here can change it. */
function inspectExistingDatabase(path: string, supportedVersion: number, verify: 'basic' | 'quick'): void {
  const info = statSync(path);
  if (!info.isFile()) throw new CorruptDatabaseError(path, 'not a regular file');
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, ...nativeBindingOption() });
    const version = db.pragma('user_version', { simple: true }) as number;
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (version > supportedVersion) throw new NewerDatabaseError(path, version, supportedVersion);
    // With a WAL present, pages beyond the main file's end can legitimately live in the WAL.
    const walBytes = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
    if (walBytes === 0) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const pageCount = db.pragma('page_count', { simple: true }) as number;
      if (info.size < pageSize * pageCount) {
        throw new CorruptDatabaseError(path, `the file has ${info.size} bytes but its header counts ${pageSize * pageCount}: truncated`);
      }
    }
    if (verify === 'quick') {
        const problems = findIntegrityProblems(db);
      if (problems.length > 0) throw new CorruptDatabaseError(path, problems.join('; '));
    }
  } catch (err) {
    if (err instanceof NewerDatabaseError || err instanceof CorruptDatabaseError) throw err;
    if (isCorruptionError(err) || (err as { code?: string })?.code?.startsWith('SQLITE_')) {
      throw new CorruptDatabaseError(path, describeSqliteError(err));
    }
    throw err;
  } finally {
    db?.close();
  }
}

/** PRAGMA quick_check's complaints (empty when the file is sound). */
export function findIntegrityProblems(db: Database.Database): string[] {
  const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>;
  return rows.map((row) => row.quick_check).filter((message) => message !== 'ok');
}

/**
 * Switching a fresh file to WAL takes an exclusive lock for which SQLite does not
 * call the busy handler: when another process opens the same new file at that
 * moment, retry for a while instead of failing.
 */
function enableWal(db: Database.Database, budgetMs = 10_000): void {
  const deadline = Date.now() + budgetMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}

function configureConnection(db: Database.Database): void {
  enableWal(db);
  // FULL: each commit fsyncs the WAL before it returns, so an acknowledged write
  // survives power loss as well as a killed process (NORMAL would only cover the latter).
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // A big batch dirties thousands of pages; spilling them mid-transaction doubles the writes.
  db.pragma('cache_size = -32768');
  // The store checkpoints the WAL itself, shortly after writes (see IncidentStore), so
  // copying pages into the main file is not paid inside the write that the user waits for.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('journal_size_limit = 67108864');
}

function applyMigrations(db: Database.Database, path: string, migrations: readonly Migration[]): number {
  const latest = migrations.length;
  let previousVersion = 0;
  // IMMEDIATE: two processes opening at once serialise here, and the second sees
  // the version the first one wrote.
  db.transaction(() => {
    previousVersion = db.pragma('user_version', { simple: true }) as number;
    if (previousVersion > latest) throw new NewerDatabaseError(path, previousVersion, latest);
    for (const migration of migrations.slice(previousVersion)) migration.up(db);
    if (previousVersion !== latest) db.pragma(`user_version = ${latest}`);
  }).immediate();
  return previousVersion;
}

function setAsideDatabase(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = `${path}.corrupt-${stamp}`;
  renameSync(path, target);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}

function describeSqliteError(err: unknown): string {
  const code = (err as { code?: string })?.code;
  const message = err instanceof Error ? err.message : String(err);
  return code ? `${code}: ${message}` : message;
}

export { LATEST_SCHEMA_VERSION };
