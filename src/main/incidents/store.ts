// The incident store: incidents, their timelines, attachments and search in one
// SQLite file (<dataDir>/roadside.db). Every write is one short BEGIN IMMEDIATE
// transaction, so a second Roadside process on the same folder waits its turn
// (busy timeout) instead of failing or overwriting; a method that returns has committed.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, extname } from 'node:path';
import type Database from 'better-sqlite3';
import {
  INCIDENT_EXPORT_FORMAT,
  INCIDENT_LIMITS,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  TIMELINE_ENTRY_KINDS,
  type AttachmentData,
  type DiagnosticRunData,
  type EntryPage,
  type EntryQuery,
  type EscalationLevel,
  type FindingData,
  type ImportOptions,
  type Incident,
  type IncidentExport,
  type IncidentFilter,
  type IncidentStatus,
  type IncidentUpdate,
  type NewIncident,
  type NewTimelineEntry,
  type SearchHit,
  type SearchOptions,
  type TimeInput,
  type TimelineEntry,
  type TimelineEntryKind,
  type TimelineEntryOf,
} from '../../shared/incidents';
import { attachmentFilePath, stageAttachment, writeDurably, extractIndexText, type AttachmentSource } from './attachment-files';
import { toClusterEventOccurrence, type ClusterEventLike } from './cluster-events';
import { findIntegrityProblems, isCorruptionError, openIncidentDatabase, type OpenDatabaseOptions } from './database';
import {
  AttachmentUnavailableError,
  CorruptDatabaseError,
  ImportRefusedError,
  IncidentNotFoundError,
  InvalidIncidentInputError,
  InvalidTransitionError,
  TooLargeError,
} from './errors';
import { parseIncidentExport } from './portable';
import { MATCH_END, MATCH_START, snippetFromText, splitSnippet, toFtsMatch } from './search-query';
import { toEpochMs, toIso, toIsoOrUndefined } from './timestamps';
import {
  checkText,
  checkTitle,
  incidentUpdateSchema,
  newIncidentSchema,
  parseInput,
  prepareEntry,
  serializeEntryData,
  shorten,
  type PreparedEntry,
} from './validation';

export interface IncidentStoreOptions extends OpenDatabaseOptions {
  /** Who entries are by unless an entry says otherwise; defaults to os.userInfo().username. */
  author?: string;
  /** This machine's clock in epoch ms; replaceable for tests. */
  now?: () => number;
}

export interface NewAttachment {
  /** File name shown to people; defaults to the source file's name. */
  name?: string;
  /** Defaults from the name's extension, else application/octet-stream. */
  mediaType?: string;
  /** What it is: "kubectl logs of backend", "pg_dump before migration"… (searchable). */
  caption?: string;
  at?: TimeInput;
  author?: string;
  pinned?: boolean;
}

export interface NewDiagnosticRun extends Omit<DiagnosticRunData, 'findingEntryIds'> {
  at?: TimeInput;
  author?: string;
  findings: Array<Omit<FindingData, 'runEntryId' | 'runId'> & { at?: TimeInput; title?: string; body?: string }>;
}

interface IncidentRow {
  key: number;
  id: string;
  title: string;
  severity: Incident['severity'];
  status: IncidentStatus;
  context: string | null;
  namespace: string | null;
  description: string;
  summary: string;
  impact: string;
  resolution: string;
  escalation_level: EscalationLevel | null;
  started_at: number;
  created_at: number;
  updated_at: number;
  created_by: string;
  mitigated_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  imported_at: number | null;
  entry_count: number;
  last_entry_at: number | null;
}

interface EntryRow {
  id: number;
  kind: TimelineEntryKind;
  at: number;
  recorded_at: number;
  author: string;
  title: string;
  body: string;
  data: string;
  pinned_at: number | null;
}

interface EntryToInsert extends PreparedEntry {
  /** Extra text for the search index: an attachment's own text. */
  indexedText?: string;
  pinnedAtMs?: number | null;
  recordedAtMs?: number;
}

const ENTRY_COLUMNS = 'id, kind, at, recorded_at, author, title, body, data, pinned_at';
const DEFAULT_PAGE = 200;
const CHECKPOINT_DELAY_MS = 1000;
/** Above this many characters a body's snippet is made in JS (see search). */
const LONG_TEXT_CHARS = 64 * 1024;
const CHECKPOINT_NOW_WAL_BYTES = 64 * 1024 * 1024;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;.*)?$/i;
const MEDIA_TYPES_BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.xml': 'application/xml',
  '.sql': 'application/sql',
  '.sh': 'application/x-sh',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.dump': 'application/octet-stream',
};

function defaultAuthor(): string {
  try {
    return userInfo().username || process.env.USER || 'unknown';
  } catch {
    return process.env.USER || process.env.USERNAME || 'unknown';
  }
}

function encodeCursor(at: number, id: number): string {
  return `${at.toString(36)}.${id.toString(36)}`;
}

function decodeCursor(cursor: string): [number, number] {
  const match = /^(-?[0-9a-z]+)\.([0-9a-z]+)$/.exec(cursor);
  const at = match ? parseInt(match[1], 36) : NaN;
  const id = match ? parseInt(match[2], 36) : NaN;
  if (!Number.isSafeInteger(at) || !Number.isSafeInteger(id)) {
    throw new InvalidIncidentInputError('Invalid page cursor', { cursor: cursor.slice(0, 40) });
  }
  return [at, id];
}

