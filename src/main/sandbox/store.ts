// In-memory object store of a running sandbox: resourceVersions, change history for watches,
// and listeners. The snapshot folder is never written; everything lives here.
import { createHash, randomUUID } from 'node:crypto';
import { splitApiVersion } from './api-discovery';
import type { KubeObject } from './snapshot-types';
import { ordinal } from '../../shared/ordinal';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreChange {
  type: ChangeType;
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  previous?: KubeObject;
  resourceVersion: number;
}

const HISTORY_LIMIT = 20_000;
/** resourceVersions start here so that they look like a real cluster's and never read as "0". */
const FIRST_RESOURCE_VERSION = 1000;

export function objectKey(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return storeKey(splitApiVersion(obj.apiVersion).group, obj.kind, obj.metadata.namespace ?? '', obj.metadata.name);
}

export function storeKey(group: string, kind: string, namespace: string, name: string): string {
  return `${group}|${kind}|${namespace}|${name}`;
}

export function stableUid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function cloneObject<T>(obj: T): T {
  return JSON.parse(JSON.stringify(obj)) as T;
}

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreChange[] = [];
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private resourceVersion = FIRST_RESOURCE_VERSION;

  constructor(objects: KubeObject[], private readonly now: () => Date) {
    for (const raw of objects) {
      if (!raw?.metadata?.name || !raw.kind || !raw.apiVersion) continue;
      const obj = cloneObject(raw);
      const key = objectKey(obj);
      obj.metadata.uid ??= stableUid(key);
      obj.metadata.creationTimestamp ??= this.timestamp();
      obj.metadata.resourceVersion = String(++this.resourceVersion);
      if (obj.spec !== undefined && typeof obj.metadata.generation !== 'number') obj.metadata.generation = 1;
      this.objects.set(key, obj);
    }
    this.addImplicitNamespaces();
  }

  private timestamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** A real cluster has a Namespace object for every namespace that holds something. */
  private addImplicitNamespaces(): void {
    const names = new Set(['default']);
    for (const obj of this.objects.values()) if (obj.metadata.namespace) names.add(obj.metadata.namespace);
    for (const name of names) {
      const key = storeKey('', 'Namespace', '', name);
      if (this.objects.has(key)) continue;
      this.objects.set(key, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name,
          uid: stableUid(key),
          labels: { 'kubernetes.io/metadata.name': name },
          creationTimestamp: this.timestamp(),
          resourceVersion: String(++this.resourceVersion),
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
  }

  currentResourceVersion(): number {
    return this.resourceVersion;
  }

  get(group: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(storeKey(group, kind, namespace ?? '', name));
  }

  /** Objects of one kind, in namespace/name order as a real API lists them. */
  list(group: string, kind: string, namespace?: string): KubeObject[] {
    const result: KubeObject[] = [];
    for (const obj of this.objects.values()) {
      if (obj.kind !== kind || splitApiVersion(obj.apiVersion).group !== group) continue;
      if (namespace && obj.metadata.namespace !== namespace) continue;
      result.push(obj);
    }
    return result.sort(
      (a, b) => ordinal(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || ordinal(a.metadata.name, b.metadata.name),
    );
  }

  all(): KubeObject[] {
    return [...this.objects.values()];
  }

  create(input: KubeObject): KubeObject {
    const obj = cloneObject(input);
    const key = objectKey(obj);
    if (this.objects.has(key)) throw new Error(`object ${key} already exists`);
    obj.metadata.uid ??= randomUUID();
    obj.metadata.creationTimestamp ??= this.timestamp();
    if (obj.spec !== undefined) obj.metadata.generation = 1;
    obj.metadata.resourceVersion = String(++this.resourceVersion);
    this.objects.set(key, obj);
    this.emit({ type: 'ADDED', object: obj, resourceVersion: this.resourceVersion });
    return obj;
  }

  /** Replaces the stored object; bumps generation when anything outside metadata and status changed. */
  update(input: KubeObject): KubeObject {
    const key = objectKey(input);
    const previous = this.objects.get(key);
    if (!previous) throw new Error(`object ${key} does not exist`);
    const obj = cloneObject(input);
    obj.metadata.uid = previous.metadata.uid;
    obj.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    obj.metadata.generation = previous.metadata.generation;
    if (specChanged(previous, obj) && typeof previous.metadata.generation === 'number') {
      obj.metadata.generation = previous.metadata.generation + 1;
    }
    obj.metadata.resourceVersion = String(++this.resourceVersion);
    this.objects.set(key, obj);
    this.emit({ type: 'MODIFIED', object: obj, previous, resourceVersion: this.resourceVersion });
    return obj;
  }

  delete(group: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = storeKey(group, kind, namespace ?? '', name);
    const previous = this.objects.get(key);
    if (!previous) return undefined;
    this.objects.delete(key);
    const obj = cloneObject(previous);
    obj.metadata.resourceVersion = String(++this.resourceVersion);
    this.emit({ type: 'DELETED', object: obj, previous, resourceVersion: this.resourceVersion });
    return obj;
  }

  /** Changes after `resourceVersion`, or undefined when they are no longer kept (410 Gone). */
  changesSince(resourceVersion: number): StoreChange[] | undefined {
    if (resourceVersion >= this.resourceVersion) return [];
    const first = this.history[0];
    // History is complete from load time until it is trimmed.
    if (first && this.history.length >= HISTORY_LIMIT && resourceVersion < first.resourceVersion - 1) return undefined;
    return this.history.filter((c) => c.resourceVersion > resourceVersion);
  }

  subscribe(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: StoreChange): void {
    this.history.push(change);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const listener of [...this.listeners]) listener(change);
  }
}

function specChanged(before: KubeObject, after: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return JSON.stringify(rest);
  };
  return strip(before) !== strip(after);
}
