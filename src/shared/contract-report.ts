// Escalation reports and support bundles: requests, responses and the settings they use.
// The runbook's last section ("Información para Reportes", "Escalation Matrix") is the model:
// six sections, a level (L1, L2, L3, Emergency) and a channel.
import { z } from 'zod';
import { ESCALATION_LEVELS, type EscalationLevel, type Incident, type IncidentSeverity, type IncidentStatus } from './incidents';
import type { SandboxStatus } from './sandbox';

export const BUNDLE_FORMAT = 'roadside-bundle/1';

export const ESCALATION_CHANNEL_KINDS = ['slack', 'email', 'phone', 'pagerduty'] as const;
export type EscalationChannelKind = (typeof ESCALATION_CHANNEL_KINDS)[number];

export const escalationChannelsSchema = z.object({
  slack: z.string().min(1).max(200),
  email: z.string().min(1).max(200),
  phone: z.string().min(1).max(100),
  pagerduty: z.string().min(1).max(200),
});
export type EscalationChannels = z.infer<typeof escalationChannelsSchema>;

/** From the runbook's "Canales de Comunicación". */
export const DEFAULT_ESCALATION_CHANNELS: EscalationChannels = {
  slack: '#traffic-system-support',
  email: 'support@trafficsystem.com',
  phone: '+1-800-TRAFFIC (24/7)',
  pagerduty: 'PagerDuty integration',
};

/** Where each level goes by default (the engineer may pick another channel). */
export const DEFAULT_CHANNEL_FOR_LEVEL: Record<EscalationLevel, EscalationChannelKind> = {
  L1: 'slack',
  L2: 'slack',
  L3: 'email',
  Emergency: 'pagerduty',
};

/** "emergency", "EMERGENCY", "l2" … as people type them. */
export function parseEscalationLevel(value: string): EscalationLevel | undefined {
  const v = value.trim().toLowerCase();
  return ESCALATION_LEVELS.find((l) => l.toLowerCase() === v);
}

const uuid = z.string().min(8).max(64).regex(/^[\w-]+$/);
const contextName = z.string().min(1).max(253);
const namespaceName = z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a valid namespace name');
const filePath = z.string().min(1).max(4096);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const bundleFile = z.string().min(1).max(1024);

export const logLimitsSchema = z
  .object({
    /** Only lines newer than this many seconds (kubectl logs --since). */
    sinceSeconds: z.number().int().min(1).max(90 * 24 * 3600).optional(),
    /** At most this many lines per container (kubectl logs --tail); absent = all. */
    tailLines: z.number().int().min(1).max(10_000_000).optional(),
    /** Pods whose logs to include; absent = every pod of the namespace. */
    pods: z.array(z.string().min(1).max(253)).max(5000).optional(),
    /** Also the previous container's log where a container restarted. */
    previous: z.boolean().optional(),
  })
  .strict();
export type LogLimits = z.infer<typeof logLimitsSchema>;

export const redactionChoicesSchema = z
  .object({
    customLiterals: z.array(z.string().min(1).max(1000)).max(200).default([]),
    customPatterns: z.array(z.string().min(1).max(1000)).max(100).default([]),
    /** Files the engineer explicitly chose to write unredacted, each with a reason (recorded in redactions.json). */
    exemptions: z.array(z.object({ file: bundleFile, reason: z.string().min(3).max(500) }).strict()).max(100).default([]),
  })
  .strict();
export type RedactionChoices = z.infer<typeof redactionChoicesSchema>;

export const reportInputSchema = z
  .object({
    incidentId: uuid,
    context: contextName.optional(),
    namespace: namespaceName.optional(),
    /** Read the cluster now (objects, logs); false = only what the incident holds. */
    live: z.boolean().default(true),
    level: z.enum(ESCALATION_LEVELS).optional(),
    channel: z.enum(ESCALATION_CHANNEL_KINDS).optional(),
    engineer: z.string().max(200).optional(),
    /** Edited texts; absent = taken from the incident. */
    description: z.string().max(200_000).optional(),
    steps: z.string().max(200_000).optional(),
    impact: z.string().max(200_000).optional(),
    /** sha256 of the incident attachments to include; absent = all text attachments. */
    attachments: z.array(sha256).max(2000).optional(),
    logs: logLimitsSchema.default({}),
    redaction: redactionChoicesSchema.default({ customLiterals: [], customPatterns: [], exemptions: [] }),
  })
  .strict();
export type ReportInput = z.input<typeof reportInputSchema>;
export type ReportRequest = z.output<typeof reportInputSchema>;

export const reportRequests = {
  'report.incidents': z.object({}).strict(),
  'report.draft': z
    .object({
      incidentId: uuid,
      context: contextName.optional(),
      namespace: namespaceName.optional(),
      live: z.boolean().default(true),
    })
    .strict(),
  'report.preview': reportInputSchema,
  'report.render': reportInputSchema,
  'report.build': reportInputSchema.extend({
    out: filePath,
    /** The engineer saw the preview and confirmed; nothing is written without it. */
    confirmed: z.literal(true),
    overwrite: z.boolean().optional(),
  }),
  /** The printable report as PDF (desktop app only: Electron's printToPDF). */
  'report.pdf': reportInputSchema.extend({ out: filePath, overwrite: z.boolean().optional() }),
  'report.channels': z.object({ channels: escalationChannelsSchema.partial().optional() }).strict(),
  'bundle.open': z.object({ path: filePath }).strict(),
  'bundle.read': z.object({ path: filePath, file: bundleFile }).strict(),
  'bundle.replay': z.object({ path: filePath, port: z.number().int().min(1).max(65535).optional() }).strict(),
} as const;

