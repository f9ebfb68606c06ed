import type { SshErrorCode, SshHostKeyInfo } from '../../shared/ssh';

/** Why an SSH step failed, with a code the CLI and the UI act on. */
export class SshError extends Error {
  override name = 'SshError';
  constructor(
    readonly code: SshErrorCode,
    message: string,
    readonly hostKey?: SshHostKeyInfo,
    /** The key blob of an unknown host key, so that it can be trusted once the engineer checked it. */
    readonly keyBlob?: Buffer,
  ) {
    super(message);
  }
}

export function isSshError(err: unknown): err is SshError {
  return err instanceof SshError;
}