function asList<T>(value: T | T[] | undefined): T[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

export class IncidentStore {
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;
  private checkpointTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly dataDir: string,
    /** The database file. */
    readonly path: string,
    private readonly db: Database.Database,
    /** Default author of entries. */
    readonly author: string,
    private readonly now: () => number,
    /** Where a damaged database was moved, when opened with onCorrupt: 'start-fresh'. */
    readonly setAsidePath: string | undefined,
  ) {}

  /**
   * Opens (creating if needed) <dataDir>/roadside.db and brings its schema up to date.
   * Throws NewerDatabaseError for a database from a newer Roadside and
   * CorruptDatabaseError for a damaged one; neither file is changed.
   */
  static open(dataDir: string, options: IncidentStoreOptions = {}): IncidentStore {
    const opened = openIncidentDatabase(dataDir, options);
    return new IncidentStore(
      dataDir,
      opened.path,
      opened.db,
      options.author ?? defaultAuthor(),
      options.now ?? Date.now,
      opened.setAsidePath,
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.checkpointTimer);
    try {
      this.db.pragma('optimize');
    } catch {
      // Only a planner hint; closing matters more.
    }
    this.db.close();
  }

  /** Reads every page (PRAGMA quick_check); a sound database gives an empty list. Slow on big files. */
  checkIntegrity(): string[] {
    return this.guard(() => findIntegrityProblems(this.db));
  }

  // ---- incidents ---------------------------------------------------------

  createIncident(input: NewIncident): Incident {
    return this.guard(() => {
      const fields = parseInput(newIncidentSchema, input, 'incident');
      const title = checkTitle(fields.title, 'Incident title');
      if (!title) throw new InvalidIncidentInputError('An incident needs a title', { field: 'title' });
      const description = checkText(fields.description ?? '', 'Incident description');
      const now = this.now();
      const id = randomUUID();
      this.writeTransaction(() => {
        const { lastInsertRowid } = this.stmt(
          `INSERT INTO incidents (id, title, severity, status, context, namespace, description, escalation_level,
             started_at, created_at, updated_at, created_by)
           VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          title,
          fields.severity,
          fields.context?.trim() || null,
          fields.namespace?.trim() || null,
          description,
          fields.escalationLevel ?? null,
          fields.startedAt === undefined ? now : toEpochMs(fields.startedAt, 'Start time'),
          now,
          now,
          fields.author ?? this.author,
        );
        this.indexIncident(Number(lastInsertRowid), title, description);
      });
      return this.getIncident(id);
    });
  }

  listIncidents(filter: IncidentFilter = {}): Incident[] {
    return this.guard(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      const statuses = asList(filter.status);
      const severities = asList(filter.severity);
      if (statuses) {
        for (const status of statuses) this.checkEnum(status, INCIDENT_STATUSES, 'status');
        where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
        params.push(...statuses);
      }
      if (severities) {
        for (const severity of severities) this.checkEnum(severity, INCIDENT_SEVERITIES, 'severity');
        where.push(`severity IN (${severities.map(() => '?').join(', ')})`);
        params.push(...severities);
      }
      if (filter.context !== undefined) {
        where.push('context = ?');
        params.push(filter.context);
      }
      if (filter.namespace !== undefined) {
        where.push('namespace = ?');
        params.push(filter.namespace);
      }
      if (filter.search !== undefined && filter.search.trim() !== '') {
        const match = toFtsMatch(filter.search);
        if (!match) return [];
        where.push(
          '(key IN (SELECT rowid FROM incident_search WHERE incident_search MATCH ?) OR ' +
            'key IN (SELECT incident_key FROM entry_search WHERE entry_search MATCH ?))',
        );
        params.push(match, match);
      }
      const limit = this.checkLimit(filter.limit, 500, 10_000);
      const sql =
        `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
        'ORDER BY started_at DESC, key DESC LIMIT ?';
      return (this.stmt(sql).all(...params, limit) as IncidentRow[]).map((row) => this.toIncident(row));
    });
  }

  getIncident(id: string): Incident {
    return this.guard(() => this.toIncident(this.incidentRow(id)));
  }

  /** The incident and the first page of its timeline (newest first unless asked otherwise). */
  openIncident(id: string, query: EntryQuery = {}): { incident: Incident; timeline: EntryPage } {
    return this.guard(() =>
      this.db.transaction(() => ({ incident: this.getIncident(id), timeline: this.listEntries(id, query) })).deferred(),
    );
  }

  /** Changes fields; a new escalation level is also recorded as an escalation entry. */
  updateIncident(id: string, update: IncidentUpdate): Incident {
    return this.guard(() => {
      const fields = parseInput(incidentUpdateSchema, update, 'incident update');
      const sets: string[] = [];
      const params: unknown[] = [];
      const set = (column: string, value: unknown) => {
        sets.push(`${column} = ?`);
        params.push(value);
      };
      if (fields.title !== undefined) {
        const title = checkTitle(fields.title, 'Incident title');
        if (!title) throw new InvalidIncidentInputError('An incident needs a title', { field: 'title' });
        set('title', title);
      }
      if (fields.severity !== undefined) set('severity', fields.severity);
      if (fields.context !== undefined) set('context', fields.context?.trim() || null);
      if (fields.namespace !== undefined) set('namespace', fields.namespace?.trim() || null);
      if (fields.description !== undefined) set('description', checkText(fields.description, 'Incident description'));
      if (fields.summary !== undefined) set('summary', checkText(fields.summary, 'Incident summary'));
      if (fields.impact !== undefined) set('impact', checkText(fields.impact, 'Incident impact'));
      if (fields.resolution !== undefined) set('resolution', checkText(fields.resolution, 'Incident resolution'));
      if (fields.startedAt !== undefined) set('started_at', toEpochMs(fields.startedAt, 'Start time'));
      this.writeTransaction(() => {
        const row = this.incidentRow(id);
        const now = this.now();
        if (fields.escalationLevel !== undefined && fields.escalationLevel !== row.escalation_level) {
          set('escalation_level', fields.escalationLevel);
          if (fields.escalationLevel !== null) {
            this.insertEntries(row.key, [
              {
                kind: 'escalation',
                atMs: now,
                author: this.author,
                title: `Escalated to ${fields.escalationLevel}${row.escalation_level ? ` (was ${row.escalation_level})` : ''}`,
                body: '',
                dataJson: serializeEntryData({
                  level: fields.escalationLevel,
                  ...(row.escalation_level ? { from: row.escalation_level } : {}),
                }),
                pinned: false,
              },
            ]);
          }
        }
        if (sets.length === 0) return;
        set('updated_at', now);
        this.stmt(`UPDATE incidents SET ${sets.join(', ')} WHERE key = ?`).run(...params, row.key);
        if (fields.title !== undefined || fields.description !== undefined) {
          const updated = this.stmt('SELECT title, description FROM incidents WHERE key = ?').get(row.key) as {
            title: string;
            description: string;
          };
          this.stmt('DELETE FROM incident_search WHERE rowid = ?').run(row.key);
          this.indexIncident(row.key, updated.title, updated.description);
        }
      });
      return this.getIncident(id);
    });
  }

  /**
   * Moves the incident along active → mitigated → resolved → closed (skipping ahead
   * is allowed), or reopens it to active from any later status. Each move is a
   * status-change entry carrying the note.
   */
  setStatus(id: string, status: IncidentStatus, note?: string): { incident: Incident; entry: TimelineEntryOf<'status-change'> } {
    return this.guard(() => {
      this.checkEnum(status, INCIDENT_STATUSES, 'status');
      const body = checkText(note ?? '', 'Status note');
      let entryId = 0;
      this.writeTransaction(() => {
        const row = this.incidentRow(id);
        const from = row.status;
        const fromIndex = INCIDENT_STATUSES.indexOf(from);
        const toIndex = INCIDENT_STATUSES.indexOf(status);
        const reopened = status === 'active' && from !== 'active';
        if (!(toIndex > fromIndex || reopened)) throw new InvalidTransitionError(from, status);
        const now = this.now();
        const stamps = reopened
          ? 'mitigated_at = NULL, resolved_at = NULL, closed_at = NULL'
          : INCIDENT_STATUSES.slice(fromIndex + 1, toIndex + 1)
              .filter((reached) => reached !== 'active')
              .map((reached) => `${reached}_at = coalesce(${reached}_at, @now)`)
              .join(', ');
        this.stmt(`UPDATE incidents SET status = @status, updated_at = @now${stamps ? `, ${stamps}` : ''} WHERE key = @key`).run({
          status,
          now,
          key: row.key,
        });
        [entryId] = this.insertEntries(row.key, [
          {
            kind: 'status-change',
            atMs: now,
            author: this.author,
            title: reopened ? `Reopened (was ${from})` : `Status: ${from} → ${status}`,
            body,
            dataJson: serializeEntryData({ from, to: status, reopened }),
            pinned: false,
          },
        ]);
      });
      return { incident: this.getIncident(id), entry: this.getEntry(entryId) as TimelineEntryOf<'status-change'> };
    });
  }

  // ---- timeline ----------------------------------------------------------

  addEntry(incidentId: string, entry: NewTimelineEntry): TimelineEntry {
    return this.addEntries(incidentId, [entry])[0];
  }

  /** All or nothing: every entry is checked first, then all are written in one transaction. */
  addEntries(incidentId: string, entries: NewTimelineEntry[]): TimelineEntry[] {
    return this.guard(() => {
      if (!Array.isArray(entries)) throw new InvalidIncidentInputError('Entries must be an array');
      if (entries.length > INCIDENT_LIMITS.batchEntries) {
        throw new TooLargeError('Entry batch', entries.length, INCIDENT_LIMITS.batchEntries, 'entries');
      }
      const now = this.now();
      const prepared = entries.map((entry) => prepareEntry(entry, now, this.author));
      let ids: number[] = [];
      this.writeTransaction(() => {
        ids = this.insertEntries(this.incidentRow(incidentId).key, prepared, now);
      });
      const recordedAt = toIso(now);
      return prepared.map(
        (entry, index) =>
          ({
            id: ids[index],
            incidentId,
            kind: entry.kind,
            at: toIso(entry.atMs),
            recordedAt,
            author: entry.author,
            title: entry.title,
            body: entry.body,
            pinned: entry.pinned,
            ...(entry.pinned ? { pinnedAt: recordedAt } : {}),
            data: entry.data,
          }) as TimelineEntry,
      );
    });
  }

  /**
   * A diagnostic run and its findings in one transaction; each finding points at the
   * run (data.runEntryId) and the run lists its findings (data.findingEntryIds).
   */
  recordDiagnosticRun(incidentId: string, run: NewDiagnosticRun): { run: TimelineEntryOf<'diagnostic-run'>; findings: TimelineEntryOf<'finding'>[] } {
    return this.guard(() => {
      const now = this.now();
      const { findings, at, author, ...runData } = run;
      if (!Array.isArray(findings)) throw new InvalidIncidentInputError('A diagnostic run needs a findings array');
      const runEntry = prepareEntry({ kind: 'diagnostic-run', at, author, data: runData }, now, this.author);
      const findingEntries = findings.map(({ at: findingAt, title, body, ...finding }) =>
        prepareEntry(
          { kind: 'finding', at: findingAt ?? at, author, title, body, data: { ...finding, ...(run.runId ? { runId: run.runId } : {}) } },
          now,
          this.author,
        ),
      );
      let runId = 0;
      let findingIds: number[] = [];
      this.writeTransaction(() => {
        const key = this.incidentRow(incidentId).key;
        [runId] = this.insertEntries(key, [runEntry], now);
        for (const entry of findingEntries) {
          entry.dataJson = serializeEntryData({ ...JSON.parse(entry.dataJson), runEntryId: runId });
        }
        findingIds = this.insertEntries(key, findingEntries, now);
        const runJson = serializeEntryData({ ...JSON.parse(runEntry.dataJson), findingEntryIds: findingIds });
        this.stmt('UPDATE timeline_entries SET data = ? WHERE id = ?').run(runJson, runId);
      });
      return {
        run: this.getEntry(runId) as TimelineEntryOf<'diagnostic-run'>,
        findings: findingIds.map((id) => this.getEntry(id) as TimelineEntryOf<'finding'>),
      };
    });
  }

  getEntry(entryId: number): TimelineEntry {
    return this.guard(() => {
      const row = this.stmt(
        `SELECT ${ENTRY_COLUMNS.split(', ').map((column) => `e.${column}`).join(', ')}, i.id AS incident_id
         FROM timeline_entries e JOIN incidents i ON i.key = e.incident_key WHERE e.id = ?`,
      ).get(entryId) as (EntryRow & { incident_id: string }) | undefined;
      if (!row) throw new IncidentNotFoundError('Timeline entry', entryId);
      return this.toEntry(row.incident_id, row);
    });
  }

  /**
   * A page of the timeline. Pages follow (at, id) cursors, never OFFSET, so paging
   * stays as cheap on page 500 as on page 1 and entries added meanwhile do not shift it.
   */
  listEntries(incidentId: string, query: EntryQuery = {}): EntryPage {
    return this.guard(() => {
      const key = this.incidentRow(incidentId).key;
      const order = query.order ?? 'newest';
      if (order !== 'newest' && order !== 'oldest') throw new InvalidIncidentInputError(`Unknown order ${String(order)}`);
      const limit = this.checkLimit(query.limit, DEFAULT_PAGE, INCIDENT_LIMITS.pageEntries);
      const filters: string[] = ['incident_key = ?'];
      const params: unknown[] = [key];
      if (query.kinds !== undefined) {
        if (!Array.isArray(query.kinds)) throw new InvalidIncidentInputError('kinds must be an array');
        for (const kind of query.kinds) this.checkEnum(kind, TIMELINE_ENTRY_KINDS, 'kind');
        if (query.kinds.length === 0) return { entries: [], next: null, previous: null };
        filters.push(`kind IN (${query.kinds.map(() => '?').join(', ')})`);
        params.push(...query.kinds);
      }
      if (query.pinnedOnly) filters.push('pinned_at IS NOT NULL');
      const base = `SELECT ${ENTRY_COLUMNS} FROM timeline_entries WHERE ${filters.join(' AND ')}`;
      // Rows strictly before/after a position in time order, nearest first.
      const older = (position: [number, number] | null, count: number): EntryRow[] =>
        this.stmt(`${base}${position ? ' AND (at, id) < (?, ?)' : ''} ORDER BY at DESC, id DESC LIMIT ?`).all(
          ...params,
          ...(position ?? []),
          count,
        ) as EntryRow[];
      const newer = (position: [number, number] | null, count: number): EntryRow[] =>
        this.stmt(`${base}${position ? ' AND (at, id) > (?, ?)' : ''} ORDER BY at ASC, id ASC LIMIT ?`).all(
          ...params,
          ...(position ?? []),
          count,
        ) as EntryRow[];

      return this.db.transaction((): EntryPage => {
        let ascending: EntryRow[];
        let moreOlder: boolean;
        let moreNewer: boolean;
        let anchorId: number | undefined;
        if (query.around !== undefined) {
          const at = toEpochMs(query.around, 'around');
          const olderCount = Math.floor(limit / 2);
          const after = newer([at, Number.MIN_SAFE_INTEGER], limit + 1);
          const before = older([at, Number.MIN_SAFE_INTEGER], limit + 1);
          const newerTaken = after.slice(0, limit - Math.min(olderCount, before.length));
          const olderTaken = before.slice(0, limit - newerTaken.length);
          moreNewer = after.length > newerTaken.length;
          moreOlder = before.length > olderTaken.length;
          ascending = [...olderTaken.reverse(), ...newerTaken];
          anchorId = newerTaken[0]?.id ?? olderTaken[olderTaken.length - 1]?.id;
        } else {
          if (query.after !== undefined && query.before !== undefined) {
            throw new InvalidIncidentInputError('Give either after or before, not both');
          }
          const cursor = query.after ?? query.before;
          const position = cursor === undefined ? null : decodeCursor(cursor);
          // In 'newest' order, "after the cursor" means older rows; in 'oldest', newer ones.
          const towardOlder = (order === 'newest') === (query.before === undefined);
          const rows = towardOlder ? older(position, limit + 1) : newer(position, limit + 1);
          const more = rows.length > limit;
          const page = rows.slice(0, limit);
          ascending = towardOlder ? page.reverse() : page;
          const exists = (direction: 'older' | 'newer', edge: EntryRow | undefined): boolean => {
            const from: [number, number] | null = edge ? [edge.at, edge.id] : position;
            if (!from) return false;
            return (direction === 'older' ? older(from, 1) : newer(from, 1)).length > 0;
          };
          if (towardOlder) {
            moreOlder = more;
            moreNewer = exists('newer', ascending[ascending.length - 1]);
          } else {
            moreNewer = more;
            moreOlder = exists('older', ascending[0]);
          }
        }
        const entries = ascending.map((row) => this.toEntry(incidentId, row));
        const first = ascending[0];
        const last = ascending[ascending.length - 1];
        if (order === 'newest') entries.reverse();
        const olderCursor = moreOlder && first ? encodeCursor(first.at, first.id) : null;
        const newerCursor = moreNewer && last ? encodeCursor(last.at, last.id) : null;
        return {
          entries,
          next: order === 'newest' ? olderCursor : newerCursor,
          previous: order === 'newest' ? newerCursor : olderCursor,
          ...(anchorId !== undefined ? { anchorId } : {}),
        };
      }).deferred();
    });
  }

  pinEntry(entryId: number, pinned = true): TimelineEntry {
    return this.guard(() => {
      this.writeTransaction(() => {
        const { changes } = this.stmt(
          'UPDATE timeline_entries SET pinned_at = CASE WHEN ? THEN coalesce(pinned_at, ?) ELSE NULL END WHERE id = ?',
        ).run(pinned ? 1 : 0, this.now(), entryId);
        if (changes === 0) throw new IncidentNotFoundError('Timeline entry', entryId);
      });
      return this.getEntry(entryId);
    });
  }

  // ---- cluster events ----------------------------------------------------

  /**
   * Imports the Warning events of the incident's namespace (all namespaces when the
   * incident names none). An occurrence already imported (same uid and count) is
   * skipped, so calling this on every refresh is safe. Returns how many were new.
   */
  importClusterEvents(incidentId: string, events: ClusterEventLike[]): number {
    return this.guard(() => {
      if (!Array.isArray(events)) throw new InvalidIncidentInputError('Events must be an array');
      const now = this.now();
      let imported = 0;
      this.writeTransaction(() => {
        const incident = this.incidentRow(incidentId);
        const seen = this.stmt('SELECT 1 FROM cluster_event_imports WHERE incident_key = ? AND event_uid = ? AND event_count = ?');
        const record = this.stmt(
          'INSERT INTO cluster_event_imports (incident_key, event_uid, event_count, entry_id) VALUES (?, ?, ?, ?)',
        );
        for (const event of events) {
          const occurrence = toClusterEventOccurrence(event);
          if (!occurrence) continue;
          if (incident.namespace && occurrence.namespace !== incident.namespace) continue;
          if (seen.get(incident.key, occurrence.uid, occurrence.count)) continue;
          const [entryId] = this.insertEntries(
            incident.key,
            [
              {
                kind: 'cluster-event',
                atMs: occurrence.atMs ?? now,
                author: occurrence.data.source ?? 'cluster',
                title: shorten(occurrence.title, INCIDENT_LIMITS.titleChars),
                body: occurrence.body.slice(0, INCIDENT_LIMITS.textBytes / 4),
                dataJson: serializeEntryData(occurrence.data),
                pinned: false,
              },
            ],
            now,
          );
          record.run(incident.key, occurrence.uid, occurrence.count, entryId);
          imported++;
        }
      });
      return imported;
    });
  }

  // ---- attachments -------------------------------------------------------

  /**
   * Stores a file (by path, streamed) or bytes, content-addressed by sha256, and adds
   * an attachment entry. Text content is indexed for search up to the stated cap.
   */
  async addAttachment(
    incidentId: string,
    attachment: NewAttachment & ({ data: Buffer | Uint8Array } | { path: string }),
  ): Promise<TimelineEntryOf<'attachment'>> {
    if (!attachment || typeof attachment !== 'object') throw new InvalidIncidentInputError('Attachment must be an object');
    const hasData = 'data' in attachment && attachment.data !== undefined;
    const hasPath = 'path' in attachment && typeof attachment.path === 'string';
    if (hasData === hasPath) throw new InvalidIncidentInputError('An attachment needs either data or path');
    if (hasData && !((attachment as { data: unknown }).data instanceof Uint8Array)) {
      throw new InvalidIncidentInputError('Attachment data must be a Buffer or Uint8Array');
    }
    const name = checkTitle(attachment.name ?? (hasPath ? basename((attachment as { path: string }).path) : ''), 'Attachment name');
    if (!name) throw new InvalidIncidentInputError('An attachment needs a name', { field: 'name' });
    const mediaType = (attachment.mediaType ?? MEDIA_TYPES_BY_EXTENSION[extname(name).toLowerCase()] ?? 'application/octet-stream').trim();
    if (!MEDIA_TYPE.test(mediaType) || mediaType.length > 255) {
      throw new InvalidIncidentInputError(`"${mediaType.slice(0, 80)}" is not a media type (like text/plain)`, { field: 'mediaType' });
    }
    const caption = checkText(attachment.caption ?? '', 'Attachment caption');
    const atMs = attachment.at === undefined ? undefined : toEpochMs(attachment.at, 'Attachment time');
    this.guard(() => this.incidentRow(incidentId));
    const source: AttachmentSource = hasPath ? { path: (attachment as { path: string }).path } : { data: (attachment as { data: Uint8Array }).data };
    const staged = await stageAttachment(this.dataDir, source, mediaType);
    return this.guard(() => {
      const now = this.now();
      const data: AttachmentData = {
        sha256: staged.sha256,
        name,
        mediaType,
        size: staged.size,
        indexedText: staged.indexText !== undefined,
        ...(staged.indexTextTruncated ? { indexedTextTruncated: true } : {}),
      };
      let entryId = 0;
      this.writeTransaction(() => {
        const key = this.incidentRow(incidentId).key;
        this.stmt('INSERT INTO attachment_blobs (sha256, size, content, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING').run(
          staged.sha256,
          staged.size,
          staged.inlineContent ?? null,
          now,
        );
        [entryId] = this.insertEntries(
          key,
          [
            {
              kind: 'attachment',
              atMs: atMs ?? now,
              author: attachment.author ?? this.author,
              title: name,
              body: caption,
              dataJson: serializeEntryData(data),
              pinned: attachment.pinned ?? false,
              indexedText: staged.indexText,
            },
          ],
          now,
        );
      });
      return this.getEntry(entryId) as TimelineEntryOf<'attachment'>;
    });
  }

  /** The attachment's bytes, checked against its sha256. */
  readAttachment(sha256: string): Buffer {
    return this.guard(() => {
      const row = this.stmt('SELECT size, content FROM attachment_blobs WHERE sha256 = ?').get(String(sha256).toLowerCase()) as
        | { size: number; content: Buffer | null }
        | undefined;
      if (!row) throw new IncidentNotFoundError('Attachment', sha256);
      let content = row.content;
      if (content === null) {
        const path = attachmentFilePath(this.dataDir, sha256);
        if (!existsSync(path)) throw new AttachmentUnavailableError('attachment-missing', sha256, `its file ${path} is missing`);
        content = readFileSync(path);
      }
      if (content.length !== row.size || createHash('sha256').update(content).digest('hex') !== sha256) {
        throw new AttachmentUnavailableError('attachment-corrupt', sha256, 'content does not match its sha256');
      }
      return content;
    });
  }

  /** The file of an attachment stored beside the database (large ones), for streaming; undefined when inline. */
  attachmentFile(sha256: string): string | undefined {
    return this.guard(() => {
      const row = this.stmt('SELECT content IS NULL AS external FROM attachment_blobs WHERE sha256 = ?').get(sha256) as
        | { external: number }
        | undefined;
      if (!row) throw new IncidentNotFoundError('Attachment', sha256);
      return row.external ? attachmentFilePath(this.dataDir, sha256) : undefined;
    });
  }

  // ---- search ------------------------------------------------------------

  /**
   * Full-text search over incident titles and descriptions, entries and attachment
   * text: matching incidents first, then matching entries newest first, each with a
   * snippet. Words are matched whole except the last, which matches as a prefix.
   */
  search(text: string, options: SearchOptions = {}): SearchHit[] {
    return this.guard(() => {
      if (typeof text !== 'string') throw new InvalidIncidentInputError('Search text must be a string');
      const match = toFtsMatch(text);
      if (!match) return [];
      const limit = this.checkLimit(options.limit, 50, 500);
      const incidentKey = options.incidentId === undefined ? undefined : this.incidentRow(options.incidentId).key;
      const snippet = (table: string, column = -1) => `snippet(${table}, ${column}, '${MATCH_START}', '${MATCH_END}', '…', 16)`;
      // Hits come newest first (FTS5 walks its doclists in rowid order and stops at
      // the limit), so a word found in 60,000 entries costs no more than a rare one;
      // bm25 ranking would score every match, tens of ms at 100,000 entries.
      // Matching incidents (title, description) come before entries.
      // CAST: better-sqlite3 binds numbers as REAL, and FTS5 (3.53) ignores a REAL rowid constraint next to MATCH.
      const incidentHits = this.stmt(
        `SELECT -rowid AS hit, rowid AS incident_key, ${snippet('incident_search')} AS snip FROM incident_search
         WHERE incident_search MATCH ? ${incidentKey === undefined ? '' : 'AND rowid = CAST(? AS INTEGER)'} ORDER BY rowid DESC LIMIT ?`,
      ).all(match, ...(incidentKey === undefined ? [] : [incidentKey]), limit) as Array<{ hit: number; incident_key: number; snip: string }>;
      const entryHits =
        incidentHits.length >= limit
          ? []
          : (this.stmt(
              `SELECT rowid AS hit, incident_key,
                      CASE WHEN length(body) <= ${LONG_TEXT_CHARS} THEN ${snippet('entry_search', 1)} END AS body_snip,
                      ${snippet('entry_search', 0)} AS title_snip
               FROM entry_search
               WHERE entry_search MATCH ? ${incidentKey === undefined ? '' : 'AND incident_key = ?'} ORDER BY rowid DESC LIMIT ?`,
            ).all(match, ...(incidentKey === undefined ? [] : [incidentKey]), limit - incidentHits.length) as Array<{
              hit: number;
              incident_key: number;
              body_snip: string | null;
              title_snip: string;
            }>);
      // FTS5's snippet() is quadratic in the matches of a column, so long texts
      // (attachment text, huge notes) get a snippet made here instead.
      const longText = this.stmt('SELECT body, indexed_text FROM timeline_entries WHERE id = ?');
      const hits = [
        ...incidentHits,
        ...entryHits.map((hit) => {
          if (hit.body_snip?.includes(MATCH_START)) return { ...hit, snip: hit.body_snip };
          const texts = longText.get(hit.hit) as { body: string; indexed_text: string | null };
          const snip =
            snippetFromText(texts.indexed_text ?? '', text) ??
            (texts.body.length > LONG_TEXT_CHARS ? snippetFromText(texts.body, text) : null) ??
            (hit.title_snip.includes(MATCH_START) ? hit.title_snip : null) ??
            hit.body_snip ??
            shorten(texts.body, 120);
          return { ...hit, snip };
        }),
      ];
      const describe = this.stmt(
        `SELECT i.id AS incident_id, i.title AS incident_title, i.started_at, e.kind, e.at, e.title AS entry_title
         FROM incidents i LEFT JOIN timeline_entries e ON e.id = ? WHERE i.key = ?`,
      );
      const rows = hits.map((hit) => ({
        hit: hit.hit,
        snip: hit.snip,
        ...(describe.get(hit.hit > 0 ? hit.hit : null, hit.incident_key) as {
          incident_id: string;
          incident_title: string;
          started_at: number;
          kind: TimelineEntryKind | null;
          at: number | null;
          entry_title: string | null;
        }),
      }));
      return rows.map((row) => {
        const { snippet, parts } = splitSnippet(row.snip);
        const isEntry = row.hit > 0 && row.kind !== null;
        return {
          incidentId: row.incident_id,
          incidentTitle: row.incident_title,
          ...(isEntry ? { entryId: row.hit } : {}),
          kind: isEntry ? row.kind! : 'incident',
          at: toIso(isEntry ? row.at! : row.started_at),
          title: isEntry ? row.entry_title! : row.incident_title,
          snippet,
          snippetParts: parts,
        };
      });
    });
  }

  // ---- export / import ---------------------------------------------------

  /** One incident as a portable object (JSON-ready), attachments included as base64. */
  exportIncident(id: string): IncidentExport {
    return this.guard(() => {
      const { incident, rows } = this.db.transaction(() => {
        const row = this.incidentRow(id);
        return {
          incident: this.toIncident(row),
          rows: this.stmt(`SELECT ${ENTRY_COLUMNS} FROM timeline_entries WHERE incident_key = ? ORDER BY at, id`).all(row.key) as EntryRow[],
        };
      }).deferred();
      const entries = rows.map((row) => {
        const { incidentId: _omitted, ...entry } = this.toEntry(id, row);
        return entry;
      });
      const shas = new Map<string, number>();
      for (const entry of entries) {
        if (entry.kind === 'attachment') shas.set(entry.data.sha256, entry.data.size);
      }
      const total = [...shas.values()].reduce((sum, size) => sum + size, 0);
      if (total > INCIDENT_LIMITS.exportAttachmentBytes) {
        throw new TooLargeError(`Attachments of incident "${incident.title}" for export`, total, INCIDENT_LIMITS.exportAttachmentBytes);
      }
      const { entryCount: _count, lastEntryAt: _last, importedAt: _imported, ...portable } = incident;
      return {
        format: INCIDENT_EXPORT_FORMAT,
        exportedAt: toIso(this.now()),
        exportedBy: this.author,
        incident: portable,
        entries,
        attachments: [...shas.keys()].map((sha256) => {
          const data = this.readAttachment(sha256);
          return { sha256, size: data.length, data: data.toString('base64') };
        }),
      };
    });
  }

  /**
   * Imports an exported incident in one transaction: a malformed or newer file is
   * refused with the reason and nothing of it stays. An incident whose id is already
   * here is refused ('already-imported') unless asNewCopy, which gives it a new id.
   */
  async importIncident(value: unknown, options: ImportOptions = {}): Promise<Incident> {
    const file = parseIncidentExport(value);
    const attachments = new Map<string, Buffer>();
    let total = 0;
    for (const attachment of file.attachments) {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(attachment.data) || attachment.data.length % 4 !== 0) {
        throw new ImportRefusedError('invalid-input', `Attachment ${attachment.sha256} is not valid base64`);
      }
      const data = Buffer.from(attachment.data, 'base64');
      if (data.length > INCIDENT_LIMITS.attachmentBytes) {
        throw new TooLargeError(`Attachment ${attachment.sha256}`, data.length, INCIDENT_LIMITS.attachmentBytes);
      }
      total += data.length;
      if (total > INCIDENT_LIMITS.exportAttachmentBytes) {
        throw new TooLargeError('Attachments in the incident file', total, INCIDENT_LIMITS.exportAttachmentBytes);
      }
      if (data.length !== attachment.size || createHash('sha256').update(data).digest('hex') !== attachment.sha256) {
        throw new ImportRefusedError('invalid-input', `Attachment ${attachment.sha256} does not match its sha256 or size`);
      }
      attachments.set(attachment.sha256, data);
    }
    const prepared = file.entries.map((entry, index) => this.prepareImportedEntry(entry, index, attachments));
    const oldIds = file.entries.map((entry) => entry.id);
    if (new Set(oldIds).size !== oldIds.length) throw new ImportRefusedError('invalid-input', 'Entry ids in the file repeat');

    // Large attachments go to files first (content-addressed, harmless if the import
    // is then refused); everything in the database happens in one transaction.
    for (const [sha256, data] of attachments) {
      if (data.length > INCIDENT_LIMITS.inlineAttachmentBytes) {
        const path = attachmentFilePath(this.dataDir, sha256);
        if (!existsSync(path)) await writeDurably(path, async (handle) => void (await handle.write(data)));
      }
    }
    return this.guard(() => {
      const now = this.now();
      const source = file.incident;
      let incidentId = source.id;
      this.writeTransaction(() => {
        const existing = this.stmt('SELECT title, imported_at, created_at FROM incidents WHERE id = ?').get(source.id) as
          | { title: string; imported_at: number | null; created_at: number }
          | undefined;
        if (existing && !options.asNewCopy) {
          throw new ImportRefusedError(
            'already-imported',
            `Incident "${existing.title}" (${source.id}) is already in this store` +
              `${existing.imported_at ? `, imported ${toIso(existing.imported_at)}` : ''}. Import it as a new copy to keep both.`,
            { incidentId: source.id },
          );
        }
        if (existing) incidentId = randomUUID();
        const { lastInsertRowid } = this.stmt(
          `INSERT INTO incidents (id, title, severity, status, context, namespace, description, summary, impact, resolution,
             escalation_level, started_at, created_at, updated_at, created_by, mitigated_at, resolved_at, closed_at, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          incidentId,
          checkTitle(source.title, 'Incident title'),
          source.severity,
          source.status,
          source.context ?? null,
          source.namespace ?? null,
          checkText(source.description, 'Incident description'),
          checkText(source.summary, 'Incident summary'),
          checkText(source.impact, 'Incident impact'),
          checkText(source.resolution, 'Incident resolution'),
          source.escalationLevel ?? null,
          Date.parse(source.startedAt),
          Date.parse(source.createdAt),
          Date.parse(source.updatedAt),
          source.createdBy,
          source.mitigatedAt ? Date.parse(source.mitigatedAt) : null,
          source.resolvedAt ? Date.parse(source.resolvedAt) : null,
          source.closedAt ? Date.parse(source.closedAt) : null,
          now,
        );
        const key = Number(lastInsertRowid);
        this.indexIncident(key, source.title, source.description);
        for (const [sha256, data] of attachments) {
          this.stmt('INSERT INTO attachment_blobs (sha256, size, content, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING').run(
            sha256,
            data.length,
            data.length > INCIDENT_LIMITS.inlineAttachmentBytes ? null : data,
            now,
          );
        }
        const newIds = this.insertEntries(key, prepared, now);
        const idMap = new Map(oldIds.map((oldId, index) => [oldId, newIds[index]]));
        const relink = this.stmt('UPDATE timeline_entries SET data = ? WHERE id = ?');
        const recordEvent = this.stmt(
          'INSERT OR IGNORE INTO cluster_event_imports (incident_key, event_uid, event_count, entry_id) VALUES (?, ?, ?, ?)',
        );
        prepared.forEach((entry, index) => {
          const data = JSON.parse(entry.dataJson) as Record<string, unknown>;
          if (entry.kind === 'finding' && typeof data.runEntryId === 'number') {
            relink.run(serializeEntryData({ ...data, runEntryId: idMap.get(data.runEntryId) }), newIds[index]);
          } else if (entry.kind === 'diagnostic-run' && Array.isArray(data.findingEntryIds)) {
            const findingEntryIds = (data.findingEntryIds as number[]).map((id) => idMap.get(id)).filter((id) => id !== undefined);
            relink.run(serializeEntryData({ ...data, findingEntryIds }), newIds[index]);
          } else if (entry.kind === 'cluster-event' && typeof data.uid === 'string' && typeof data.count === 'number') {
            recordEvent.run(key, data.uid, data.count, newIds[index]);
          }
        });
      });
      return this.getIncident(incidentId);
    });
  }

  // ---- internals ---------------------------------------------------------

  private prepareImportedEntry(
    entry: IncidentExport['entries'][number],
    index: number,
    attachments: Map<string, Buffer>,
  ): EntryToInsert {
    const where = `entries.${index}`;
    const data = entry.data as Record<string, unknown>;
    let indexedText: string | undefined;
    if (entry.kind === 'attachment') {
      const sha256 = data.sha256;
      const content = typeof sha256 === 'string' ? attachments.get(sha256) : undefined;
      if (!content) throw new ImportRefusedError('invalid-input', `${where} refers to an attachment that is not in the file`);
      const text = extractIndexText(
        content.subarray(0, INCIDENT_LIMITS.indexedAttachmentTextBytes + 4),
        content.length,
        String(data.mediaType ?? ''),
      );
      indexedText = text.indexText;
    }
    return {
      kind: entry.kind,
      atMs: Date.parse(entry.at),
      recordedAtMs: Date.parse(entry.recordedAt),
      author: entry.author,
      title: checkTitle(entry.title, `${where} title`),
      body: checkText(entry.body, `${where} body`),
      dataJson: serializeEntryData(entry.data),
      pinned: entry.pinned,
      pinnedAtMs: entry.pinned ? (entry.pinnedAt ? Date.parse(entry.pinnedAt) : Date.parse(entry.recordedAt)) : null,
      indexedText,
    };
  }

  /** Inserts entries, indexes them and keeps the incident's counters; call inside a write transaction. */
  private insertEntries(key: number, entries: EntryToInsert[], now = this.now()): number[] {
    if (entries.length === 0) return [];
    const insert = this.stmt(
      `INSERT INTO timeline_entries (incident_key, kind, at, recorded_at, author, title, body, data, pinned_at, indexed_text)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const index = this.stmt('INSERT INTO entry_search (rowid, title, body, indexed_text, incident_key) VALUES (?, ?, ?, ?, ?)');
    const ids = new Array<number>(entries.length);
    let latest = Number.MIN_SAFE_INTEGER;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const pinnedAt = entry.pinnedAtMs !== undefined ? entry.pinnedAtMs : entry.pinned ? now : null;
      const id = Number(
        insert.run(
          key,
          entry.kind,
          entry.atMs,
          entry.recordedAtMs ?? now,
          entry.author,
          entry.title,
          entry.body,
          entry.dataJson,
          pinnedAt,
          entry.indexedText ?? null,
        ).lastInsertRowid,
      );
      index.run(id, entry.title, entry.body, entry.indexedText ?? null, key);
      ids[i] = id;
      if (entry.atMs > latest) latest = entry.atMs;
    }
    this.stmt(
      `UPDATE incidents SET entry_count = entry_count + ?, last_entry_at = max(coalesce(last_entry_at, ?), ?), updated_at = ?
       WHERE key = ?`,
    ).run(entries.length, latest, latest, now, key);
    return ids;
  }

  private indexIncident(key: number, title: string, description: string): void {
    this.stmt('INSERT INTO incident_search (rowid, title, description) VALUES (?, ?, ?)').run(key, title, description);
  }

  private incidentRow(id: string): IncidentRow {
    if (typeof id !== 'string') throw new InvalidIncidentInputError('Incident id must be a string');
    const row = this.stmt('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
    if (!row) throw new IncidentNotFoundError('Incident', id);
    return row;
  }

  private toEntry(incidentId: string, row: EntryRow): TimelineEntry {
    return {
      id: row.id,
      incidentId,
      kind: row.kind,
      at: toIso(row.at),
      recordedAt: toIso(row.recorded_at),
      author: row.author,
      title: row.title,
      body: row.body,
      pinned: row.pinned_at !== null,
      ...(row.pinned_at !== null ? { pinnedAt: toIso(row.pinned_at) } : {}),
      data: JSON.parse(row.data),
    } as TimelineEntry;
  }

  private toIncident(row: IncidentRow): Incident {
    const optional = (name: string, value: unknown) => (value === null || value === undefined ? {} : { [name]: value });
    return {
      id: row.id,
      title: row.title,
      severity: row.severity,
      status: row.status,
      ...optional('context', row.context),
      ...optional('namespace', row.namespace),
      description: row.description,
      summary: row.summary,
      impact: row.impact,
      resolution: row.resolution,
      ...optional('escalationLevel', row.escalation_level),
      startedAt: toIso(row.started_at),
      createdAt: toIso(row.created_at),
      updatedAt: toIso(row.updated_at),
      createdBy: row.created_by,
      ...optional('mitigatedAt', toIsoOrUndefined(row.mitigated_at)),
      ...optional('resolvedAt', toIsoOrUndefined(row.resolved_at)),
      ...optional('closedAt', toIsoOrUndefined(row.closed_at)),
      ...optional('importedAt', toIsoOrUndefined(row.imported_at)),
      entryCount: row.entry_count,
      ...optional('lastEntryAt', toIsoOrUndefined(row.last_entry_at)),
    };
  }

  private checkEnum<T extends string>(value: unknown, allowed: readonly T[], what: string): asserts value is T {
    if (!allowed.includes(value as T)) {
      throw new InvalidIncidentInputError(`Unknown ${what} ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`, {
        field: what,
      });
    }
  }

  private checkLimit(value: number | undefined, fallback: number, max: number): number {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < 1) throw new InvalidIncidentInputError('limit must be a positive integer');
    return Math.min(value, max);
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private writeTransaction(work: () => void): void {
    this.db.transaction(work).immediate();
    this.scheduleCheckpoint();
  }

  /**
   * Copies the WAL into the main file a moment after writes rather than inside
   * them. PASSIVE never waits for, or blocks, another process. A WAL that grew
   * past CHECKPOINT_NOW_WAL_BYTES is checkpointed at once.
   */
  private scheduleCheckpoint(): void {
    let walBytes = 0;
    try {
      walBytes = statSync(`${this.path}-wal`).size;
    } catch {
      return;
    }
    if (walBytes > CHECKPOINT_NOW_WAL_BYTES) {
      this.checkpoint();
      return;
    }
    if (this.checkpointTimer) return;
    this.checkpointTimer = setTimeout(() => this.checkpoint(), CHECKPOINT_DELAY_MS);
    this.checkpointTimer.unref();
  }

  /** Moves committed pages from the WAL into the database file (also done on its own after writes). */
  checkpoint(): void {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (this.closed) return;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failing checkpoints are retried after the next write; commits are already durable in the WAL.
    }
  }

  /** SQLite's corruption errors at any point become CorruptDatabaseError, never a generic failure. */
  private guard<T>(work: () => T): T {
    if (this.closed) throw new InvalidIncidentInputError('The incident store is closed');
    try {
      return work();
    } catch (err) {
      if (isCorruptionError(err)) throw new CorruptDatabaseError(this.path, (err as Error).message);
      throw err;
    }
  }
}