export interface ReportIncidentSummary {
  id: string;
  title: string;
  severity: IncidentSeverity;
  status: IncidentStatus;
  startedAt: string;
  context?: string;
  namespace?: string;
}

export interface TimelineItem {
  at: string;
  kind: string;
  author: string;
  title: string;
  body?: string;
}

export interface ReportAttachmentInfo {
  sha256: string;
  name: string;
  mediaType: string;
  size: number;
  at: string;
  /** Text can be redacted; anything else needs an explicit exemption to be included. */
  text: boolean;
}

export interface PodInfo {
  name: string;
  phase: string;
  containers: string[];
  restarts: number;
}

export interface EnvironmentSummary {
  context: string;
  namespace: string;
  server?: string;
  kubernetesVersion?: string;
  nodes: Array<{ name: string; ready: boolean; roles: string[]; kubelet?: string; os?: string }>;
  workloads: Array<{ kind: string; name: string; replicas?: number; ready?: number; images: string[] }>;
  pods: PodInfo[];
  services: Array<{ name: string; type: string; ports: string[] }>;
  ingresses: Array<{ name: string; hosts: string[]; className?: string }>;
  pvcs: Array<{ name: string; status: string; capacity?: string; storageClass?: string }>;
  configMaps: Array<{ name: string; keys: string[] }>;
  networkPolicies: Array<{ name: string; podSelector: string; policyTypes: string[] }>;
  helmReleases: Array<{ name: string; revision: number; status: string; chart?: string; appVersion?: string; lastDeployed?: string; description?: string }>;
  images: Array<{ image: string; workloads: string[] }>;
  /** Kinds that could not be read (forbidden, …), with why. */
  problems: string[];
}

export interface ReportDraft {
  incident: Incident;
  context?: string;
  namespace: string;
  level: EscalationLevel;
  channel: EscalationChannelKind;
  channels: EscalationChannels;
  engineer: string;
  description: string;
  steps: string;
  impact: string;
  timeline: TimelineItem[];
  findings: Array<{ at: string; checkId: string; status: string; message: string; command?: string }>;
  attachments: ReportAttachmentInfo[];
  environment?: EnvironmentSummary;
  /** Why live collection failed; the bundle is then built from the incident's own data. */
  liveError?: string;
}

export interface PreviewFile {
  path: string;
  kind: 'report' | 'incident' | 'resources' | 'log' | 'attachment' | 'meta';
  /** Bytes before redaction (logs: as fetched). */
  size: number;
  counts: Partial<Record<string, number>>;
  total: number;
  redaction: 'applied' | 'exempted';
  /** The start of the redacted text, with where tokens stand. */
  excerpt: string;
  spans: Array<{ start: number; end: number; rule: string }>;
  truncated: boolean;
}

export interface BundlePreview {
  files: PreviewFile[];
  totals: Partial<Record<string, number>>;
  total: number;
  notes: string[];
  liveError?: string;
  /** Files that will not be written, and why (binary attachments without an exemption …). */
  excluded: Array<{ path: string; reason: string }>;
}

export interface RenderedReport {
  markdown: string;
  html: string;
  /** Short Markdown for a chat message (under 1,500 characters). */
  summary: string;
}

export interface BuildResult {
  path: string;
  size: number;
  sha256: string;
  files: number;
  redactedValues: number;
  notes: string[];
  liveError?: string;
  summary: string;
  durationMs: number;
}

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  createdAt: string;
  roadsideVersion: string;
  context?: string;
  namespace: string;
  incidentId: string;
  incidentTitle: string;
  level: EscalationLevel;
  channel: EscalationChannelKind;
  engineer: string;
  live: boolean;
  liveError?: string;
  files: ManifestFile[];
}

export interface BundleInfo {
  path: string;
  size: number;
  manifest: BundleManifest;
  /** Every file's hash matched the manifest. */
  verified: true;
  reportMarkdown: string;
  redactions: unknown;
}

export interface BundleFileContent {
  file: string;
  size: number;
  text: string;
  truncated: boolean;
}

export interface BundleReplay {
  extractedTo: string;
  sandbox: SandboxStatus;
}

export interface ReportResponses {
  'report.incidents': ReportIncidentSummary[];
  'report.draft': ReportDraft;
  'report.preview': BundlePreview;
  'report.render': RenderedReport;
  'report.build': BuildResult;
  'report.pdf': { path: string; size: number };
  'report.channels': EscalationChannels;
  'bundle.open': BundleInfo;
  'bundle.read': BundleFileContent;
  'bundle.replay': BundleReplay;
}

export type ReportEvent = { type: 'report-progress'; incidentId: string; phase: string; done: number; total: number };
