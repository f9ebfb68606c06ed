// The incidents area of the core: the store opened once per service (lazily, closed
// on shutdown), the incident diagnostics and actions are recorded to while it is
// active, and the cluster's Warning events imported on each refresh.
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import type { DiagnoseResult, Finding } from '../../shared/checks';
import type { ActiveIncident, ClusterEventsRefresh, IncidentChannel, IncidentDensity } from '../../shared/contract-incidents';
import {
  INCIDENT_LIMITS,
  type ActionData,
  type EntryPage,
  type EntryQuery,
  type Incident,
  type IncidentStatus,
  type TimelineEntry,
  type TimelineEntryKind,
} from '../../shared/incidents';
import { RoadsideError } from '../errors';
import { CorruptDatabaseError, IncidentNotFoundError, IncidentStore, type NewDiagnosticRun } from '../incidents';
import { nativeBindingOption } from '../incidents/database';
import type { AreaHandlers, RoadsideService } from '../service';
import type { SettingsStore } from '../settings';

/** Evidence kept per recorded finding; a whole log goes in as an attachment instead. */
const FINDING_EVIDENCE_BYTES = 64 * 1024;
const EVENT_LIST_LIMIT = 500;

/** The incident store of one service, and which incident is active in its windows. */
export class IncidentDesk {
  private store: IncidentStore | undefined;
  private reader: Database.Database | undefined;

  constructor(
    readonly dataDir: string,
    private readonly settings?: SettingsStore,
  ) {}

  /** The active incident, kept in the settings so it survives a restart of the app. */
  get activeId(): string | null {
    return this.settings?.get().activeIncidentId ?? this.memoryActiveId;
  }

  set activeId(id: string | null) {
    if (this.settings) this.settings.update({ activeIncidentId: id ?? undefined });
    else this.memoryActiveId = id;
  }

  private memoryActiveId: string | null = null;

  /** The active incident if it still exists: one removed since it was made active is forgotten. */
  existingActiveId(): string | null {
    const id = this.activeId;
    if (!id) return null;
    try {
      this.open().getIncident(id);
      return id;
    } catch (err) {
      if (!(err instanceof IncidentNotFoundError)) throw explainStoreError(err, id);
      this.activeId = null;
      return null;
    }
  }

  open(): IncidentStore {
    if (!this.store) {
      try {
        this.store = IncidentStore.open(this.dataDir);
      } catch (err) {
        throw explainStoreError(err);
      }
    }
    return this.store;
  }

  /** A read-only connection for the timeline density (a GROUP BY the store has no method for). */
  readOnly(): Database.Database {
    const store = this.open();
    if (!this.reader) this.reader = new Database(store.path, { readonly: true, fileMustExist: true, ...nativeBindingOption() });
    return this.reader;
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
    this.store?.close();
    this.store = undefined;
  }
}

const desks = new WeakMap<RoadsideService, IncidentDesk>();

export function incidentDeskFor(service: RoadsideService): IncidentDesk {
  let desk = desks.get(service);
  if (!desk) {
    const created = new IncidentDesk(service.dataDir, service.settings);
    desk = created;
    desks.set(service, created);
    service.onShutdown(() => created.close());
  }
  return desk;
}

/** Store errors as a person needs them: which incident, which file, what to do. */
export function explainStoreError(err: unknown, incidentId?: string): unknown {
  if (err instanceof IncidentNotFoundError && (err.details as { what?: string } | undefined)?.what === 'Incident') {
    const id = (err.details as { id?: unknown }).id ?? incidentId;
    return new RoadsideError('not-found', `no incident with id ${String(id)}`, err.details);
  }
  if (err instanceof CorruptDatabaseError) {
    return new RoadsideError(
      'corrupt-database',
      `The incident database ${err.path} is damaged or not a database (${err.detail}). Nothing was changed. ` +
        `To start fresh, move it aside (for example: mv "${err.path}" "${err.path}.broken") and Roadside creates an empty one; ` +
        'keep the moved file if you want to try to recover it.',
      err.details,
    );
  }
  return err;
}

function withStoreErrors<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw explainStoreError(err);
  }
}

function toActive(incident: Incident): ActiveIncident {
  return { id: incident.id, title: incident.title, severity: incident.severity, status: incident.status };
}

// The store pages by (at, id) cursors written as base-36 "at.id"; a range start is
// the cursor just before its first possible entry. test/unit/incidents-handlers.test.ts
// checks this against the real store, so a change of the cursor format shows.
function cursorAt(ms: number, id: number): string {
  return `${ms.toString(36)}.${id.toString(36)}`;
}

