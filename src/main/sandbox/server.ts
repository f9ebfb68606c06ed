// The sandbox's Kubernetes API server: HTTPS on 127.0.0.1 with its own CA, bearer-token users,
// discovery, list/get/watch with selectors and Table output, writes with dry run, logs,
// proxies, metrics, and the exec/port-forward upgrades handed to streams.ts.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { KUBERNETES_VERSION, ResourceRegistry, joinApiVersion, splitApiVersion, type ResourceType } from './api-discovery';
import { readPodLog, parseLogOptions } from './pod-logs';
import { nodeMetrics, podMetrics, statsSummary } from './metrics';
import { PROTOBUF_CONTENT_TYPE, decodeReviewProtobuf } from './protobuf';
import { PatchError, applyPatch, patchTypeFromContentType } from './patch';
import { parseProxyName, proxyToPod, proxyToService, type ProxyOutcome } from './proxy';
import { forbiddenMessage, isAllowed, rulesReviewStatus, sandboxUsers, type RequestAttributes } from './rbac';
import { SelectorError, formatLabelSelector, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import { ObjectStore, cloneObject, type StoreChange } from './store';
import { handleExecUpgrade, handlePortForwardUpgrade, type StreamContext } from './streams';
import { buildTable, tableRow, columnDefinitions, wantsTable, type IncludeObject } from './table';
import { expandTemplates } from './templates';
import { generateSandboxCertificates } from './tls';
import { WorkloadSimulator, randomSuffix } from './workloads';
import type { KubeObject, SandboxUser, Snapshot } from './snapshot-types';

export interface SandboxOptions {
  snapshot: Snapshot;
  /** 0 or absent: a free port. */
  port?: number;
  now?: () => Date;
  /** How long a pod created by a write takes to turn Ready (default 1500 ms). */
  podReadyDelayMs?: number;
}

export interface RunningSandbox {
  url: string;
  port: number;
  caPem: string;
  /** Token of the admin (or first) user. */
  token: string;
  users: SandboxUser[];
  kubeconfigYaml(opts?: { user?: string; contextName?: string; namespace?: string }): string;
  stop(): Promise<void>;
  requestCount(): number;
}

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }
}

