// Label and field selectors with the grammar of the Kubernetes API
// (k8s.io/apimachinery/pkg/labels and pkg/fields).
import type { KubeObject } from './snapshot-types';

export type LabelRequirement =
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export class SelectorError extends Error {}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${selector}"`);
  return key;
}

export function parseLabelSelector(selector: string | undefined | null): LabelRequirement[] {
  if (!selector) return [];
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(selector)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
      const values = m[3].split(',').map((v) => v.trim()).filter((v) => v.length > 0);
      requirements.push({ key: checkKey(m[1], selector), op: m[2] as 'in' | 'notin', values });
    } else if ((m = part.match(/^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      const key = checkKey(m[1], selector);
      requirements.push({ key, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] });
    } else if ((m = part.match(/^([^=!<>\s]+)\s*([<>])\s*(-?\d+)$/))) {
      requirements.push({ key: checkKey(m[1], selector), op: m[2] === '>' ? 'gt' : 'lt', value: Number(m[3]) });
    } else if ((m = part.match(/^!\s*([^=!<>\s]+)$/))) {
      requirements.push({ key: checkKey(m[1], selector), op: 'notexists' });
    } else if ((m = part.match(/^([^=!<>\s()]+)$/))) {
      requirements.push({ key: checkKey(m[1], selector), op: 'exists' });
    } else {
      throw new SelectorError(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }
  return requirements;
}

export function matchesLabels(labels: Record<string, string> | undefined, requirements: LabelRequirement[]): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      case 'gt':
        return has && Number(l[r.key]) > r.value;
      case 'lt':
        return has && Number(l[r.key]) < r.value;
    }
  });
}

/** A `spec.selector` of a workload (matchLabels/matchExpressions) or a Service's plain map. */
export function requirementsFromLabelSelector(selector: unknown): LabelRequirement[] {
  if (!selector || typeof selector !== 'object') return [];
  const s = selector as { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
  if (!('matchLabels' in s) && !('matchExpressions' in s)) {
    return Object.entries(selector as Record<string, string>).map(([key, value]) => ({ key, op: 'in' as const, values: [String(value)] }));
  }
  const reqs: LabelRequirement[] = Object.entries(s.matchLabels ?? {}).map(([key, value]) => ({ key, op: 'in' as const, values: [value] }));
  for (const e of s.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') reqs.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists') reqs.push({ key: e.key, op: 'exists' });
    else if (op === 'doesnotexist') reqs.push({ key: e.key, op: 'notexists' });
  }
  return reqs;
}

/** The string form kubectl and the Scale subresource use: `app=web,tier in (a,b)`. */
export function formatLabelSelector(selector: unknown): string {
  return requirementsFromLabelSelector(selector)
    .map((r) => {
      switch (r.op) {
        case 'exists':
          return r.key;
        case 'notexists':
          return `!${r.key}`;
        case 'in':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
        case 'notin':
          return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`;
        case 'gt':
          return `${r.key}>${r.value}`;
        case 'lt':
          return `${r.key}<${r.value}`;
      }
    })
    .join(',');
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

export function parseFieldSelector(selector: string | undefined | null): FieldRequirement[] {
  if (!selector) return [];
  return selector
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((part) => {
      const m = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
      if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
      return { field: m[1].trim(), value: m[3].trim(), negate: m[2] === '!=' };
    });
}

function fieldValue(obj: KubeObject, field: string): string {
  let value: unknown = obj;
  for (const segment of field.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[segment];
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function matchesFields(obj: KubeObject, requirements: FieldRequirement[]): boolean {
  return requirements.every((r) => {
    let actual = fieldValue(obj, r.field);
    // Events written by hand often leave out the uid of the object they are about; a uid
    // condition only excludes events that name a different object.
    if (r.field === 'involvedObject.uid' && actual === '') actual = r.value;
    return r.negate ? actual !== r.value : actual === r.value;
  });
}