function epochOf(iso: string, field: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(iso.trim())) {
    throw new RoadsideError('invalid-input', `${field} must be an ISO 8601 time with a zone, e.g. 2024-05-01T10:00:00Z`);
  }
  return ms;
}

/** A page of entries, optionally only those in [from, to]. */
export function listEntriesInRange(
  store: IncidentStore,
  id: string,
  query: EntryQuery & { from?: string; to?: string },
): EntryPage {
  const { from, to, ...rest } = query;
  if (from === undefined && to === undefined) return store.listEntries(id, rest);
  if (rest.around !== undefined) throw new RoadsideError('invalid-input', 'give either around or a from/to range, not both');
  const fromMs = from === undefined ? undefined : epochOf(from, 'from');
  const toMs = to === undefined ? undefined : epochOf(to, 'to');
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw new RoadsideError('invalid-input', 'from is after to');
  const order = rest.order ?? 'newest';
  const start = order === 'oldest' ? fromMs : toMs;
  const page = store.listEntries(id, {
    ...rest,
    ...(rest.after === undefined && rest.before === undefined && start !== undefined
      ? { after: order === 'oldest' ? cursorAt(start, 0) : cursorAt(start, Number.MAX_SAFE_INTEGER) }
      : {}),
  });
  const inRange = (entry: TimelineEntry) => {
    const at = Date.parse(entry.at);
    return (fromMs === undefined || at >= fromMs) && (toMs === undefined || at <= toMs);
  };
  const entries = page.entries.filter(inRange);
  const cut = entries.length < page.entries.length;
  // A page that reached the range's edge ends there in the direction it was read.
  if (rest.before !== undefined) return { ...page, entries, previous: cut ? null : page.previous };
  return { ...page, entries, next: cut ? null : page.next, ...(rest.after === undefined ? { previous: null } : {}) };
}