function statusBody(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function qualified(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(type)} "${name}" not found`, { name, ...(type.group ? { group: type.group } : {}), kind: type.plural });
}

const NO_RESOURCE = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

interface ResourceRoute {
  group: string;
  version: string;
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  rest: string[];
}


function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ rv, start: lastKey })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: number; start: string };
    if (typeof parsed.start !== 'string') throw new Error('bad');
    return parsed;
  } catch {
    throw new ApiError(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if ((contentType ?? '').startsWith(PROTOBUF_CONTENT_TYPE)) {
    try {
      return decodeReviewProtobuf(raw);
    } catch (err) {
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (${(err as Error).message})`);
    }
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') throw new ApiError(400, 'BadRequest', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
  try {
    return /yaml/i.test(contentType ?? '') ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

const VERB_BY_METHOD: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete', OPTIONS: 'get' };

export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const now = opts.now ?? (() => new Date());
  const snapshot = opts.snapshot;
  const scenario = snapshot.scenario;
  const users = sandboxUsers(scenario.users ?? []);
  const store = new ObjectStore(snapshot.objects, now);
  const registry = new ResourceRegistry(store.all());
  const simulator = new WorkloadSimulator(store, { podReadyDelayMs: opts.podReadyDelayMs ?? 1500, now, exec: scenario.exec ?? [] });
  const certs = await generateSandboxCertificates(now());
  const openWatches = new Set<() => void>();
  const sockets = new Set<Socket>();
  let requests = 0;
  let port = 0;

  store.subscribe((change) => {
    if (change.object.kind === 'CustomResourceDefinition') registry.refresh(store.all());
  });

  const streamContext: StreamContext = {
    scenario,
    findPod: (namespace, name) => store.get('', 'Pod', namespace, name),
    listObjects: () => store.all(),
    now,
  };

  function authenticate(req: IncomingMessage): SandboxUser | undefined {
    const header = req.headers.authorization ?? '';
    const m = header.match(/^Bearer\s+(.+)$/i);
    if (!m) return undefined;
    return users.find((u) => u.token === m[1].trim());
  }

  function withVersion(obj: KubeObject, group: string, version: string): KubeObject {
    const out = cloneObject(obj);
    out.apiVersion = joinApiVersion(group, version);
    return out;
  }

  function authorize(user: SandboxUser, attrs: RequestAttributes, type?: ResourceType): void {
    if (isAllowed(user, attrs)) return;
    const resourceName = type ? qualified(type) : attrs.resource ?? '';
    throw new ApiError(403, 'Forbidden', forbiddenMessage(user, attrs, resourceName), {
      ...(attrs.name ? { name: attrs.name } : {}),
      ...(attrs.group ? { group: attrs.group } : {}),
      ...(attrs.resource ? { kind: attrs.resource } : {}),
    });
  }

  /** /api/v1/... or /apis/<group>/<version>/... into a resource route; undefined for other paths. */
  function parseResourcePath(segments: string[]): ResourceRoute | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments.length >= 3) {
      group = '';
      version = segments[1];
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 4) {
      group = segments[1];
      version = segments[2];
      rest = segments.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = registry.find(group, version, rest[0]);
    if (!type) throw NO_RESOURCE();
    if (namespace !== undefined && !type.namespaced) throw NO_RESOURCE();
    return { group, version, type, namespace, name: rest[1], subresource: rest[2], rest: rest.slice(3) };
  }

  function send(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
    res.end(text);
  }

  function sendObject(req: IncomingMessage, res: ServerResponse, code: number, route: ResourceRoute, obj: KubeObject): void {
    const url = new URL(req.url ?? '/', 'https://sandbox');
    const versioned = withVersion(obj, route.group, route.version);
    if (wantsTable(req.headers.accept) && !route.subresource) {
      send(res, code, buildTable(route.type, [versioned], { includeObject: includeObjectParam(url), now: now(), listMeta: { resourceVersion: obj.metadata.resourceVersion } }));
    } else send(res, code, versioned);
  }

  function includeObjectParam(url: URL): IncludeObject {
    const v = url.searchParams.get('includeObject');
    return v === 'None' || v === 'Object' ? v : 'Metadata';
  }

  // ---- reads

  function selectObjects(route: ResourceRoute, url: URL): KubeObject[] {
    let labels;
    let fields;
    try {
      labels = parseLabelSelector(url.searchParams.get('labelSelector'));
      fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
    } catch (err) {
      if (err instanceof SelectorError) throw new ApiError(400, 'BadRequest', err.message);
      throw err;
    }
    const objects = computedList(route) ?? store.list(route.type.group, route.type.kind, route.namespace);
    return objects.filter((o) => matchesLabels(o.metadata.labels, labels) && matchesFields(o, fields));
  }

  function computedList(route: ResourceRoute): KubeObject[] | undefined {
    if (route.type.group !== 'metrics.k8s.io') return undefined;
    if (route.type.kind === 'PodMetrics') {
      return store
        .list('', 'Pod', route.namespace)
        .map((p) => podMetrics(p, scenario, now()))
        .filter((m): m is KubeObject => m !== undefined);
    }
    return store
      .list('', 'Node')
      .map((n) => nodeMetrics(n, scenario, now()))
      .filter((m): m is KubeObject => m !== undefined);
  }

  function listObjects(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, url: URL): void {
    let items = selectObjects(route, url);
    const rv = store.currentResourceVersion();
    const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const cont = url.searchParams.get('continue');
    if (cont) {
      const { start } = decodeContinue(cont);
      items = items.filter((o) => keyOf(o) > start);
    }
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const listMeta: Obj = { resourceVersion: String(rv) };
    if (limit > 0 && items.length > limit) {
      listMeta.continue = encodeContinue(rv, keyOf(items[limit - 1]));
      listMeta.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    const versioned = items.map((o) => withVersion(o, route.group, route.version));
    if (wantsTable(req.headers.accept)) {
      send(res, 200, buildTable(route.type, versioned, { includeObject: includeObjectParam(url), now: now(), listMeta }));
      return;
    }
    send(res, 200, { kind: `${route.type.kind}List`, apiVersion: joinApiVersion(route.group, route.version), metadata: listMeta, items: versioned });
  }

  function watchObjects(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, url: URL): void {
    let labels;
    let fields;
    try {
      labels = parseLabelSelector(url.searchParams.get('labelSelector'));
      fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
    } catch (err) {
      if (err instanceof SelectorError) throw new ApiError(400, 'BadRequest', err.message);
      throw err;
    }
    if (route.name) fields.push({ field: 'metadata.name', value: route.name, negate: false });
    const table = wantsTable(req.headers.accept);
    const includeObject = includeObjectParam(url);
    let columnsSent = false;
    const matches = (o: KubeObject | undefined) =>
      o !== undefined &&
      o.kind === route.type.kind &&
      splitApiVersion(o.apiVersion).group === route.type.group &&
      (!route.namespace || o.metadata.namespace === route.namespace) &&
      matchesLabels(o.metadata.labels, labels) &&
      matchesFields(o, fields);
    const encode = (type: string, obj: KubeObject): string => {
      const versioned = withVersion(obj, route.group, route.version);
      let object: unknown = versioned;
      if (table && type !== 'ERROR') {
        object = {
          kind: 'Table',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { resourceVersion: obj.metadata.resourceVersion },
          ...(columnsSent ? {} : { columnDefinitions: columnDefinitions(route.type) }),
          rows: [tableRow(route.type, versioned, includeObject, now())],
        };
        columnsSent = true;
      }
      return JSON.stringify({ type, object }) + '\n';
    };
    const toEvent = (change: StoreChange): string | undefined => {
      const was = matches(change.previous);
      const is = change.type !== 'DELETED' && matches(change.object);
      if (change.type === 'DELETED') return was ? encode('DELETED', change.object) : undefined;
      if (is && !was) return encode('ADDED', change.object);
      if (is && was) return encode('MODIFIED', change.object);
      if (!is && was) return encode('DELETED', change.object);
      return undefined;
    };

    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    // Clients wait for the headers before they treat the watch as started.
    res.flushHeaders();
    const rvParam = url.searchParams.get('resourceVersion');
    if (!rvParam || rvParam === '0') {
      for (const obj of store.list(route.type.group, route.type.kind, route.namespace).filter(matches)) res.write(encode('ADDED', obj));
    } else {
      const since = store.changesSince(Number(rvParam));
      if (since === undefined || Number.isNaN(Number(rvParam))) {
        res.write(JSON.stringify({ type: 'ERROR', object: statusBody(410, 'Expired', `too old resource version: ${rvParam} (${store.currentResourceVersion()})`) }) + '\n');
        res.end();
        return;
      }
      for (const change of since) {
        const line = toEvent(change);
        if (line) res.write(line);
      }
    }
    const unsubscribe = store.subscribe((change) => {
      const line = toEvent(change);
      if (line) res.write(line);
    });
    let timer: NodeJS.Timeout | undefined;
    const close = () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      openWatches.delete(close);
      if (!res.writableEnded) res.end();
    };
    openWatches.add(close);
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    // Without a timeout a real server ends watches after a random 30-60 minutes.
    timer = setTimeout(close, timeoutSeconds > 0 ? timeoutSeconds * 1000 : 30 * 60 * 1000);
    req.on('close', close);
    res.on('close', close);
  }

  function getStored(route: ResourceRoute): KubeObject {
    const name = route.name ?? '';
    if (route.type.group === 'metrics.k8s.io') {
      const found = computedList(route)?.find((o) => o.metadata.name === name);
      if (!found) throw notFound(route.type, name);
      return found;
    }
    const obj = store.get(route.type.group, route.type.kind, route.namespace, name);
    if (!obj) throw notFound(route.type, name);
    return obj;
  }

  // ---- writes

  function dryRun(url: URL): boolean {
    return url.searchParams.getAll('dryRun').includes('All');
  }

  function checkIdentity(route: ResourceRoute, obj: KubeObject, expectedName?: string): void {
    const kindOk = obj.kind === route.type.kind;
    if (!kindOk) {
      throw new ApiError(400, 'BadRequest', `the API version in the data (${obj.apiVersion}) does not match the expected API version (${joinApiVersion(route.group, route.version)})`);
    }
    if (route.type.namespaced && obj.metadata.namespace && route.namespace && obj.metadata.namespace !== route.namespace) {
      throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    if (expectedName !== undefined && obj.metadata.name !== expectedName) {
      throw new ApiError(400, 'BadRequest', `the name of the object (${obj.metadata.name}) does not match the name on the URL (${expectedName})`);
    }
  }

  function createObject(route: ResourceRoute, body: unknown, url: URL): { code: number; obj: KubeObject } {
    const obj = rec(body) as unknown as KubeObject;
    obj.apiVersion ??= joinApiVersion(route.group, route.version);
    obj.kind ??= route.type.kind;
    obj.metadata = { ...(rec(obj.metadata) as KubeObject['metadata']) };
    checkIdentity(route, obj);
    if (!obj.metadata.name && typeof obj.metadata.generateName === 'string') obj.metadata.name = obj.metadata.generateName + randomSuffix();
    if (!obj.metadata.name) {
      throw new ApiError(422, 'Invalid', `${route.type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
    }
    if (route.type.namespaced) {
      obj.metadata.namespace = route.namespace ?? obj.metadata.namespace ?? 'default';
      if (!store.get('', 'Namespace', undefined, obj.metadata.namespace)) {
        throw new ApiError(404, 'NotFound', `namespaces "${obj.metadata.namespace}" not found`, { name: obj.metadata.namespace, kind: 'namespaces' });
      }
    } else delete obj.metadata.namespace;
    obj.apiVersion = joinApiVersion(route.type.group, route.version);
    if (store.get(route.type.group, route.type.kind, obj.metadata.namespace, obj.metadata.name)) {
      throw new ApiError(409, 'AlreadyExists', `${qualified(route.type)} "${obj.metadata.name}" already exists`, {
        name: obj.metadata.name,
        ...(route.type.group ? { group: route.type.group } : {}),
        kind: route.type.plural,
      });
    }
    delete obj.metadata.resourceVersion;
    if (obj.kind === 'Service' && route.type.group === '') {
      const spec = rec(obj.spec);
      if (!spec.clusterIP && spec.type !== 'ExternalName') {
        spec.clusterIP = `10.96.${Math.floor(Math.random() * 255)}.${2 + Math.floor(Math.random() * 250)}`;
        spec.clusterIPs = [spec.clusterIP];
      }
      spec.type ??= 'ClusterIP';
      obj.spec = spec;
    }
    if (obj.kind === 'Pod' && route.type.group === '') {
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
      const spec = rec(obj.spec);
      spec.restartPolicy ??= 'Always';
      obj.spec = spec;
    }
    if (obj.kind === 'Namespace') obj.status = { phase: 'Active' };
    if (dryRun(url)) {
      const preview = cloneObject(obj);
      preview.metadata.uid = '00000000-0000-0000-0000-000000000000';
      preview.metadata.creationTimestamp = now().toISOString().replace(/\.\d{3}Z$/, 'Z');
      if (preview.spec !== undefined) preview.metadata.generation = 1;
      return { code: 201, obj: preview };
    }
    const created = store.create(obj);
    simulator.afterWrite(undefined, created);
    return { code: 201, obj: store.get(route.type.group, route.type.kind, created.metadata.namespace, created.metadata.name) ?? created };
  }

  function hasStatusSubresource(type: ResourceType): boolean {
    return (type.subresources ?? []).some((s) => s.name === 'status');
  }

  /** Validates and stores an updated main object (or only its status). */
  function storeUpdate(route: ResourceRoute, existing: KubeObject, next: KubeObject, url: URL, statusOnly: boolean): KubeObject {
    next.apiVersion = existing.apiVersion;
    next.kind ??= existing.kind;
    next.metadata = { ...(rec(next.metadata) as KubeObject['metadata']) };
    next.metadata.name ??= existing.metadata.name;
    if (route.type.namespaced) next.metadata.namespace ??= existing.metadata.namespace;
    checkIdentity(route, next, existing.metadata.name);
    let result: KubeObject;
    if (statusOnly) {
      result = cloneObject(existing);
      result.status = next.status;
    } else {
      result = next;
      if (hasStatusSubresource(route.type)) {
        if (existing.status === undefined) delete result.status;
        else result.status = cloneObject(existing.status);
      }
    }
    result.metadata.uid = existing.metadata.uid;
    result.metadata.creationTimestamp = existing.metadata.creationTimestamp;
    result.metadata.resourceVersion = existing.metadata.resourceVersion;
    result.metadata.generation = existing.metadata.generation;
    const unchanged = JSON.stringify(result) === JSON.stringify(existing);
    if (unchanged) return existing;
    if (dryRun(url)) {
      const preview = cloneObject(result);
      if (!statusOnly && typeof existing.metadata.generation === 'number' && JSON.stringify(result.spec) !== JSON.stringify(existing.spec)) {
        preview.metadata.generation = existing.metadata.generation + 1;
      }
      return preview;
    }
    const stored = store.update(result);
    if (!statusOnly) simulator.afterWrite(existing, stored);
    return store.get(route.type.group, route.type.kind, stored.metadata.namespace, stored.metadata.name) ?? stored;
  }

  function checkResourceVersion(route: ResourceRoute, existing: KubeObject, next: unknown): void {
    const rv = rec(rec(next).metadata).resourceVersion;
    if (typeof rv === 'string' && rv !== '' && rv !== existing.metadata.resourceVersion) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${qualified(route.type)} "${existing.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: existing.metadata.name, ...(route.type.group ? { group: route.type.group } : {}), kind: route.type.plural },
      );
    }
  }

  function patched(req: IncomingMessage, target: unknown, body: unknown): unknown {
    const patchType = patchTypeFromContentType(req.headers['content-type']);
    if (!patchType) {
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
    }
    try {
      return applyPatch(patchType, target, body);
    } catch (err) {
      if (err instanceof PatchError) throw new ApiError(422, 'Invalid', err.message);
      throw err;
    }
  }

  function deleteObject(route: ResourceRoute, existing: KubeObject, url: URL): { code: number; body: unknown } {
    const details = { name: existing.metadata.name, ...(route.type.group ? { group: route.type.group } : {}), kind: route.type.plural, uid: existing.metadata.uid };
    const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
    if (dryRun(url)) return { code: 200, body: route.type.kind === 'Pod' ? withVersion(existing, route.group, route.version) : success };
    const removed = store.delete(route.type.group, route.type.kind, existing.metadata.namespace, existing.metadata.name);
    if (removed && route.type.kind === 'Namespace' && route.type.group === '') {
      for (const o of store.all().filter((x) => x.metadata.namespace === existing.metadata.name)) {
        store.delete(splitApiVersion(o.apiVersion).group, o.kind, o.metadata.namespace, o.metadata.name);
      }
    }
    if (removed) simulator.afterWrite(existing, undefined);
    if (route.type.kind === 'Pod' || route.type.kind === 'Namespace') return { code: 200, body: withVersion(removed ?? existing, route.group, route.version) };
    return { code: 200, body: success };
  }

  // ---- subresources

  function scaleOf(obj: KubeObject): KubeObject {
    const spec = rec(obj.spec);
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
      status: { replicas: Number(rec(obj.status).replicas ?? 0), selector: formatLabelSelector(spec.selector) },
    };
  }

  async function handleScale(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, url: URL, existing: KubeObject): Promise<void> {
    if (req.method === 'GET') return send(res, 200, scaleOf(existing));
    const body = parseBody(await readBody(req), req.headers['content-type']);
    const current = scaleOf(existing);
    const next = rec(req.method === 'PATCH' ? patched(req, current, body) : body);
    if (req.method === 'PUT') checkResourceVersion(route, existing, next);
    const replicas = rec(next.spec).replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new ApiError(422, 'Invalid', `Scale.autoscaling "${existing.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
    }
    const updated = cloneObject(existing);
    updated.spec = { ...rec(updated.spec), replicas };
    const stored = storeUpdate(route, existing, updated, url, false);
    send(res, 200, scaleOf(stored));
  }

  async function handleProxy(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, url: URL, user: SandboxUser): Promise<void> {
    const target = parseProxyName(route.name ?? '');
    const path = '/' + route.rest.map(decodeURIComponent).join('/') + (url.pathname.endsWith('/') && route.rest.length ? '/' : '');
    let outcome: ProxyOutcome;
    const method = req.method ?? 'GET';
    if (route.type.kind === 'Node') {
      const node = store.get('', 'Node', undefined, target.name);
      if (!node) throw notFound(route.type, target.name);
      if (path === '/stats/summary') return send(res, 200, statsSummary(node, store.all(), scenario, now()));
      outcome = { kind: 'text', code: 404, text: '404 page not found\n' };
    } else if (route.type.kind === 'Service') {
      const svc = store.get('', 'Service', route.namespace, target.name);
      if (!svc) throw notFound(route.type, target.name);
      outcome = proxyToService(svc, target.port, method, path, store.all(), scenario);
    } else {
      const pod = store.get('', 'Pod', route.namespace, target.name);
      if (!pod) throw notFound(route.type, target.name);
      outcome = proxyToPod(pod, target.port, method, path, scenario);
    }
    void user;
    if (outcome.kind === 'status') return send(res, outcome.code, statusBody(outcome.code, outcome.reason, outcome.message));
    if (outcome.kind === 'text') {
      res.writeHead(outcome.code, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(outcome.text);
      return;
    }
    const reply = outcome.reply;
    await sleep(reply.delayMs);
    const text = expandTemplates(reply.body, now());
    res.writeHead(reply.status, { ...reply.headers, 'Content-Length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
  }

  function handleLog(req: IncomingMessage, res: ServerResponse, url: URL, pod: KubeObject): void {
    const options = parseLogOptions(url.searchParams);
    if (typeof options === 'string') throw new ApiError(400, 'BadRequest', options);
    const result = readPodLog(pod, snapshot.logs, options, now(), (container) =>
      simulator.logsOf(pod.metadata.namespace ?? '', pod.metadata.name, container)?.lines,
    );
    if (!result.ok) throw new ApiError(result.code, result.reason, result.message);
    const follow = url.searchParams.get('follow') === 'true' || url.searchParams.get('follow') === '1';
    if (!follow) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(result.text) });
      res.end(result.text);
      return;
    }
    // Following: what exists now, then the stream stays open until the client or the sandbox ends it.
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    if (result.text) res.write(result.text);
    const close = () => {
      openWatches.delete(close);
      if (!res.writableEnded) res.end();
    };
    openWatches.add(close);
    req.on('close', close);
  }

  // ---- authorization.k8s.io reviews

  function review(route: ResourceRoute, body: unknown, user: SandboxUser): Obj {
    const spec = rec(rec(body).spec);
    const base = { kind: route.type.kind, apiVersion: joinApiVersion(route.group, route.version), metadata: { creationTimestamp: null }, spec };
    if (route.type.kind === 'SelfSubjectRulesReview') return { ...base, status: rulesReviewStatus(user) };
    if (route.type.kind === 'SelfSubjectAccessReview') {
      const ra = spec.resourceAttributes ? rec(spec.resourceAttributes) : undefined;
      const nra = rec(spec.nonResourceAttributes);
      const attrs: RequestAttributes = ra
        ? {
            verb: String(ra.verb ?? ''),
            resource: String(ra.resource ?? ''),
            subresource: ra.subresource ? String(ra.subresource) : undefined,
            group: String(ra.group ?? ''),
            namespace: ra.namespace ? String(ra.namespace) : undefined,
            name: ra.name ? String(ra.name) : undefined,
          }
        : { verb: String(nra.verb ?? ''), path: String(nra.path ?? '') };
      const allowed = isAllowed(user, attrs);
      return { ...base, status: allowed ? { allowed: true, reason: `RBAC: allowed by sandbox rules of User "${user.name}"` } : { allowed: false } };
    }
    throw new ApiError(403, 'Forbidden', `${qualified(route.type)} is forbidden: User "${user.name}" cannot create resource "${route.type.plural}" in API group "${route.type.group}" at the cluster scope`);
  }

  // ---- dispatch

  async function handleResource(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, url: URL, user: SandboxUser): Promise<void> {
    const method = req.method ?? 'GET';
    const { type } = route;
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    let verb = VERB_BY_METHOD[method] ?? 'get';
    if (!route.name) {
      if (method === 'GET') verb = watch ? 'watch' : 'list';
      if (method === 'DELETE') verb = 'deletecollection';
    } else if (method === 'GET' && watch) verb = 'watch';
    const sub = route.subresource;
    authorize(user, { verb, resource: type.plural, subresource: sub, group: type.group, namespace: route.namespace, name: route.name }, type);
    if (!type.verbs.includes(verb) && !sub) {
      throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }

    if (sub) {
      const known = (type.subresources ?? []).find((s) => s.name === sub);
      if (!known) throw NO_RESOURCE();
      if (sub === 'proxy') return handleProxy(req, res, route, url, user);
      const existing = getStored(route);
      if (sub === 'log') return handleLog(req, res, url, existing);
      if (sub === 'scale') return handleScale(req, res, route, url, existing);
      if (sub === 'status') {
        if (method === 'GET') return sendObject(req, res, 200, route, existing);
        const body = parseBody(await readBody(req), req.headers['content-type']);
        const next = (method === 'PATCH' ? patched(req, cloneObject(existing), body) : body) as KubeObject;
        if (method === 'PUT') checkResourceVersion(route, existing, next);
        return sendObject(req, res, 200, route, storeUpdate(route, existing, rec(next) as unknown as KubeObject, url, true));
      }
      if (sub === 'exec' || sub === 'portforward' || sub === 'attach') {
        throw new ApiError(400, 'BadRequest', 'Upgrade request required');
      }
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }

    if (!route.name) {
      if (method === 'GET') return watch ? watchObjects(req, res, route, url) : listObjects(req, res, route, url);
      if (method === 'POST') {
        const body = parseBody(await readBody(req), req.headers['content-type']);
        if (type.group === 'authorization.k8s.io') return send(res, 201, review(route, body, user));
        const { code, obj } = createObject(route, body, url);
        return sendObject(req, res, code, route, obj);
      }
      if (method === 'DELETE') {
        const items = selectObjects(route, url);
        for (const item of items) deleteObject(route, item, url);
        return send(res, 200, { kind: `${type.kind}List`, apiVersion: joinApiVersion(route.group, route.version), metadata: { resourceVersion: String(store.currentResourceVersion()) }, items: items.map((o) => withVersion(o, route.group, route.version)) });
      }
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }

    if (method === 'GET') {
      if (watch) return watchObjects(req, res, route, url);
      return sendObject(req, res, 200, route, getStored(route));
    }
    if (method === 'DELETE') {
      const { code, body } = deleteObject(route, getStored(route), url);
      return send(res, code, body);
    }
    if (method === 'PUT') {
      const body = parseBody(await readBody(req), req.headers['content-type']);
      const existing = getStored(route);
      checkResourceVersion(route, existing, body);
      return sendObject(req, res, 200, route, storeUpdate(route, existing, rec(body) as unknown as KubeObject, url, false));
    }
    if (method === 'PATCH') {
      const body = parseBody(await readBody(req), req.headers['content-type']);
      const existing = store.get(type.group, type.kind, route.namespace, route.name);
      if (!existing) {
        // Server-side apply creates what does not exist yet.
        if (patchTypeFromContentType(req.headers['content-type']) === 'apply') {
          const { code, obj } = createObject(route, body, url);
          return sendObject(req, res, code, route, obj);
        }
        throw notFound(type, route.name);
      }
      const next = patched(req, cloneObject(existing), body) as KubeObject;
      return sendObject(req, res, 200, route, storeUpdate(route, existing, next, url, false));
    }
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  const PUBLIC_PATHS = new Set(['/version', '/version/', '/healthz', '/livez', '/readyz']);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests++;
    await sleep(scenario.latencyMs ?? 0);
    const url = new URL(req.url ?? '/', 'https://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const user = authenticate(req);
    if (!user && !PUBLIC_PATHS.has(url.pathname)) {
      return send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
    }
    const segments = path.split('/').filter(Boolean);
    const route = parseResourcePath(segments);
    if (route) return handleResource(req, res, route, url, user as SandboxUser);

    if (user) authorize(user, { verb: VERB_BY_METHOD[req.method ?? 'GET'] ?? 'get', path: url.pathname });
    if (req.method !== 'GET' && req.method !== 'HEAD') throw NO_RESOURCE();
    if (path === '/version') return send(res, 200, KUBERNETES_VERSION);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (path === '/api') {
      return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] });
    }
    if (path === '/apis') return send(res, 200, registry.groupList());
    if (segments[0] === 'api' && segments.length === 2) {
      const list = registry.resourceList('', segments[1]);
      if (list) return send(res, 200, list);
    }
    if (segments[0] === 'apis' && segments.length === 2) {
      const group = registry.group(segments[1]);
      if (group) return send(res, 200, group);
    }
    if (segments[0] === 'apis' && segments.length === 3) {
      const list = registry.resourceList(segments[1], segments[2]);
      if (list) return send(res, 200, list);
    }
    throw NO_RESOURCE();
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    requests++;
    const reject = (code: number, body: Obj) => {
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${code} ${code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : code === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    void (async () => {
      await sleep(scenario.latencyMs ?? 0);
      const user = authenticate(req);
      if (!user) return reject(401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      const url = new URL(req.url ?? '/', 'https://sandbox');
      const route = parseResourcePath(url.pathname.split('/').filter(Boolean));
      if (!route || route.type.kind !== 'Pod' || route.type.group !== '' || !route.name || !['exec', 'portforward', 'attach'].includes(route.subresource ?? '')) {
        throw NO_RESOURCE();
      }
      const sub = route.subresource as string;
      authorize(user, { verb: 'create', resource: 'pods', subresource: sub, group: '', namespace: route.namespace, name: route.name }, route.type);
      const pod = store.get('', 'Pod', route.namespace, route.name);
      if (!pod) throw notFound(route.type, route.name);
      const target = { namespace: route.namespace ?? 'default', pod: route.name };
      if (sub === 'portforward') handlePortForwardUpgrade(req, socket, head, streamContext, target);
      else if (sub === 'exec') handleExecUpgrade(req, socket, head, streamContext, target);
      else throw new ApiError(400, 'BadRequest', 'attach is not supported by the sandbox: the container has no interactive process');
    })().catch((err: unknown) => {
      if (err instanceof ApiError) reject(err.code, statusBody(err.code, err.reason, err.message, err.details));
      else reject(500, statusBody(500, 'InternalError', `an error on the server ("${(err as Error).message}") has prevented the request from succeeding`));
    });
  }

  const server: Server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof ApiError) send(res, err.code, statusBody(err.code, err.reason, err.message, err.details));
      else send(res, 500, statusBody(500, 'InternalError', `an error on the server ("${(err as Error).message}") has prevented the request from succeeding`));
    });
  });
  server.on('upgrade', handleUpgrade);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      simulator.stop();
      if (err.code === 'EADDRINUSE') {
        const e = new Error(`port ${opts.port} is already in use on 127.0.0.1`) as NodeJS.ErrnoException;
        e.code = 'EADDRINUSE';
        reject(e);
      } else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(opts.port ?? 0, '127.0.0.1');
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const url = `https://127.0.0.1:${port}`;
  // The kubeconfig speaks as the scenario's first user (the generated admin when it names none),
  // so a scenario about restricted credentials puts the engineer in those shoes.
  const defaultUser = users[0];

  return {
    url,
    port,
    caPem: certs.caPem,
    token: defaultUser.token,
    users,
    requestCount: () => requests,
    kubeconfigYaml(kcOpts = {}) {
      const user = kcOpts.user ? users.find((u) => u.name === kcOpts.user) : defaultUser;
      if (!user) throw new Error(`the sandbox has no user named "${kcOpts.user}" (users: ${users.map((u) => u.name).join(', ')})`);
      const contextName = kcOpts.contextName ?? 'roadside-sandbox';
      return toYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: contextName, cluster: { server: url, 'certificate-authority-data': Buffer.from(certs.caPem).toString('base64') } }],
        users: [{ name: user.name, user: { token: user.token } }],
        contexts: [{ name: contextName, context: { cluster: contextName, user: user.name, ...(kcOpts.namespace ? { namespace: kcOpts.namespace } : {}) } }],
        'current-context': contextName,
        preferences: {},
      });
    },
    async stop() {
      simulator.stop();
      for (const close of [...openWatches]) close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

