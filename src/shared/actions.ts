// Remediation actions: the runbook's "Soluciones" and emergency procedures as safe,
// recorded actions. Shared by the core, the CLI and the UI. Parameters are validated
// with zod where they enter the main side; the schemas live here so the UI can tell
// the engineer what is wrong before sending.
import { z } from 'zod';
import type { LocalizedText } from './checks';

/** Ids the checks reference in Finding.actions (keep exactly). */
export const ACTION_IDS = [
  'rollout-restart:backend',
  'rollout-restart:ml-service',
  'rollout-restart:coredns',
  'rollout-restart:prometheus',
  'scale:ml-service',
  'set-resources:ml-service',
  'expand-pvc',
  'clean-old-files',
  'rotate-jwt-secret',
  'maintenance-on',
  'maintenance-off',
  'emergency-backup',
  'helm-rollback',
  'allow-frontend-to-backend',
  'add-user-to-group',
  'migrate-run-syncdb',
  'profile-backend',
  'profile-ml-service',
] as const;
export type ActionId = (typeof ACTION_IDS)[number];

export function isActionId(value: unknown): value is ActionId {
  return typeof value === 'string' && (ACTION_IDS as readonly string[]).includes(value);
}

/** Kubernetes quantities as the runbook writes them: 4000m, 2, 8Gi, 512Mi. */
const cpuQuantity = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, 'a CPU quantity such as 500m or 2');
const memoryQuantity = z.string().regex(/^\d+(Ki|Mi|Gi|Ti|K|M|G|T)?$/, 'a memory quantity such as 512Mi or 8Gi');
const storageQuantity = z.string().regex(/^\d+(Mi|Gi|Ti)$/, 'a size such as 200Gi');
const objectName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'a Kubernetes object name');
const folder = z.string().min(1).max(4096);
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Parameter schemas per action: every value arrives as a string (CLI --param, UI fields). */
export const actionParamSchemas = {
  'rollout-restart:backend': z.object({}).strict(),
  'rollout-restart:ml-service': z.object({}).strict(),
  'rollout-restart:coredns': z.object({}).strict(),
  'rollout-restart:prometheus': z.object({}).strict(),
  'scale:ml-service': z.object({ replicas: wholeNumber(0, 50).default(5) }).strict(),
  'set-resources:ml-service': z
    .object({
      cpuLimit: cpuQuantity.default('4000m'),
      memoryLimit: memoryQuantity.default('8Gi'),
      cpuRequest: cpuQuantity.default('2000m'),
      memoryRequest: memoryQuantity.default('4Gi'),
    })
    .strict(),
  'expand-pvc': z.object({ pvc: objectName.default('traffic-system-shared-storage'), size: storageQuantity.default('200Gi') }).strict(),
  'clean-old-files': z.object({ scope: z.enum(['logs', 'images', 'both']).default('both') }).strict(),
  'rotate-jwt-secret': z.object({}).strict(),
  'maintenance-on': z.object({}).strict(),
  'maintenance-off': z.object({ replicas: wholeNumber(1, 50).optional() }).strict(),
  'emergency-backup': z.object({ outDir: folder.optional() }).strict(),
  'helm-rollback': z.object({ revision: wholeNumber(1, 1_000_000).optional() }).strict(),
  'allow-frontend-to-backend': z.object({}).strict(),
  'add-user-to-group': z
    .object({
      // Django's username validator: letters, digits and @ . + - _ (max 150).
      username: z.string().regex(/^[\w.@+-]{1,150}$/, 'a Django username (letters, digits, @ . + - _)'),
      group: z
        .string()
        .min(1)
        .max(150)
        .regex(/^[^\x00-\x1f\x7f]+$/, 'a group name without control characters'),
    })
    .strict(),
  'migrate-run-syncdb': z.object({}).strict(),
  'profile-backend': z.object({ outDir: folder.optional() }).strict(),
  'profile-ml-service': z.object({ outDir: folder.optional(), seconds: wholeNumber(5, 600).default(60) }).strict(),
} satisfies Record<ActionId, z.ZodType>;

