import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node as YamlNode, type Scalar, type YAMLMap } from 'yaml';
import {
  ROOT_CONTEXT,
  childContext,
  contextForMap,
  listItemKind,
  policyForField,
  shouldHide,
  valueForToken,
  type FieldContext,
  type ScalarPolicy,
} from './kubernetesFields';
import type { RedactionRule } from './types';

/** What the structured walkers need from the redactor; each call counts what it hides. */
export interface ScalarRedaction {
  hide(rule: RedactionRule, value: string): string;
  /** Text rules over a string value (may span lines). */
  scanText(text: string): string;
}

type HidePolicy = Extract<ScalarPolicy, { action: 'hide' }>;

/** Redact a parsed value (Kubernetes object, List, kubeconfig, incident JSON); returns a new value. */
export function redactStructuredValue(
  value: unknown,
  r: ScalarRedaction,
  ctx: FieldContext = ROOT_CONTEXT,
  listItemOf?: string,
  policy: ScalarPolicy = { action: 'scan' },
): unknown {
  if (Array.isArray(value)) return value.map((v) => redactStructuredValue(v, r, ctx, listItemOf, policy));
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const obj = value as Record<string, unknown>;
    const here = contextForMap(ctx, obj, listItemOf);
    const name = typeof obj.name === 'string' ? obj.name : undefined;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(obj)) {
      const fieldPolicy = policyForField(here, key, name);
      if (v !== null && typeof v === 'object') {
        out[key] = redactStructuredValue(v, r, childContext(here, key), listItemKind(here, key), fieldPolicy);
        continue;
      }
      out[key] = redactScalar(v, fieldPolicy, r);
    }
    return out;
  }
  return redactScalar(value, policy, r);
}

function redactScalar(v: unknown, policy: ScalarPolicy, r: ScalarRedaction): unknown {
  if (policy.action === 'hide') return shouldHide(policy, v) ? r.hide(policy.rule, valueForToken(policy, v)) : v;
  return typeof v === 'string' ? r.scanText(v) : v;
}

interface Replacement {
  start: number;
  end: number;
  text: string;
}

/**
 * Redact YAML or JSON source text (multi-document allowed), changing only the scalars that
 * hold something to hide, so everything else stays byte for byte. Returns null when the
 * source doesn't parse; the caller then falls back to line-by-line text rules.
 */
export function redactYamlSource(source: string, r: ScalarRedaction): string | null {
  const docs = parseAllDocuments(source, { uniqueKeys: false, strict: false });
  if (!Array.isArray(docs)) return source; // empty stream
  if (docs.some((d) => d.errors.length > 0)) return null;
  const replacements: Replacement[] = [];
  for (const doc of docs) {
    if (doc.contents) visitNode(doc.contents as YamlNode, ROOT_CONTEXT, undefined, { action: 'scan' }, source, r, replacements);
  }
  if (replacements.length === 0) return source;
  replacements.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const rep of replacements) {
    if (rep.start < pos) continue;
    out += source.slice(pos, rep.start) + rep.text;
    pos = rep.end;
  }
  return out + source.slice(pos);
}

function scalarValue(map: YAMLMap, key: string): unknown {
  const v = map.get(key, true);
  return isScalar(v) ? v.value : undefined;
}

function visitNode(
  node: YamlNode,
  ctx: FieldContext,
  listItemOf: string | undefined,
  policy: ScalarPolicy,
  source: string,
  r: ScalarRedaction,
  out: Replacement[],
): void {
  if (isAlias(node)) return;
  if (isSeq(node)) {
    for (const item of node.items) if (item) visitNode(item as YamlNode, ctx, listItemOf, policy, source, r, out);
    return;
  }
  if (isMap(node)) {
    const here = contextForMap(ctx, { apiVersion: scalarValue(node, 'apiVersion'), kind: scalarValue(node, 'kind') }, listItemOf);
    const nameValue = scalarValue(node, 'name');
    const name = typeof nameValue === 'string' ? nameValue : undefined;
    for (const pair of node.items) {
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      const value = pair.value as YamlNode | null;
      if (!value || key === undefined) continue;
      const fieldPolicy = policyForField(here, key, name);
      if (isScalar(value)) {
        redactScalarNode(value, fieldPolicy, source, r, out);
      } else {
        // Scalars listed under a sensitive key (`passwords: [a, b]`) are hidden like a single value.
        visitNode(value, childContext(here, key), listItemKind(here, key), fieldPolicy, source, r, out);
      }
    }
    return;
  }
  if (isScalar(node)) redactScalarNode(node, policy, source, r, out);
}

function redactScalarNode(node: Scalar, policy: ScalarPolicy, source: string, r: ScalarRedaction, out: Replacement[]): void {
  const range = node.range;
  if (!range) return;
  const [start, end] = range;
  const original = source.slice(start, end);
  const isBlock = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  const trailing = isBlock ? /\n*$/.exec(original)![0] : '';
  if (policy.action === 'hide') {
    const hidePolicy = policy as HidePolicy;
    if (!shouldHide(hidePolicy, node.value)) return;
    const token = r.hide(hidePolicy.rule, valueForToken(hidePolicy, node.value));
    out.push({ start, end, text: JSON.stringify(token) + trailing });
    return;
  }
  if (typeof node.value !== 'string') return;
  if (isBlock) {
    // Redact the block's source lines so it stays a readable block scalar.
    const headerEnd = original.indexOf('\n');
    if (headerEnd < 0) return;
    const body = original.slice(headerEnd + 1);
    const redactedBody = r.scanText(body);
    if (redactedBody !== body) out.push({ start, end, text: original.slice(0, headerEnd + 1) + redactedBody });
    return;
  }
  const redacted = r.scanText(node.value);
  if (redacted !== node.value) out.push({ start, end, text: JSON.stringify(redacted) });
}

/**
 * JSON source, the fast way: parsed with JSON.parse (the YAML parser is ~10x slower on big
 * JSON). Unchanged when nothing is hidden; otherwise re-serialized with the source's indent.
 * Returns null when the text is not a JSON object or array.
 */
export function redactJsonSource(source: string, r: ScalarRedaction, counts: Record<string, number | undefined>): string | null {
  if (!/^\s*[[{]/.test(source)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return null;
  }
  const before = Object.values(counts).reduce((a: number, b) => a + (b ?? 0), 0);
  const redacted = redactStructuredValue(parsed, r);
  const after = Object.values(counts).reduce((a: number, b) => a + (b ?? 0), 0);
  if (after === before) return source;
  const indent = /^[[{]\r?\n([ \t]+)\S/.exec(source.trimStart())?.[1] ?? '';
  const trailing = /\s*$/.exec(source)![0];
  return JSON.stringify(redacted, null, indent) + trailing;
}
