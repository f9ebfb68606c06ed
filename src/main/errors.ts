import type { ErrorCode, RoadsideErrorShape } from '../shared/result';

/** An error that knows which envelope code it crosses the process boundary with. */
export class RoadsideError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RoadsideError';
  }
}

export function toErrorShape(err: unknown): RoadsideErrorShape {
  if (err instanceof RoadsideError) {
    return { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