export type ActionParams<A extends ActionId> = z.output<(typeof actionParamSchemas)[A]>;

export interface ActionParamInfo {
  name: string;
  required: boolean;
  default?: string;
  description: LocalizedText;
}

export interface ActionInfo {
  id: ActionId;
  title: LocalizedText;
  /** The runbook section it comes from. */
  runbook: string;
  /** How it works: object changes previewed by a server-side dry run, or fixed commands run in pods. */
  mode: 'objects' | 'exec' | 'local';
  /** Destructive actions ask the engineer to type the target's name. */
  destructive: boolean | 'depends';
  params: ActionParamInfo[];
}

/** One permission the action needs, as a SelfSubjectAccessReview asked it. */
export interface AccessCheck {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  allowed: boolean;
}

export interface ActionAvailability {
  actionId: ActionId;
  context: string;
  namespace: string;
  allowed: boolean;
  /** Why it is not allowed (read-only mode, a permission the credentials lack). */
  reason?: string;
  code?: 'read-only' | 'forbidden';
  checks: AccessCheck[];
}

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Lines prefixed with ' ', '+' or '-'. */
  lines: string[];
}

/** A change to one object, previewed by the API server (dryRun=All). */
export interface ObjectChange {
  operation: 'patch' | 'create' | 'delete';
  kind: string;
  name: string;
  namespace?: string;
  subresource?: string;
  /** The resourceVersion read at preview time; apply refuses if it moved. */
  resourceVersion?: string;
  /** kubectl equivalent of this change. */
  command: string;
  /** A unified diff of the object YAML (secrets redacted). */
  diff: string;
  hunks: DiffHunk[];
}

/** A fixed command run in a container (exec-based actions). */
export interface PodCommand {
  namespace: string;
  pod: string;
  container: string;
  argv: string[];
  /** As a person would type it with kubectl. */
  command: string;
  /** Where the output is saved, when it is a capture. */
  savesTo?: string;
  /** A read-only look run for the preview (e.g. the files that would go). */
  previewOutput?: string;
}

export interface ActionPlan {
  planId: string;
  /** sha256 of what will be sent; apply must name it. */
  hash: string;
  actionId: ActionId;
  title: LocalizedText;
  context: string;
  namespace: string;
  /** What it acts on, e.g. "deployment/traffic-system-backend -n traffic-system". */
  target: string;
  params: Record<string, string | number>;
  createdAt: string;
  expiresAt: string;
  destructive: boolean;
  /** For destructive plans: the name the engineer must type to confirm. */
  confirmWord?: string;
  changes: ObjectChange[];
  commands: PodCommand[];
  /** Files written on this machine (backups, captures). */
  localFiles: string[];
  /** Commands run on this machine (helm) or their kubectl equivalents for local work. */
  localCommands: string[];
  /** Set when the app cannot run it here: the exact command to run by hand. */
  manual?: { reason: string; command: string };
  notes: LocalizedText[];
}

export type ActionOutcomeResult = 'succeeded' | 'failed';

export interface ActionOutcome {
  planId: string;
  actionId: ActionId;
  context: string;
  namespace: string;
  target: string;
  result: ActionOutcomeResult;
  /** One line for people. */
  message: string;
  startedAt: string;
  finishedAt: string;
  user: string;
  before: unknown;
  after: unknown;
  /** Output of the commands run in pods (redacted, capped). */
  outputs: Array<{ pod: string; command: string; exitCode: number | null; text: string }>;
  files: string[];
  error?: string;
  /** The active incident it was recorded to. */
  incidentId?: string;
  incidentEntryId?: number;
}

/** One line of the local action log (JSONL in the data folder). */
export interface ActionLogRecord {
  at: string;
  user: string;
  host: string;
  planId: string;
  actionId: ActionId;
  context: string;
  namespace: string;
  target: string;
  params: Record<string, string | number>;
  result: ActionOutcomeResult;
  message: string;
  before: unknown;
  after: unknown;
  commands: string[];
  files: string[];
  error?: string;
  incidentId?: string;
}
