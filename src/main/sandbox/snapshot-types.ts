// The in-memory form of a snapshot folder (see docs/scenario-format.md).
// Produced by snapshot.ts (loader) and consumed by the sandbox API server.
import type { PolicyRule } from '../kube/rbac-rules';

export type { PolicyRule };

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    resourceVersion?: string;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface LogFile {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  /** Lines as stored, each starting with an RFC3339 timestamp (already time-shifted). */
  lines: string[];
}

export interface ExecReply {
  namespace?: string;
  pod: string;
  container?: string;
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  delayMs: number;
}

export interface HttpReply {
  namespace?: string;
  service?: string;
  pod?: string;
  port: number;
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  delayMs: number;
  /** Close the connection without an answer, as when nothing listens on the port. */
  reset?: boolean;
}

export interface SandboxUser {
  name: string;
  token: string;
  rules: PolicyRule[];
}

export interface PodMetrics {
  namespace: string;
  pod: string; // name or glob
  containers: Record<string, { cpu: string; memory: string }>;
}

export interface NodeMetrics {
  node: string;
  cpu: string;
  memory: string;
}

export interface VolumeUsage {
  namespace: string;
  pvc: string;
  usedBytes: number;
  capacityBytes: number;
}

export interface ScenarioExpectation {
  check: string;
  status: 'pass' | 'warn' | 'fail' | 'error' | 'skipped';
}

export interface Scenario {
  name: string;
  title: { es: string; en: string };
  description?: { es: string; en: string };
  /** Overlay scenarios: the scenario (folder name or path) this one changes. */
  base?: string;
  capturedAt?: string;
  latencyMs: number;
  /** Empty: one user with full access and a generated token. */
  users: SandboxUser[];
  exec: ExecReply[];
  http: HttpReply[];
  metrics: { pods: PodMetrics[]; nodes: NodeMetrics[] };
  volumes: VolumeUsage[];
  expect: ScenarioExpectation[];
}

export interface SkippedFile {
  file: string;
  line?: number;
  reason: string;
}

export interface Snapshot {
  /** Folder it was read from (or the scenario name for built-ins). */
  source: string;
  objects: KubeObject[];
  logs: LogFile[];
  scenario: Scenario;
  /** Files that could not be read; the rest still loads. */
  skipped: SkippedFile[];
}
