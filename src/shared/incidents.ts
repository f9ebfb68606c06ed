// Incident timelines: the shapes that cross from the store (src/main/incidents)
// to the UI, the CLI and the portable export file. Pure types and constants.
//
// Time: every timestamp in these shapes is an ISO 8601 UTC string ending in "Z"
// (the store keeps epoch milliseconds). Entries take this machine's clock;
// cluster events keep the time the cluster gave them.

export const INCIDENT_SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/**
 * active → mitigated → resolved → closed. Any forward move is allowed (a fix can
 * go straight from active to resolved); the only move back is a reopen to
 * `active`, from any later status, and it is recorded like every transition.
 */
export const INCIDENT_STATUSES = ['active', 'mitigated', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The runbook's escalation matrix. */
export const ESCALATION_LEVELS = ['L1', 'L2', 'L3', 'Emergency'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export const TIMELINE_ENTRY_KINDS = [
  'note',
  'diagnostic-run',
  'finding',
  'action',
  'status-change',
  'attachment',
  'cluster-event',
  'escalation',
] as const;
export type TimelineEntryKind = (typeof TIMELINE_ENTRY_KINDS)[number];

/** Kinds a caller may add with addEntry/addEntries; the others have their own methods. */
export const FREE_ENTRY_KINDS = ['note', 'diagnostic-run', 'finding', 'action', 'escalation'] as const;
export type FreeEntryKind = (typeof FREE_ENTRY_KINDS)[number];

/** Stated limits; going over one is refused with code 'too-large' naming the limit. */
export const INCIDENT_LIMITS = {
  /** Title of an incident or of an entry, in characters. */
  titleChars: 500,
  /** Note body (Markdown) or any entry body / incident text field, UTF-8 bytes. */
  textBytes: 1024 * 1024,
  /** Kind-specific data of one entry, as JSON, UTF-8 bytes. */
  entryDataBytes: 1024 * 1024,
  /** One attachment, bytes. */
  attachmentBytes: 512 * 1024 * 1024,
  /** Attachments at or below this size live inside the database, larger ones as files. */
  inlineAttachmentBytes: 256 * 1024,
  /** Text of one text attachment that goes into the search index, UTF-8 bytes. */
  indexedAttachmentTextBytes: 256 * 1024,
  /** Entries in one addEntries batch. */
  batchEntries: 100_000,
  /** Entries in one page of listEntries. */
  pageEntries: 1000,
  /**
   * Attachment bytes in one export object. Base64 inside one JSON string must stay
   * under V8's string limit (~512 MiB characters), so an incident with more is
   * refused with 'too-large' rather than failing half-way.
   */
  exportAttachmentBytes: 256 * 1024 * 1024,
} as const;

export type FindingStatus = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';

export interface FindingCounts {
  pass: number;
  warn: number;
  fail: number;
  error: number;
  skipped: number;
}

export interface DiagnosticRunData {
  /** The engine's run id, so findings and the run can be tied together. */
  runId?: string;
  summary: string;
  counts?: FindingCounts;
  /** Timeline entries of the findings this run produced. */
  findingEntryIds?: number[];
  checkIds?: string[];
  startedAt?: string;
  finishedAt?: string;
}

export interface FindingData {
  checkId: string;
  status: FindingStatus;
  message: string;
  /** Timeline entry of the diagnostic run that produced it. */
  runEntryId?: number;
  runId?: string;
  /** kubectl command a person would type to see the same thing. */
  command?: string;
  evidence?: unknown;
  remediation?: string[];
}

export type ActionResult = 'succeeded' | 'failed' | 'cancelled' | 'dry-run';

export interface ActionData {
  actionId: string;
  /** What it acted on, e.g. "deployment/traffic-system-backend -n traffic-system". */
  target?: string;
  before?: unknown;
  after?: unknown;
  result: ActionResult;
  command?: string;
  error?: string;
}

export interface StatusChangeData {
  from: IncidentStatus;
  to: IncidentStatus;
  reopened: boolean;
}

export interface AttachmentData {
  sha256: string;
  name: string;
  mediaType: string;
  size: number;
  /** Whether its text went into the search index (text attachments only). */
  indexedText: boolean;
  /** The indexed text was cut at INCIDENT_LIMITS.indexedAttachmentTextBytes. */
  indexedTextTruncated?: boolean;
}

export interface ClusterEventData {
  uid: string;
  count: number;
  type: string;
  reason: string;
  message: string;
  namespace?: string;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  source?: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
}

export interface EscalationData {
  level: EscalationLevel;
  from?: EscalationLevel;
  /** Team, person or channel it went to. */
  to?: string;
}

export interface EntryDataByKind {
  note: Record<string, never>;
  'diagnostic-run': DiagnosticRunData;
  finding: FindingData;
  action: ActionData;
  'status-change': StatusChangeData;
  attachment: AttachmentData;
  'cluster-event': ClusterEventData;
  escalation: EscalationData;
}

interface TimelineEntryBase {
  id: number;
  incidentId: string;
  /** When it happened (this machine's clock; a cluster event's own time). */
  at: string;
  /** When this machine stored it. */
  recordedAt: string;
  author: string;
  /** One line; for notes the first line of the body unless given. */
  title: string;
  /** Markdown for notes; free text otherwise. */
  body: string;
  pinned: boolean;
  pinnedAt?: string;
}

export type TimelineEntry = {
  [K in TimelineEntryKind]: TimelineEntryBase & { kind: K; data: EntryDataByKind[K] };
}[TimelineEntryKind];

export type TimelineEntryOf<K extends TimelineEntryKind> = Extract<TimelineEntry, { kind: K }>;

/** A time given by a caller: ISO 8601 with a zone (Z or ±hh:mm), a Date, or epoch ms. */
export type TimeInput = string | number | Date;

interface NewEntryBase {
  title?: string;
  body?: string;
  /** Defaults to now on this machine. */
  at?: TimeInput;
  /** Defaults to the store's author (os.userInfo().username unless overridden). */
  author?: string;
  pinned?: boolean;
}

export type NewTimelineEntry =
  | (NewEntryBase & { kind: 'note'; body: string; data?: Record<string, never> })
  | (NewEntryBase & { kind: 'diagnostic-run'; data: DiagnosticRunData })
  | (NewEntryBase & { kind: 'finding'; data: FindingData })
  | (NewEntryBase & { kind: 'action'; data: ActionData })
  | (NewEntryBase & { kind: 'escalation'; data: EscalationData });

export interface Incident {
  /** A UUID; stable across export and import. */
  id: string;
  title: string;
  severity: IncidentSeverity;
  status: IncidentStatus;
  context?: string;
  namespace?: string;
  description: string;
  summary: string;
  impact: string;
  resolution: string;
  escalationLevel?: EscalationLevel;
  startedAt: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  mitigatedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  /** Set on an incident that came from an export file. */
  importedAt?: string;
  entryCount: number;
  lastEntryAt?: string;
}

export interface NewIncident {
  title: string;
  severity: IncidentSeverity;
  context?: string;
  namespace?: string;
  description?: string;
  startedAt?: TimeInput;
  escalationLevel?: EscalationLevel;
  author?: string;
}

export interface IncidentUpdate {
  title?: string;
  severity?: IncidentSeverity;
  context?: string | null;
  namespace?: string | null;
  description?: string;
  summary?: string;
  impact?: string;
  resolution?: string;
  /** A change is also recorded as an escalation entry. */
  escalationLevel?: EscalationLevel | null;
  startedAt?: TimeInput;
}

export interface IncidentFilter {
  status?: IncidentStatus | IncidentStatus[];
  severity?: IncidentSeverity | IncidentSeverity[];
  context?: string;
  namespace?: string;
  /** Words matched against titles, notes, findings and attachment text. */
  search?: string;
  limit?: number;
}

export interface EntryQuery {
  /** 'newest' (default) or 'oldest' first. */
  order?: 'newest' | 'oldest';
  /** Default 200, at most INCIDENT_LIMITS.pageEntries. */
  limit?: number;
  /** Next page: entries that come after this cursor in the chosen order. */
  after?: string;
  /** Previous page: entries that come before this cursor in the chosen order. */
  before?: string;
  kinds?: TimelineEntryKind[];
  pinnedOnly?: boolean;
  /** Jump to a time: about half the page on each side of it. */
  around?: TimeInput;
}

export interface EntryPage {
  entries: TimelineEntry[];
  /** Cursor for the page after this one in the chosen order, or null at the end. */
  next: string | null;
  /** Cursor for the page before this one in the chosen order, or null at the start. */
  previous: string | null;
  /** With `around`: the first entry at or after that time (in time order), if any. */
  anchorId?: number;
}

export interface SnippetPart {
  text: string;
  match: boolean;
}

export interface SearchHit {
  incidentId: string;
  incidentTitle: string;
  /** Absent when the hit is the incident itself (title, description). */
  entryId?: number;
  kind: TimelineEntryKind | 'incident';
  at: string;
  title: string;
  /** Text around the match with matches between « and ». */
  snippet: string;
  /** The same snippet in parts, safe to render without parsing markers. */
  snippetParts: SnippetPart[];
}

export interface SearchOptions {
  incidentId?: string;
  limit?: number;
}

/** Newest portable format this build writes and reads. */
export const INCIDENT_EXPORT_FORMAT = 'roadside-incident/1';

export interface ExportedAttachment {
  sha256: string;
  size: number;
  /** The content, base64. */
  data: string;
}

export interface IncidentExport {
  format: typeof INCIDENT_EXPORT_FORMAT;
  exportedAt: string;
  exportedBy: string;
  incident: Omit<Incident, 'entryCount' | 'lastEntryAt' | 'importedAt'>;
  entries: Array<Omit<TimelineEntry, 'incidentId'>>;
  attachments: ExportedAttachment[];
}

export interface ImportOptions {
  /**
   * An incident whose id is already in this store is refused (code 'conflict',
   * reason 'already-imported'); with asNewCopy it is imported under a new id.
   */
  asNewCopy?: boolean;
}