/** Counts per kind and time bucket, for the axis; a read of the index, not of the entries. */
export function timelineDensity(
  desk: IncidentDesk,
  id: string,
  request: { from?: string; to?: string; buckets: number; kinds?: TimelineEntryKind[] },
): IncidentDensity {
  const store = desk.open();
  const incident = store.getIncident(id);
  const db = desk.readOnly();
  const key = (db.prepare('SELECT key FROM incidents WHERE id = ?').get(id) as { key: number } | undefined)?.key;
  if (key === undefined) throw new RoadsideError('not-found', `no incident with id ${id}`);
  const bounds = db.prepare('SELECT min(at) AS first, max(at) AS last FROM timeline_entries WHERE incident_key = ?').get(key) as {
    first: number | null;
    last: number | null;
  };
  const started = Date.parse(incident.startedAt);
  const first = Math.min(bounds.first ?? started, started);
  const last = Math.max(bounds.last ?? started, first + 60_000);
  const fromMs = request.from === undefined ? first : epochOf(request.from, 'from');
  let toMs = request.to === undefined ? last : epochOf(request.to, 'to');
  if (toMs <= fromMs) toMs = fromMs + 1000;
  const bucketMs = Math.max(1, Math.ceil((toMs - fromMs + 1) / request.buckets));
  const kinds = request.kinds;
  if (kinds && kinds.length === 0) return { from: iso(fromMs), to: iso(toMs), bucketMs, cells: [], total: 0 };
  const rows = db
    .prepare(
      // CAST: better-sqlite3 binds JS numbers as REAL, and a REAL quotient would make one group per entry.
      `SELECT kind, CAST((at - @from) / @width AS INTEGER) AS bucket, count(*) AS n, min(at) AS first_at, min(id) AS first_id
       FROM timeline_entries
       WHERE incident_key = @key AND at >= @from AND at <= @to ${kinds ? `AND kind IN (${kinds.map((_, i) => `@k${i}`).join(', ')})` : ''}
       GROUP BY kind, bucket`,
    )
    .all({
      key,
      from: fromMs,
      to: toMs,
      width: bucketMs,
      ...Object.fromEntries((kinds ?? []).map((kind, i) => [`k${i}`, kind])),
    }) as Array<{ kind: TimelineEntryKind; bucket: number; n: number; first_at: number; first_id: number }>;
  return {
    from: iso(fromMs),
    to: iso(toMs),
    bucketMs,
    cells: rows.map((row) => ({ bucket: row.bucket, kind: row.kind, count: row.n, firstAt: iso(row.first_at), firstId: row.first_id })),
    ...(bounds.first !== null && bounds.last !== null ? { extent: { first: iso(bounds.first), last: iso(bounds.last) } } : {}),
    total: rows.reduce((sum, row) => sum + row.n, 0),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function capEvidence(evidence: Finding['evidence']): unknown {
  const json = JSON.stringify(evidence);
  if (Buffer.byteLength(json) <= FINDING_EVIDENCE_BYTES) return evidence;
  return evidence.map((e) =>
    e.kind === 'log'
      ? { ...e, lines: e.lines.slice(-100).map((l) => l.slice(0, 400)), truncated: true }
      : e.kind === 'output'
        ? { ...e, text: e.text.slice(-16_000), truncated: true }
        : e,
  );
}

/** The run as the timeline keeps it: a summary entry and one entry per finding that is not a pass. */
export function toDiagnosticRun(runId: string, result: DiagnoseResult): NewDiagnosticRun {
  const s = result.summary;
  const summary = result.unreachable
    ? `Diagnosis of ${result.context} / ${result.namespace}: cluster unreachable (${result.unreachable})`
    : `Diagnosis of ${result.context} / ${result.namespace}: ${s.fail} fail, ${s.error} error, ${s.warn} warn, ${s.pass} pass, ${s.skipped} skipped` +
      `${result.score.overall === null ? '' : ` · health score ${result.score.overall}`}${result.cancelled ? ' · cancelled' : ''}`;
  const finishedMs = Date.parse(result.startedAt) + result.durationMs;
  return {
    runId,
    summary,
    counts: { ...s },
    checkIds: result.findings.map((f) => f.check),
    startedAt: result.startedAt,
    finishedAt: iso(Number.isFinite(finishedMs) ? finishedMs : Date.now()),
    findings: result.findings
      .filter((f) => f.status === 'fail' || f.status === 'error' || f.status === 'warn')
      .map((f) => ({
        checkId: f.check,
        status: f.status,
        message: f.message.slice(0, 4000),
        title: `${f.status.toUpperCase()} ${f.check}: ${f.message}`.slice(0, INCIDENT_LIMITS.titleChars),
        ...(f.kubectl[0] ? { command: f.kubectl[0] } : {}),
        evidence: capEvidence(f.evidence),
        remediation: f.remediation.map((r) => (r.command ? `${r.text.en}: ${r.command}` : r.text.en)),
      })),
  };
}

/**
 * Which incident a diagnosis is recorded to: the one named (which must exist), else
 * the active one. Returns a recorder to call with the result, or undefined.
 */
export function prepareDiagnosisRecording(
  service: RoadsideService,
  runId: string,
  incidentId: string | undefined,
): ((result: DiagnoseResult) => void) | undefined {
  const desk = incidentDeskFor(service);
  const target = incidentId ?? desk.existingActiveId() ?? undefined;
  if (!target) return undefined;
  if (incidentId) withStoreErrors(() => desk.open().getIncident(incidentId));
  return (result) => {
    if (result.cancelled && result.findings.length === 0) return;
    withStoreErrors(() => desk.open().recordDiagnosticRun(target, toDiagnosticRun(runId, result)));
    service.emit({ type: 'incident-changed', incidentId: target });
  };
}

/** For the actions area: records an action to the active incident, if one is active. Returns the entry. */
export function recordActionToActiveIncident(
  service: RoadsideService,
  action: ActionData & { title?: string; body?: string },
): TimelineEntry | undefined {
  const desk = incidentDeskFor(service);
  const target = desk.existingActiveId();
  if (!target) return undefined;
  const { title, body, ...data } = action;
  const entry = withStoreErrors(() =>
    desk.open().addEntry(target, { kind: 'action', title: title ?? `${data.actionId} ${data.target ?? ''}`.trim(), body: body ?? '', data }),
  );
  service.emit({ type: 'incident-changed', incidentId: target });
  return entry;
}

async function readWarningEvents(service: RoadsideService, incident: Incident): Promise<{ events: CoreV1Event[]; context: string }> {
  const { name, kc } = await service.kubeConfigFor(incident.context);
  const api = kc.makeApiClient(CoreV1Api);
  const timeout = service.settings.get().probeTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    const list = await Promise.race([
      incident.namespace
        ? api.listNamespacedEvent({ namespace: incident.namespace, fieldSelector: 'type=Warning', limit: EVENT_LIST_LIMIT })
        : api.listEventForAllNamespaces({ fieldSelector: 'type=Warning', limit: EVENT_LIST_LIMIT }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
      }),
    ]);
    return { events: list.items, context: name };
  } finally {
    clearTimeout(timer);
  }
}

function describeReadFailure(err: unknown): string {
  const e = err as { code?: number; message?: string };
  if (e.code === 403) return 'not allowed to list events in this namespace';
  if (e.code === 401) return 'credentials rejected';
  if (err instanceof RoadsideError) return err.message;
  return (e.message ?? String(err)).split('\n')[0];
}

