// What the CLI's --bastion/--ssh-*/--node* flags say for this process. They override what the
// app remembers for the context being diagnosed or tested; nothing here is ever saved.
import type { SshHostSettings } from '../../shared/ssh';

export interface SshOverrides {
  bastion?: SshHostSettings;
  keyFile?: string;
  /** The node user (--ssh-user). */
  nodeUser?: string;
  /** --node-address NAME=HOST[:PORT]. */
  nodeAddresses?: Record<string, string>;
  /** --node NAME: only these nodes. */
  nodes?: string[];
}

export interface SshProcessOptions {
  overrides?: SshOverrides;
  /** --accept-new-host-key: an unknown host key is accepted and saved to Roadside's known_hosts. */
  acceptNewHostKeys?: boolean;
  /** Asks for a key passphrase (the CLI on a terminal); never remembered. */
  passphrasePrompt?: (keyFile: string) => Promise<string | undefined>;
}

let current: SshProcessOptions = {};

export function setProcessSshOptions(options: SshProcessOptions): void {
  current = options;
}

export function processSshOptions(): SshProcessOptions {
  return current;
}
