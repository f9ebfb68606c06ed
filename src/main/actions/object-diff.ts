// What the preview shows of an object change: the object YAML before and after (server
// fields that do not describe intent left out, Secret values redacted) and a structured
// diff of the two.
import { formatPatch, structuredPatch } from 'diff';
import { stringify } from 'yaml';
import type { DiffHunk } from '../../shared/actions';
import type { KObj } from './kube-client';

const SERVER_METADATA = ['managedFields', 'resourceVersion', 'generation', 'selfLink'];

/** The object as the engineer reads it in a diff: no status, no server bookkeeping. */
export function pruneForDiff(obj: KObj | undefined): KObj | undefined {
  if (!obj) return undefined;
  const copy = JSON.parse(JSON.stringify(obj)) as KObj;
  delete copy.status;
  for (const key of SERVER_METADATA) delete copy.metadata?.[key];
  const annotations = copy.metadata?.annotations;
  if (annotations) {
    // The last-applied copy repeats the whole object (and a Secret's values).
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
  }
  return copy;
}

const isSecret = (o: KObj | undefined) => o?.kind === 'Secret' && (o.apiVersion === 'v1' || o.apiVersion === undefined);

/**
 * Secret values never leave the core: each becomes a marker, and a value that the change
 * replaces shows as a different marker on each side, so the diff still says which key moves.
 */
export function redactSecretPair(before: KObj | undefined, after: KObj | undefined): [KObj | undefined, KObj | undefined] {
  if (!isSecret(before) && !isSecret(after)) return [before, after];
  const b = before ? (JSON.parse(JSON.stringify(before)) as KObj) : undefined;
  const a = after ? (JSON.parse(JSON.stringify(after)) as KObj) : undefined;
  for (const field of ['data', 'stringData'] as const) {
    const keys = new Set([...Object.keys(b?.[field] ?? {}), ...Object.keys(a?.[field] ?? {})]);
    for (const key of keys) {
      const oldValue = b?.[field]?.[key];
      const newValue = a?.[field]?.[key];
      if (b?.[field] && oldValue !== undefined) b[field][key] = '<redacted>';
      if (a?.[field] && newValue !== undefined) a[field][key] = oldValue === newValue ? '<redacted>' : '<redacted, new value>';
    }
  }
  return [b, a];
}

/** Redacts a single object for a record (the before or after of an action). */
export function redactObject(obj: KObj | undefined): KObj | undefined {
  return redactSecretPair(obj, undefined)[0];
}

export function toYaml(obj: KObj | undefined): string {
  return obj ? stringify(obj, { lineWidth: 0 }) : '';
}

export function objectDiff(label: string, before: KObj | undefined, after: KObj | undefined): { diff: string; hunks: DiffHunk[] } {
  const [b, a] = redactSecretPair(pruneForDiff(before), pruneForDiff(after));
  const patch = structuredPatch(before ? label : '/dev/null', after ? label : '/dev/null', toYaml(b), toYaml(a), before ? 'live' : '', after ? 'after (dry run)' : '', { context: 4 });
  return {
    diff: patch.hunks.length ? formatPatch(patch) : '',
    hunks: patch.hunks.map((h) => ({ oldStart: h.oldStart, oldLines: h.oldLines, newStart: h.newStart, newLines: h.newLines, lines: h.lines })),
  };
}
