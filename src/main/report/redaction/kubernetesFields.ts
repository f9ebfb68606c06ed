import { isUtf8 } from 'node:buffer';
import { classifyKeyName, isNonSecretValue } from './keyNames';
import type { RedactionRule } from './types';

/**
 * Where a field sits: the kind of the Kubernetes object around it (if any) and the
 * path of map keys from that object's root (array positions are not recorded).
 */
export interface FieldContext {
  kind?: string;
  path: string[];
}

export type ScalarPolicy =
  | { action: 'hide'; rule: RedactionRule; base64?: boolean; evenIfEmpty?: boolean }
  | { action: 'scan' };

const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const KUBECONFIG_CREDENTIAL_FIELDS = new Set(['token', 'client-key-data', 'client-certificate-data', 'password']);

export const ROOT_CONTEXT: FieldContext = { path: [] };

/** A map with string `apiVersion` and `kind` starts a new object; items of a `FooList` are `Foo`s. */
export function contextForMap(parent: FieldContext, own: { apiVersion?: unknown; kind?: unknown }, listItemOf?: string): FieldContext {
  if (typeof own.kind === 'string' && typeof own.apiVersion === 'string') return { kind: own.kind, path: [] };
  if (listItemOf) return { kind: typeof own.kind === 'string' ? own.kind : listItemOf, path: [] };
  return parent;
}

export function childContext(ctx: FieldContext, key: string): FieldContext {
  return { kind: ctx.kind, path: [...ctx.path, key] };
}

/** For the `items` of a `SecretList` (or `List`), the kind each item has when it doesn't say. */
export function listItemKind(ctx: FieldContext, key: string): string | undefined {
  if (key !== 'items' || ctx.path.length !== 0 || !ctx.kind || !ctx.kind.endsWith('List')) return undefined;
  return ctx.kind === 'List' ? 'Unknown' : ctx.kind.slice(0, -'List'.length);
}

/**
 * How to treat a scalar found under `key` in a map at `ctx`. `name` is the map's own
 * `name` field when it is a string: an env entry `{name: DJANGO_SECRET_KEY, value: ...}`
 * hides `value` because of the name.
 */
export function policyForField(ctx: FieldContext, key: string, name: string | undefined): ScalarPolicy {
  const p = ctx.path;
  if (key === LAST_APPLIED_ANNOTATION) return { action: 'hide', rule: 'last-applied-configuration' };
  if (ctx.kind === 'Secret' && p.length === 1 && p[0] === 'data') return { action: 'hide', rule: 'secret-data', base64: true, evenIfEmpty: true };
  if (ctx.kind === 'Secret' && p.length === 1 && p[0] === 'stringData') return { action: 'hide', rule: 'secret-data', evenIfEmpty: true };
  if (p[0] === 'metadata' && (p[1] === 'labels' || p[1] === 'managedFields' || p[1] === 'ownerReferences')) return { action: 'scan' };
  if (ctx.kind === 'ConfigMap' && p.length === 1 && (p[0] === 'data' || p[0] === 'binaryData')) {
    const rule = classifyKeyName(key, { bareKeyIsSensitive: true });
    return rule ? { action: 'hide', rule } : { action: 'scan' };
  }
  if (key === 'value' && name !== undefined) {
    const rule = classifyKeyName(name, { bareKeyIsSensitive: true });
    if (rule) return { action: 'hide', rule };
  }
  if (ctx.kind === 'Config' && KUBECONFIG_CREDENTIAL_FIELDS.has(key)) return { action: 'hide', rule: 'kubeconfig' };
  const rule = classifyKeyName(key);
  return rule ? { action: 'hide', rule } : { action: 'scan' };
}

/** Whether a hide policy applies to this scalar (booleans, nulls and placeholders stay). */
export function shouldHide(policy: Extract<ScalarPolicy, { action: 'hide' }>, value: unknown): boolean {
  // A number under `password`/`pin` may be the password; under `maxTokens`/`tokenBudget` it is a quantity.
  if (typeof value === 'number' || typeof value === 'bigint') return policy.rule !== 'credential';
  if (typeof value !== 'string') return false;
  if (policy.evenIfEmpty) return true;
  return !isNonSecretValue(value);
}

/** Secret `data` is base64: the token is derived from the decoded value so it matches the same password seen in plain text. */
export function valueForToken(policy: Extract<ScalarPolicy, { action: 'hide' }>, value: unknown): string {
  const s = String(value);
  if (policy.base64 && s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    const decoded = Buffer.from(s, 'base64');
    if (isUtf8(decoded)) return decoded.toString('utf8');
  }
  return s;
}
