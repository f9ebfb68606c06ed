export type ReachabilityStatus =
  | 'ok'
  | 'unauthorized'
  | 'forbidden'
  | 'tls-error'
  | 'timeout'
  | 'refused'
  | 'dns-failure'
  | 'exec-plugin-failure'
  | 'error';

export interface Reachability {
  status: ReachabilityStatus;
  /** Server gitVersion when status is ok. */
  serverVersion?: string;
  /** Human-readable reason, e.g. "certificate signed by unknown authority". */
  detail?: string;
  /** More precise TLS classification when status is tls-error. */
  tlsReason?: 'unknown-authority' | 'expired' | 'hostname-mismatch' | 'other';
  latencyMs: number;
  checkedAt: string;
}

export interface ContextInfo {
  name: string;
  cluster: string;
  server: string;
  user: string;
  /** Namespace named by the context, if any. */
  namespace?: string;
  /** The kubeconfig file that defined the context. */
  sourceFile: string;
  /** True when it is the current-context of the merged kubeconfig. */
  isCurrent: boolean;
  /** How the user authenticates, for display (token, client-cert, exec:<cmd>, oidc, basic, none). */
  auth: string;
  /** A context provided by Roadside itself (the sandbox). */
  builtin?: boolean;
}

export interface KubeconfigProblem {
  file: string;
  /** 'warning' for what kubectl silently tolerates (a missing file in KUBECONFIG). */
  severity: 'error' | 'warning';
  /** The context, cluster or user concerned, when the problem is not the whole file. */
  entry?: string;
  reason: string;
}

export interface ContextList {
  contexts: ContextInfo[];
  problems: KubeconfigProblem[];
  /** Files read, in merge order. */
  files: string[];
  /** Context and namespace the engineer chose in Roadside (never written to kubeconfig). */
  selected: { context?: string; namespace: string };
}

export const DEFAULT_NAMESPACE = 'traffic-system';
