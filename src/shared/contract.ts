// The RoadsideApi contract: every request the UI may make, its payload schema
// (validated where it enters the main side: the renderer is untrusted), its
// response type, and the events the main side pushes.
import { z } from 'zod';
import { SECTIONS, type CheckInfo, type CheckProgress, type DiagnoseResult } from './checks';
import type { ContextList, Reachability } from './kube';
import type { SandboxStatus, ScenarioInfo } from './sandbox';
import type { Result } from './result';
import { incidentRequests, type IncidentEvent, type IncidentResponses } from './contract-incidents';
import { escalationChannelsSchema, reportRequests, type ReportEvent, type ReportResponses } from './contract-report';
import { sshRequests, type SshResponses } from './contract-ssh';
import { observeRequests, type ObserveResponses } from './contract-observe';
import { actionRequests, type ActionEvent, type ActionResponses } from './contract-actions';

const contextName = z.string().min(1).max(253);
const namespaceName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a valid namespace name');
const filePath = z.string().min(1).max(4096);

export const languageSchema = z.enum(['system', 'es', 'en']);
export const themeSchema = z.enum(['system', 'light', 'dark']);

export const settingsSchema = z.object({
  language: languageSchema,
  theme: themeSchema,
  readOnly: z.boolean(),
  extraKubeconfigs: z.array(filePath).max(100),
  selectedContext: contextName.optional(),
  selectedNamespace: namespaceName.optional(),
  probeTimeoutMs: z.number().int().min(200).max(60_000),
  /** Escalation channels (runbook defaults in contract-report.ts when absent). */
  escalationChannels: escalationChannelsSchema.optional(),
  /** The incident notes, runs and actions go to; kept so a restart of the app does not lose it. */
  activeIncidentId: z.string().min(1).max(64).optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  language: 'system',
  theme: 'system',
  readOnly: false,
  extraKubeconfigs: [],
  probeTimeoutMs: 3000,
};

export const requestSchemas = {
  'app.info': z.object({}).strict(),
  'settings.get': z.object({}).strict(),
  'settings.update': settingsSchema
    .pick({ language: true, theme: true, readOnly: true, probeTimeoutMs: true })
    .partial()
    .strict(),
  'contexts.list': z.object({}).strict(),
  'contexts.probe': z
    .object({
      contexts: z.array(contextName).max(500).optional(),
      timeoutMs: z.number().int().min(200).max(60_000).optional(),
    })
    .strict(),
  'contexts.select': z.object({ context: contextName, namespace: namespaceName.optional() }).strict(),
  'namespaces.list': z.object({ context: contextName.optional() }).strict(),
  'kubeconfig.add': z.object({ path: filePath }).strict(),
  'kubeconfig.remove': z.object({ path: filePath }).strict(),
  'checks.list': z.object({}).strict(),
  'diagnose.run': z
    .object({
      /** Chosen by the UI so that it can cancel the run and match progress events. */
      runId: z.string().min(8).max(64).regex(/^[\w-]+$/),
      context: contextName.optional(),
      namespace: namespaceName.optional(),
      sections: z.array(z.enum(SECTIONS)).max(SECTIONS.length).optional(),
      checks: z.array(z.string().regex(/^[a-z]+\.[a-z0-9-]+$/)).max(100).optional(),
      params: z.record(z.string().regex(/^[a-zA-Z][\w-]{0,40}$/), z.string().max(200)).optional(),
      concurrency: z.number().int().min(1).max(32).optional(),
      timeoutMs: z.number().int().min(500).max(300_000).optional(),
      /** Record the run to this incident (else to the active one, if any). */
      incidentId: z.string().min(1).max(64).optional(),
    })
    .strict(),
  'diagnose.cancel': z.object({ runId: z.string().min(8).max(64) }).strict(),
  'sandbox.scenarios': z.object({}).strict(),
  'sandbox.status': z.object({}).strict(),
  'sandbox.start': z
    .object({
      scenario: z.string().regex(/^[a-z0-9-]+$/, 'scenario names are lowercase letters, digits and dashes').max(63).optional(),
      dir: filePath.optional(),
      port: z.number().int().min(1).max(65535).optional(),
    })
    .strict(),
  'sandbox.stop': z.object({}).strict(),
  ...incidentRequests,
  ...reportRequests,
  ...sshRequests,
  ...observeRequests,
  ...actionRequests,
} as const;

export type Channel = keyof typeof requestSchemas;
/** What a caller sends (fields with defaults may be left out). */
export type RequestOf<C extends Channel> = z.input<(typeof requestSchemas)[C]>;
/** What a handler receives: the request after validation, defaults filled in. */
export type ParsedRequestOf<C extends Channel> = z.output<(typeof requestSchemas)[C]>;

export interface AppInfo {
  version: string;
  dataDir: string;
  platform: string;
  door: 'electron' | 'browser' | 'cli';
  /** Locale reported by the operating system, e.g. "es-ES". */
  systemLocale: string;
}

export interface NamespaceList {
  context: string;
  namespaces: string[];
  /** Set when the list could not be read; the UI still offers the default namespace. */
  error?: string;
}

export interface ResponseMap extends IncidentResponses, ReportResponses, ObserveResponses, ActionResponses, SshResponses {
  'app.info': AppInfo;
  'settings.get': Settings;
  'settings.update': Settings;
  'contexts.list': ContextList;
  'contexts.probe': Record<string, Reachability>;
  'contexts.select': ContextList['selected'];
  'namespaces.list': NamespaceList;
  'kubeconfig.add': ContextList;
  'kubeconfig.remove': ContextList;
  'checks.list': CheckInfo[];
  'diagnose.run': DiagnoseResult;
  'diagnose.cancel': { cancelled: boolean };
  'sandbox.scenarios': ScenarioInfo[];
  'sandbox.status': SandboxStatus;
  'sandbox.start': SandboxStatus;
  'sandbox.stop': SandboxStatus;
}

export type ResponseOf<C extends Channel> = ResponseMap[C];

/** Events the main side pushes to every open UI. */
export type RoadsideEvent =
  | { type: 'reachability'; context: string; reachability: Reachability }
  | { type: 'contexts-changed' }
  | { type: 'settings-changed'; settings: Settings }
  | { type: 'diagnose-progress'; progress: CheckProgress }
  | { type: 'sandbox-changed'; status: SandboxStatus }
  | IncidentEvent
  | ReportEvent
  | ActionEvent;

/** What the renderer sees: the preload bridge in Electron, an HTTP client in the browser. */
export interface RoadsideApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  onEvent(listener: (event: RoadsideEvent) => void): () => void;
}

/** The single IPC channel names, shared by preload and main. */
export const IPC_INVOKE = 'roadside:invoke';
export const IPC_EVENT = 'roadside:event';

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, name);
}