export async function refreshClusterEvents(service: RoadsideService, id: string): Promise<ClusterEventsRefresh> {
  const desk = incidentDeskFor(service);
  const incident = withStoreErrors(() => desk.open().getIncident(id));
  const where = { ...(incident.context ? { context: incident.context } : {}), ...(incident.namespace ? { namespace: incident.namespace } : {}) };
  let read: { events: CoreV1Event[]; context: string };
  try {
    read = await readWarningEvents(service, incident);
  } catch (err) {
    return { imported: 0, unreachable: describeReadFailure(err), ...where };
  }
  const imported = withStoreErrors(() => desk.open().importClusterEvents(id, read.events));
  if (imported > 0) service.emit({ type: 'incident-changed', incidentId: id });
  return { imported, ...where, context: read.context };
}

export function createIncidentHandlers(service: RoadsideService): AreaHandlers<IncidentChannel> {
  const desk = () => incidentDeskFor(service);
  const store = () => desk().open();
  const changed = (incidentId: string) => service.emit({ type: 'incident-changed', incidentId });
  const afterIncidentChange = (incident: Incident) => {
    changed(incident.id);
    if (desk().activeId === incident.id) service.emit({ type: 'active-incident-changed', active: toActive(incident) });
  };

  return {
    'incidents.list': async ({ status, severity, context, namespace, search, limit }) =>
      withStoreErrors(() =>
        store().listIncidents({
          ...(status?.length ? { status } : {}),
          ...(severity?.length ? { severity } : {}),
          ...(context ? { context } : {}),
          ...(namespace ? { namespace } : {}),
          ...(search?.trim() ? { search } : {}),
          ...(limit ? { limit } : {}),
        }),
      ),
    'incidents.create': async (req) => {
      const incident = withStoreErrors(() => store().createIncident(req));
      changed(incident.id);
      return incident;
    },
    'incidents.get': async ({ id }) => withStoreErrors(() => store().getIncident(id)),
    'incidents.update': async ({ id, ...update }) => {
      const incident = withStoreErrors(() => store().updateIncident(id, update));
      afterIncidentChange(incident);
      return incident;
    },
    'incidents.setStatus': async ({ id, status, note }) => {
      const { incident } = withStoreErrors(() => store().setStatus(id, status as IncidentStatus, note));
      afterIncidentChange(incident);
      return incident;
    },
    'incidents.entries': async ({ id, ...query }) => withStoreErrors(() => listEntriesInRange(store(), id, query)),
    'incidents.density': async ({ id, ...request }) => withStoreErrors(() => timelineDensity(desk(), id, request)),
    'incidents.addNote': async ({ id, body, title, at }) => {
      const entry = withStoreErrors(() => store().addEntry(id, { kind: 'note', body, ...(title ? { title } : {}), ...(at ? { at } : {}) }));
      changed(id);
      return entry;
    },
    'incidents.pin': async ({ entryId, pinned }) => {
      const entry = withStoreErrors(() => store().pinEntry(entryId, pinned));
      changed(entry.incidentId);
      return entry;
    },
    'incidents.attach': async (req) => {
      let entry: TimelineEntry;
      try {
        entry =
          'path' in req
            ? await store().addAttachment(req.id, { path: resolve(req.path), ...(req.caption ? { caption: req.caption } : {}) })
            : await store().addAttachment(req.id, {
                data: Buffer.from(req.text, 'utf8'),
                name: req.name,
                mediaType: req.mediaType ?? 'text/plain',
                ...(req.caption ? { caption: req.caption } : {}),
              });
      } catch (err) {
        throw explainStoreError(err, req.id);
      }
      changed(req.id);
      return entry;
    },
    'incidents.attachmentText': async ({ sha256 }) =>
      withStoreErrors(() => {
        const data = store().readAttachment(sha256);
        const cap = INCIDENT_LIMITS.indexedAttachmentTextBytes;
        return { sha256, text: data.subarray(0, cap).toString('utf8'), truncated: data.length > cap };
      }),
    'incidents.search': async ({ text, incidentId, limit }) =>
      withStoreErrors(() => store().search(text, { ...(incidentId ? { incidentId } : {}), ...(limit ? { limit } : {}) })),
    'incidents.setActive': async ({ id }) => {
      const active = id === null ? null : toActive(withStoreErrors(() => store().getIncident(id)));
      desk().activeId = active?.id ?? null;
      service.emit({ type: 'active-incident-changed', active });
      return active;
    },
    'incidents.active': async () => {
      const id = desk().activeId;
      if (!id) return null;
      try {
        return toActive(store().getIncident(id));
      } catch {
        desk().activeId = null;
        return null;
      }
    },
    'incidents.refreshClusterEvents': async ({ id }) => refreshClusterEvents(service, id),
  };
}
