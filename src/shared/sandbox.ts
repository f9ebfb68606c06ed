export interface ScenarioInfo {
  name: string;
  title: { es: string; en: string };
  description: { es: string; en: string };
  base?: string;
}

export interface SandboxStatus {
  running: boolean;
  /** Whether this Roadside process serves it, or another (e.g. `roadside sandbox start` in a terminal). */
  owner?: 'this-process' | 'other-process';
  pid?: number;
  scenario?: string;
  /** Scenario name or snapshot folder. */
  source?: string;
  url?: string;
  context?: string;
  kubeconfig?: string;
  startedAt?: string;
  /** Snapshot files that could not be read (the rest is served). */
  skipped: Array<{ file: string; line?: number; reason: string }>;
}
