// Results cross every process boundary as envelopes, never as thrown errors:
// a thrown error loses its type over IPC and HTTP, a code does not.

export type ErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'forbidden'
  | 'unauthorized'
  | 'unreachable'
  | 'timeout'
  | 'conflict'
  | 'read-only'
  | 'too-large'
  | 'cancelled'
  | 'corrupt-database'
  | 'newer-version'
  | 'internal';

export interface RoadsideErrorShape {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: RoadsideErrorShape };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, details?: unknown): Result<never> {
  return { ok: false, error: { code, message, ...(details === undefined ? {} : { details }) } };
}
