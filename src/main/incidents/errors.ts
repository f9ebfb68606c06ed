import { RoadsideError } from '../errors';
import type { ErrorCode } from '../../shared/result';

/** Why the incident store refused something; finer than the envelope code. */
export type IncidentStoreReason =
  | 'invalid-input'
  | 'not-found'
  | 'too-large'
  | 'invalid-transition'
  | 'already-imported'
  | 'unsupported-format'
  | 'newer-database'
  | 'corrupt-database'
  | 'attachment-missing'
  | 'attachment-corrupt';

export class IncidentStoreError extends RoadsideError {
  constructor(
    code: ErrorCode,
    readonly reason: IncidentStoreReason,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, { reason, ...details });
    this.name = 'IncidentStoreError';
  }
}

export class InvalidIncidentInputError extends IncidentStoreError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid-input', 'invalid-input', message, details);
    this.name = 'InvalidIncidentInputError';
  }
}

export class IncidentNotFoundError extends IncidentStoreError {
  constructor(what: string, id: string | number) {
    super('not-found', 'not-found', `${what} ${id} not found`, { what, id });
    this.name = 'IncidentNotFoundError';
  }
}

export class TooLargeError extends IncidentStoreError {
  constructor(
    what: string,
    readonly size: number,
    readonly limit: number,
    unit: 'bytes' | 'characters' | 'entries' = 'bytes',
  ) {
    super('too-large', 'too-large', `${what} is ${formatAmount(size, unit)}; the limit is ${formatAmount(limit, unit)}`, {
      what,
      size,
      limit,
      unit,
    });
    this.name = 'TooLargeError';
  }
}

export class InvalidTransitionError extends IncidentStoreError {
  constructor(from: string, to: string) {
    super('conflict', 'invalid-transition', `An incident that is ${from} cannot become ${to}`, { from, to });
    this.name = 'InvalidTransitionError';
  }
}

export class ImportRefusedError extends IncidentStoreError {
  constructor(reason: 'unsupported-format' | 'invalid-input' | 'already-imported' | 'too-large', message: string, details?: Record<string, unknown>) {
    super(reason === 'already-imported' ? 'conflict' : reason === 'too-large' ? 'too-large' : 'invalid-input', reason, message, details);
    this.name = 'ImportRefusedError';
  }
}

/** The database was written by a newer Roadside; it is left exactly as it is. */
export class NewerDatabaseError extends IncidentStoreError {
  constructor(
    readonly path: string,
    readonly fileVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      'newer-version',
      'newer-database',
      `${path} was written by a newer Roadside (schema version ${fileVersion}; this one knows up to ${supportedVersion}). ` +
        'It was not changed. Update Roadside to open it.',
      { path, fileVersion, supportedVersion },
    );
    this.name = 'NewerDatabaseError';
  }
}

/**
 * The database file cannot be read as SQLite, or SQLite finds it damaged. By default
 * nothing is touched; opening with `onCorrupt: 'start-fresh'` sets the file aside
 * as `<name>.corrupt-<timestamp>` and starts an empty one.
 */
export class CorruptDatabaseError extends IncidentStoreError {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(
      'corrupt-database',
      'corrupt-database',
      `The incident database ${path} is damaged or not a database (${detail}). It was left untouched. ` +
        "Open with onCorrupt: 'start-fresh' to set it aside and start an empty one.",
      { path, detail },
    );
    this.name = 'CorruptDatabaseError';
  }
}

export class AttachmentUnavailableError extends IncidentStoreError {
  constructor(reason: 'attachment-missing' | 'attachment-corrupt', sha256: string, detail: string) {
    super(reason === 'attachment-missing' ? 'not-found' : 'internal', reason, `Attachment ${sha256}: ${detail}`, { sha256 });
    this.name = 'AttachmentUnavailableError';
  }
}

function formatAmount(n: number, unit: string): string {
  if (unit !== 'bytes') return `${n} ${unit}`;
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB (${n} bytes)`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
