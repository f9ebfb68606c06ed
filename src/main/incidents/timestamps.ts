import type { TimeInput } from '../../shared/incidents';
import { InvalidIncidentInputError } from './errors';

// A time string must say its zone: "2024-05-01T10:00:00" alone would mean a
// different instant on the colleague's machine that imports the incident.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch milliseconds (UTC) for a caller's time; refuses zone-less or impossible times. */
export function toEpochMs(input: TimeInput, field: string): number {
  let ms: number;
  if (input instanceof Date) ms = input.getTime();
  else if (typeof input === 'number') ms = input;
  else if (typeof input === 'string' && ISO_WITH_ZONE.test(input.trim())) ms = Date.parse(input.trim());
  else {
    throw new InvalidIncidentInputError(
      `${field} must be an ISO 8601 time with a zone (e.g. 2024-05-01T10:00:00Z), a Date or epoch milliseconds`,
      { field, value: String(input).slice(0, 100) },
    );
  }
  if (!Number.isFinite(ms) || ms < -62135596800000 || ms > 253402300799999) {
    throw new InvalidIncidentInputError(`${field} is not a valid time`, { field, value: String(input).slice(0, 100) });
  }
  return Math.trunc(ms);
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toIsoOrUndefined(ms: number | null | undefined): string | undefined {
  return ms === null || ms === undefined ? undefined : new Date(ms).toISOString();
}
