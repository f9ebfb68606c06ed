// Checks and findings: the shape every runbook diagnosis returns, shared by the
// engine, the CLI's --json, the UI and the report.

export const SECTIONS = ['connectivity', 'database', 'performance', 'storage', 'auth', 'network', 'monitoring', 'cluster'] as const;
export type Section = (typeof SECTIONS)[number];

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'error' | 'skipped';
export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface LocalizedText {
  es: string;
  en: string;
}

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export type Evidence =
  | { kind: 'object'; label: string; ref: ObjectRef; fields?: Record<string, string | number | boolean | null> }
  | { kind: 'log'; label: string; ref: ObjectRef; container?: string; lines: string[] }
  | { kind: 'output'; label: string; command: string; text: string; exitCode?: number }
  | { kind: 'metric'; label: string; ref?: ObjectRef; value: number; unit: string; limit?: number };

export interface Remediation {
  /** What to do, in the runbook's words. */
  text: LocalizedText;
  /** The command a person would run. */
  command?: string;
  /** An action id the app can run (with its preview and confirmation). */
  action?: string;
}

export interface Finding {
  check: string;
  section: Section;
  status: CheckStatus;
  /** One-line verdict. */
  message: string;
  evidence: Evidence[];
  /** The kubectl command that shows the same thing; people paste it into tickets. */
  kubectl: string[];
  remediation: Remediation[];
  /** Action ids offered for this finding. */
  actions: string[];
  /** Runbook section heading this comes from. */
  runbook?: string;
  durationMs?: number;
}

export interface CheckInfo {
  id: string;
  section: Section;
  title: LocalizedText;
  runbook: string;
  severity: Severity;
  /** Opt-in checks (they create objects) run only when asked for by id. */
  optIn?: boolean;
  /** Parameters the check accepts (e.g. a username). */
  params?: string[];
}

export interface FindingSummary {
  pass: number;
  warn: number;
  fail: number;
  error: number;
  skipped: number;
}

export interface HealthScore {
  /** 0–100: share of checks passing, weighted by severity; null when nothing ran. */
  overall: number | null;
  sections: Partial<Record<Section, number | null>>;
}

export interface DiagnoseResult {
  context: string;
  namespace: string;
  startedAt: string;
  durationMs: number;
  /** API requests the run made. */
  requests: number;
  summary: FindingSummary;
  score: HealthScore;
  findings: Finding[];
  /** Set when the cluster could not be reached or refused the credentials. */
  unreachable?: string;
  cancelled?: boolean;
}

export interface CheckProgress {
  runId: string;
  done: number;
  total: number;
  check?: string;
  status?: CheckStatus;
}
