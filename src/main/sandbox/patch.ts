// The three patch formats the API accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902)
// and Kubernetes strategic merge patch for the common built-in list fields.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export class PatchError extends Error {}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value) as Json;
  }
  return result;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, segments: string[], path: string): { parent: JsonObject | Json[]; key: string } {
  let node: Json = doc;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[segment];
    else node = null;
    if (node === undefined || node === null || typeof node !== 'object') {
      throw new PatchError(`doc is missing path: "${path}"`);
    }
  }
  return { parent: node as JsonObject | Json[], key: segments[segments.length - 1] };
}

function getAt(doc: Json, path: string): Json {
  let node: Json | undefined = doc;
  for (const segment of decodePointer(path)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = node[segment];
    else node = undefined;
    if (node === undefined) throw new PatchError(`doc is missing path: "${path}"`);
  }
  return node as Json;
}

function removeAt(doc: Json, path: string): Json {
  const segments = decodePointer(path);
  const { parent, key } = parentOf(doc, segments, path);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length)) throw new PatchError(`unable to remove nonexistent key: ${key}: missing value`);
    return parent.splice(index, 1)[0];
  }
  if (!(key in parent)) throw new PatchError(`unable to remove nonexistent key: ${key}: missing value`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const segments = decodePointer(path);
  if (segments.length === 0) return value;
  const { parent, key } = parentOf(doc, segments, path);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!(index >= 0 && index <= parent.length)) throw new PatchError(`add operation index out of bounds: ${key}`);
    if (replace) parent[index] = value;
    else parent.splice(index, 0, value);
  } else {
    if (replace && !(key in parent)) throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
    parent[key] = value;
  }
  return doc;
}

export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError('json patch must be an array of operations');
  let doc = clone(target) as Json;
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError('invalid json patch operation');
    }
    const { op, path } = raw;
    switch (op) {
      case 'add':
        doc = addAt(doc, path, clone(raw.value ?? null), false);
        break;
      case 'replace':
        doc = addAt(doc, path, clone(raw.value ?? null), true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move': {
        const value = removeAt(doc, String(raw.from));
        doc = addAt(doc, path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, clone(getAt(doc, String(raw.from))), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(raw.value)) {
          throw new PatchError(`testing value ${path} failed`);
        }
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

/** patchMergeKey of list fields in the built-in types, by field name. */
const MERGE_KEYS: Record<string, string | ((items: Json[]) => string)> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  // Container ports are keyed by containerPort, Service ports by port.
  ports: (items) => (items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port'),
};

/** Lists of scalars merged as sets rather than replaced. */
const SET_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  const key = MERGE_KEYS[field];
  return typeof key === 'function' ? key(items) : key;
}

function strategicList(field: string, original: Json | undefined, patch: Json[]): Json[] {
  const base = Array.isArray(original) ? clone(original) : [];
  if (patch.some((i) => isObject(i) && i.$patch === 'replace')) {
    return patch.filter((i) => !(isObject(i) && i.$patch === 'replace'));
  }
  const key = mergeKeyFor(field, [...base, ...patch]);
  if (key && patch.every(isObject)) {
    const result = base;
    for (const item of patch as JsonObject[]) {
      const index = result.findIndex((b) => isObject(b) && b[key] === item[key]);
      if (item.$patch === 'delete') {
        if (index >= 0) result.splice(index, 1);
      } else if (index >= 0) {
        result[index] = applyStrategicMergePatch(result[index], item) as Json;
      } else {
        result.push(applyStrategicMergePatch({}, item) as Json);
      }
    }
    return result;
  }
  if (SET_LISTS.has(field)) {
    const result = [...base];
    for (const item of patch) if (!result.some((b) => JSON.stringify(b) === JSON.stringify(item))) result.push(item);
    return result;
  }
  return clone(patch);
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return applyStrategicMergePatch({}, rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isObject(target) ? clone(target) : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((c) => !value.some((v) => JSON.stringify(v) === JSON.stringify(c)));
      }
      continue;
    }
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = strategicList(key, result[key], value);
    else if (isObject(value)) {
      const merged = applyStrategicMergePatch(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged as Json;
    } else result[key] = value;
  }
  if (retainKeys) {
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  return result;
}

export type PatchType = 'strategic' | 'merge' | 'json' | 'apply';

export function patchTypeFromContentType(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/json-patch+json') return 'json';
  if (ct === 'application/apply-patch+yaml') return 'apply';
  return undefined;
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case 'strategic':
      return applyStrategicMergePatch(target, patch);
    case 'merge':
    case 'apply':
      return applyMergePatch(target, patch);
    case 'json':
      return applyJsonPatch(target, patch);
  }
}
