// SSH access per context: an optional bastion through which the API server is reached, and
// node access for the node checks. Remembered per context in the data folder, never in kubeconfig.

export interface SshHostSettings {
  host: string;
  port: number;
  user: string;
}

export interface SshNodeAccess {
  user: string;
  port: number;
  /**
   * Node name → "host" or "host:port". Nodes absent here are reached at their InternalIP,
   * except in the sandbox, where only addresses given here are dialled.
   */
  addresses: Record<string, string>;
}

export interface SshContextSettings {
  /** The API server is reached through this host (every API call of the context). */
  bastion?: SshHostSettings;
  /** Set: the node checks join the run (through the bastion when one is set). */
  nodes?: SshNodeAccess;
  /** A private key file; absent: ssh-agent only (SSH_AUTH_SOCK). */
  keyFile?: string;
}

export const SSH_DEFAULT_PORT = 22;

export type SshErrorCode =
  | 'connect-failed'
  | 'connect-timeout'
  | 'unknown-host-key'
  | 'changed-host-key'
  | 'revoked-host-key'
  | 'auth-failed'
  | 'auth-timeout'
  | 'passphrase-needed'
  | 'key-unreadable'
  | 'dropped'
  | 'command-timeout'
  | 'not-configured'
  | 'protocol';

/** A host key the engineer is asked about (unknown) or warned about (changed). */
export interface SshHostKeyInfo {
  host: string;
  port: number;
  keyType: string;
  /** "SHA256:…" as OpenSSH prints it. */
  fingerprint: string;
  /** For a changed key: the fingerprints known for this host. */
  knownFingerprints?: string[];
}

export type SshTestStepKind = 'bastion-reachable' | 'bastion-auth' | 'api-through-tunnel' | 'node';

export interface SshTestStep {
  kind: SshTestStepKind;
  /** "bastion user@host:port", a node name … */
  target: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
  code?: SshErrorCode;
  hostKey?: SshHostKeyInfo;
}

export interface SshTestReport {
  context: string;
  steps: SshTestStep[];
  /** Nothing failed (skipped steps are fine). */
  ok: boolean;
}

/** Parses "host", "host:port" or "[v6]:port". */
export function parseHostPort(value: string, defaultPort = SSH_DEFAULT_PORT): { host: string; port: number } | undefined {
  const text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return withPort(bracketed[1], bracketed[2], defaultPort);
  const parts = text.split(':');
  if (parts.length === 1) return withPort(parts[0], undefined, defaultPort);
  if (parts.length === 2) return withPort(parts[0], parts[1], defaultPort);
  return withPort(text, undefined, defaultPort); // a bare IPv6 address
}

function withPort(host: string, port: string | undefined, defaultPort: number) {
  if (!host || /[\s/@]/.test(host)) return undefined;
  const n = port === undefined ? defaultPort : Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) return undefined;
  return { host, port: n };
}

/** Parses "user@host[:port]" (the CLI's --bastion). */
export function parseUserHostPort(value: string, defaultPort = SSH_DEFAULT_PORT): SshHostSettings | undefined {
  const at = value.lastIndexOf('@');
  if (at < 1) return undefined;
  const user = value.slice(0, at);
  if (/[\s:@]/.test(user)) return undefined;
  const hp = parseHostPort(value.slice(at + 1), defaultPort);
  return hp ? { user, ...hp } : undefined;
}
