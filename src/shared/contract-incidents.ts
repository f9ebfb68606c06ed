// The incidents part of the RoadsideApi contract: request schemas (validated where
// they enter the main side), responses and the events incident handlers push.
import { z } from 'zod';
import {
  ESCALATION_LEVELS,
  INCIDENT_LIMITS,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  TIMELINE_ENTRY_KINDS,
  type EntryPage,
  type Incident,
  type SearchHit,
  type TimelineEntry,
  type TimelineEntryKind,
} from './incidents';

const incidentId = z.string().min(1).max(64);
const entryId = z.number().int().positive();
/** ISO 8601 with a zone; the store refuses a time without one. */
const isoTime = z.string().min(10).max(40);
const optionalText = z.string().max(INCIDENT_LIMITS.textBytes);
const filePath = z.string().min(1).max(4096);
/** Pasted text travels inside one HTTP body of at most 1 MiB. */
export const PASTED_TEXT_MAX_CHARS = 900 * 1024;

export const incidentRequests = {
  'incidents.list': z
    .object({
      status: z.array(z.enum(INCIDENT_STATUSES)).max(4).optional(),
      severity: z.array(z.enum(INCIDENT_SEVERITIES)).max(4).optional(),
      context: z.string().min(1).max(253).optional(),
      namespace: z.string().min(1).max(63).optional(),
      search: z.string().max(500).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  'incidents.create': z
    .object({
      title: z.string().min(1).max(INCIDENT_LIMITS.titleChars),
      severity: z.enum(INCIDENT_SEVERITIES),
      context: z.string().min(1).max(253).optional(),
      namespace: z.string().min(1).max(63).optional(),
      description: optionalText.optional(),
      startedAt: isoTime.optional(),
    })
    .strict(),
  'incidents.get': z.object({ id: incidentId }).strict(),
  'incidents.update': z
    .object({
      id: incidentId,
      title: z.string().min(1).max(INCIDENT_LIMITS.titleChars).optional(),
      severity: z.enum(INCIDENT_SEVERITIES).optional(),
      description: optionalText.optional(),
      summary: optionalText.optional(),
      impact: optionalText.optional(),
      resolution: optionalText.optional(),
      escalationLevel: z.enum(ESCALATION_LEVELS).nullable().optional(),
    })
    .strict(),
  'incidents.setStatus': z
    .object({ id: incidentId, status: z.enum(INCIDENT_STATUSES), note: optionalText.optional() })
    .strict(),
  'incidents.entries': z
    .object({
      id: incidentId,
      order: z.enum(['newest', 'oldest']).optional(),
      limit: z.number().int().min(1).max(INCIDENT_LIMITS.pageEntries).optional(),
      after: z.string().max(64).optional(),
      before: z.string().max(64).optional(),
      kinds: z.array(z.enum(TIMELINE_ENTRY_KINDS)).max(TIMELINE_ENTRY_KINDS.length).optional(),
      pinnedOnly: z.boolean().optional(),
      /** Jump to a time. */
      around: isoTime.optional(),
      /** Only entries in this time range (inclusive), e.g. the range selected on the axis. */
      from: isoTime.optional(),
      to: isoTime.optional(),
    })
    .strict(),
  'incidents.density': z
    .object({
      id: incidentId,
      from: isoTime.optional(),
      to: isoTime.optional(),
      buckets: z.number().int().min(1).max(2000),
      kinds: z.array(z.enum(TIMELINE_ENTRY_KINDS)).max(TIMELINE_ENTRY_KINDS.length).optional(),
    })
    .strict(),
  'incidents.addNote': z
    .object({ id: incidentId, body: z.string().min(1), title: z.string().max(INCIDENT_LIMITS.titleChars).optional(), at: isoTime.optional() })
    .strict(),
  'incidents.pin': z.object({ entryId, pinned: z.boolean() }).strict(),
  'incidents.attach': z.union([
    z.object({ id: incidentId, path: filePath, caption: z.string().max(2000).optional() }).strict(),
    z
      .object({
        id: incidentId,
        name: z.string().min(1).max(255),
        text: z.string().max(PASTED_TEXT_MAX_CHARS),
        mediaType: z.string().max(255).optional(),
        caption: z.string().max(2000).optional(),
      })
      .strict(),
  ]),
  'incidents.attachmentText': z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  'incidents.search': z
    .object({ text: z.string().min(1).max(500), incidentId: incidentId.optional(), limit: z.number().int().min(1).max(500).optional() })
    .strict(),
  'incidents.setActive': z.object({ id: incidentId.nullable() }).strict(),
  'incidents.active': z.object({}).strict(),
  'incidents.refreshClusterEvents': z.object({ id: incidentId }).strict(),
} as const;

export type IncidentChannel = keyof typeof incidentRequests;

/** The incident diagnostics and actions are being recorded to, in this window's core. */
export interface ActiveIncident {
  id: string;
  title: string;
  severity: Incident['severity'];
  status: Incident['status'];
}

export interface IncidentDensity {
  from: string;
  to: string;
  /** Width of one bucket in ms. */
  bucketMs: number;
  /** Non-empty buckets only: bucket index, kind, entries in it, and the first entry's time and id. */
  cells: Array<{ bucket: number; kind: TimelineEntryKind; count: number; firstAt: string; firstId: number }>;
  /** The whole timeline's bounds (for "zoom to fit"), absent when it is empty. */
  extent?: { first: string; last: string };
  total: number;
}

export interface ClusterEventsRefresh {
  imported: number;
  /** Set when the cluster could not be read; the incident keeps working offline. */
  unreachable?: string;
  context?: string;
  namespace?: string;
}

export interface AttachmentText {
  sha256: string;
  text: string;
  truncated: boolean;
}

export interface IncidentResponses {
  'incidents.list': Incident[];
  'incidents.create': Incident;
  'incidents.get': Incident;
  'incidents.update': Incident;
  'incidents.setStatus': Incident;
  'incidents.entries': EntryPage;
  'incidents.density': IncidentDensity;
  'incidents.addNote': TimelineEntry;
  'incidents.pin': TimelineEntry;
  'incidents.attach': TimelineEntry;
  'incidents.attachmentText': AttachmentText;
  'incidents.search': SearchHit[];
  'incidents.setActive': ActiveIncident | null;
  'incidents.active': ActiveIncident | null;
  'incidents.refreshClusterEvents': ClusterEventsRefresh;
}

export type IncidentEvent =
  /** Something in this incident changed (entries, fields, status). */
  | { type: 'incident-changed'; incidentId: string }
  | { type: 'active-incident-changed'; active: ActiveIncident | null };
