// Checks on what callers hand the store, before anything is written: shapes
// (zod), then the stated size limits, each refused with the limit named.
import { z } from 'zod';
import {
  ESCALATION_LEVELS,
  FREE_ENTRY_KINDS,
  INCIDENT_LIMITS,
  INCIDENT_SEVERITIES,
  type NewTimelineEntry,
  type TimelineEntryKind,
} from '../../shared/incidents';
import { InvalidIncidentInputError, TooLargeError } from './errors';
import { toEpochMs } from './timestamps';

const timeInput = z.union([z.string(), z.number(), z.date()]);
const findingStatus = z.enum(['pass', 'warn', 'fail', 'error', 'skipped']);
const escalationLevel = z.enum(ESCALATION_LEVELS);

export const diagnosticRunSchema = z.object({
  runId: z.string().optional(),
  summary: z.string(),
  counts: z
    .object({ pass: z.number().int(), warn: z.number().int(), fail: z.number().int(), error: z.number().int(), skipped: z.number().int() })
    .optional(),
  findingEntryIds: z.array(z.number().int()).optional(),
  checkIds: z.array(z.string()).optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});

export const findingSchema = z.object({
  checkId: z.string().min(1),
  status: findingStatus,
  message: z.string(),
  runEntryId: z.number().int().optional(),
  runId: z.string().optional(),
  command: z.string().optional(),
  evidence: z.unknown().optional(),
  remediation: z.array(z.string()).optional(),
});

export const actionSchema = z.object({
  actionId: z.string().min(1),
  target: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  result: z.enum(['succeeded', 'failed', 'cancelled', 'dry-run']),
  command: z.string().optional(),
  error: z.string().optional(),
});

export const escalationSchema = z.object({
  level: escalationLevel,
  from: escalationLevel.optional(),
  to: z.string().optional(),
});

const entryBase = {
  title: z.string().optional(),
  body: z.string().optional(),
  at: timeInput.optional(),
  author: z.string().min(1).max(200).optional(),
  pinned: z.boolean().optional(),
};

const newEntrySchema = z.discriminatedUnion('kind', [
  z.object({ ...entryBase, kind: z.literal('note'), body: z.string(), data: z.object({}).strict().optional() }),
  z.object({ ...entryBase, kind: z.literal('diagnostic-run'), data: diagnosticRunSchema }),
  z.object({ ...entryBase, kind: z.literal('finding'), data: findingSchema }),
  z.object({ ...entryBase, kind: z.literal('action'), data: actionSchema }),
  z.object({ ...entryBase, kind: z.literal('escalation'), data: escalationSchema }),
]);

export const newIncidentSchema = z.object({
  title: z.string(),
  severity: z.enum(INCIDENT_SEVERITIES),
  context: z.string().max(500).optional(),
  namespace: z.string().max(253).optional(),
  description: z.string().optional(),
  startedAt: timeInput.optional(),
  escalationLevel: escalationLevel.optional(),
  author: z.string().min(1).max(200).optional(),
});

export const incidentUpdateSchema = z
  .object({
    title: z.string(),
    severity: z.enum(INCIDENT_SEVERITIES),
    context: z.string().max(500).nullable(),
    namespace: z.string().max(253).nullable(),
    description: z.string(),
    summary: z.string(),
    impact: z.string(),
    resolution: z.string(),
    escalationLevel: escalationLevel.nullable(),
    startedAt: timeInput,
  })
  .partial()
  .strict();

export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  throw new InvalidIncidentInputError(`Invalid ${what}: ${first ? `${first.path || '(root)'}: ${first.message}` : 'bad shape'}`, {
    issues,
  });
}

export function checkTitle(title: string, what: string): string {
  const trimmed = title.trim();
  if (trimmed.length > INCIDENT_LIMITS.titleChars) {
    throw new TooLargeError(what, trimmed.length, INCIDENT_LIMITS.titleChars, 'characters');
  }
  return trimmed;
}

export function checkText(text: string, what: string): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no count.
  if (text.length * 3 > INCIDENT_LIMITS.textBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > INCIDENT_LIMITS.textBytes) throw new TooLargeError(what, bytes, INCIDENT_LIMITS.textBytes);
  }
  return text;
}

export function serializeEntryData(data: unknown): string {
  const json = JSON.stringify(data ?? {});
  if (json.length * 3 > INCIDENT_LIMITS.entryDataBytes) {
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > INCIDENT_LIMITS.entryDataBytes) throw new TooLargeError('Entry data', bytes, INCIDENT_LIMITS.entryDataBytes);
  }
  return json;
}

export interface PreparedEntry {
  kind: TimelineEntryKind;
  atMs: number;
  author: string;
  title: string;
  body: string;
  dataJson: string;
  /** The checked data, to answer with without parsing dataJson again. */
  data?: unknown;
  pinned: boolean;
}

/** Validates one caller entry and fills in defaults (time, author, title). */
export function prepareEntry(input: NewTimelineEntry, nowMs: number, defaultAuthor: string): PreparedEntry {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (!input || typeof input !== 'object' || !(FREE_ENTRY_KINDS as readonly unknown[]).includes(kind)) {
    throw new InvalidIncidentInputError(
      `Entry kind ${JSON.stringify(kind)} cannot be added directly; use one of ${FREE_ENTRY_KINDS.join(', ')} ` +
        '(attachments, status changes and cluster events have their own methods)',
      { kind: String(kind) },
    );
  }
  const entry = parseInput(newEntrySchema, input, `${input.kind} entry`);
  const body = checkText(entry.body ?? '', entry.kind === 'note' ? 'Note body' : 'Entry body');
  const title = entry.title !== undefined ? checkTitle(entry.title, 'Entry title') : deriveTitle(entry as NewTimelineEntry);
  return {
    kind: entry.kind,
    atMs: entry.at === undefined ? nowMs : toEpochMs(entry.at, 'Entry time'),
    author: entry.author ?? defaultAuthor,
    title,
    body,
    dataJson: serializeEntryData(entry.data),
    data: entry.data ?? {},
    pinned: entry.pinned ?? false,
  };
}

function firstLine(text: string): string {
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end).trim();
    if (line) return line.slice(0, 1000).replace(/^#+\s*/, '');
    if (end === -1) break;
    start = end + 1;
  }
  return '';
}

export function shorten(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function deriveTitle(entry: NewTimelineEntry): string {
  switch (entry.kind) {
    case 'note':
      return shorten(firstLine(entry.body));
    case 'diagnostic-run':
      return shorten(firstLine(entry.data.summary) || 'Diagnostic run');
    case 'finding':
      return shorten(`${entry.data.status.toUpperCase()} ${entry.data.checkId}: ${firstLine(entry.data.message)}`);
    case 'action':
      return shorten(`${entry.data.actionId}${entry.data.target ? ` on ${entry.data.target}` : ''}: ${entry.data.result}`);
    case 'escalation':
      return shorten(`Escalated to ${entry.data.level}${entry.data.to ? ` (${entry.data.to})` : ''}`);
  }
}
