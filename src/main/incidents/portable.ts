// The portable incident file ("roadside-incident/1"): checked whole before the
// store touches anything, so a malformed or newer file is refused with the reason.
import { z } from 'zod';
import {
  ESCALATION_LEVELS,
  INCIDENT_EXPORT_FORMAT,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  TIMELINE_ENTRY_KINDS,
  type IncidentExport,
} from '../../shared/incidents';
import { ImportRefusedError } from './errors';

const isoTime = z.iso.datetime({ offset: true });

const exportedIncidentSchema = z.object({
  id: z.uuid(),
  title: z.string().min(1),
  severity: z.enum(INCIDENT_SEVERITIES),
  status: z.enum(INCIDENT_STATUSES),
  context: z.string().optional(),
  namespace: z.string().optional(),
  description: z.string(),
  summary: z.string(),
  impact: z.string(),
  resolution: z.string(),
  escalationLevel: z.enum(ESCALATION_LEVELS).optional(),
  startedAt: isoTime,
  createdAt: isoTime,
  updatedAt: isoTime,
  createdBy: z.string(),
  mitigatedAt: isoTime.optional(),
  resolvedAt: isoTime.optional(),
  closedAt: isoTime.optional(),
});

const exportedEntrySchema = z.object({
  id: z.number().int(),
  kind: z.enum(TIMELINE_ENTRY_KINDS),
  at: isoTime,
  recordedAt: isoTime,
  author: z.string(),
  title: z.string(),
  body: z.string(),
  pinned: z.boolean(),
  pinnedAt: isoTime.optional(),
  data: z.record(z.string(), z.unknown()),
});

const exportedAttachmentSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  data: z.string(),
});

const exportSchema = z.object({
  format: z.literal(INCIDENT_EXPORT_FORMAT),
  exportedAt: isoTime,
  exportedBy: z.string(),
  incident: exportedIncidentSchema,
  entries: z.array(exportedEntrySchema),
  attachments: z.array(exportedAttachmentSchema),
});

/** The export object, or ImportRefusedError saying what is wrong with it. */
export function parseIncidentExport(value: unknown): IncidentExport {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImportRefusedError('invalid-input', 'Not a Roadside incident file: expected a JSON object');
  }
  const format = (value as { format?: unknown }).format;
  if (typeof format !== 'string') {
    throw new ImportRefusedError('invalid-input', 'Not a Roadside incident file: it has no "format" field');
  }
  const version = /^roadside-incident\/(\d+)$/.exec(format);
  if (!version) {
    throw new ImportRefusedError('unsupported-format', `Unknown file format "${format.slice(0, 80)}"; expected ${INCIDENT_EXPORT_FORMAT}`, {
      format,
    });
  }
  if (Number(version[1]) > 1) {
    throw new ImportRefusedError(
      'unsupported-format',
      `This incident file was written by a newer Roadside (format ${format}); this one reads ${INCIDENT_EXPORT_FORMAT}. Update Roadside to import it.`,
      { format },
    );
  }
  const result = exportSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 5).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new ImportRefusedError('invalid-input', `Malformed incident file at ${issues[0]?.path || '(root)'}: ${issues[0]?.message}`, {
      issues,
    });
  }
  return result.data as unknown as IncidentExport;
}
