// Reads a snapshot folder (resources/, logs/, scenario.yaml; see docs/scenario-format.md)
// into the in-memory Snapshot the sandbox API server serves.
import { createHash, webcrypto } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { LineCounter, parseAllDocuments } from 'yaml';
import { describeScenarioIssues, scenarioFileSchema, type ScenarioFile } from './scenario-schema';
import { scenariosRoot } from './scenarios-root';
import type { KubeObject, LogFile, Scenario, SkippedFile, Snapshot } from './snapshot-types';

export class NotASnapshotError extends Error {
  override name = 'NotASnapshotError';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`${dir} is not a snapshot folder: ${reason}`);
  }
}

export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
  constructor(
    readonly file: string,
    readonly details: string,
  ) {
    super(`${file} is invalid:\n${details}`);
  }
}

export interface LoadSnapshotOptions {
  /** The moment the snapshot is served at; timestamps move by (now - capturedAt). Default: now. */
  now?: Date;
  /** Where `base: <name>` is looked up when no sibling folder has that name. Default: scenariosRoot(). */
  scenariosDir?: string;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** A stable UUID for an object that has none, so owners and owned objects agree across loads. */
export function stableUid(kind: string, namespace: string | undefined, name: string): string {
  const hex = createHash('sha1').update(`roadside:${kind}/${namespace ?? ''}/${name}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Moves an RFC3339 string by `shiftMs`, keeping its fractional precision; UTC output. */
export function shiftTimestamp(value: string, shiftMs: number): string {
  const m = RFC3339.exec(value);
  if (!m) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const shifted = new Date(date.getTime() + shiftMs).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const fraction = m[2] ?? '';
  if (!fraction) return `${shifted.slice(0, 19)}Z`;
  // Shifts are whole seconds, so digits below the millisecond come from the original.
  const digits = fraction.slice(1);
  const ms = shifted.slice(20, 23);
  const kept = digits.length <= 3 ? ms.slice(0, digits.length) : ms + digits.slice(3);
  return `${shifted.slice(0, 19)}.${kept}Z`;
}

function shiftStrings(value: unknown, shiftMs: number): unknown {
  if (typeof value === 'string') return RFC3339.test(value) ? shiftTimestamp(value, shiftMs) : value;
  if (Array.isArray(value)) return value.map((v) => shiftStrings(v, shiftMs));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = shiftStrings(v, shiftMs);
    return out;
  }
  return value;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

// Timestamps that programs print inside their own log text (nginx error log, klog, Python
// logging), shifted along with the line prefix so a replayed log stays self-consistent.
const EMBEDDED_TIMES: Array<{ pattern: RegExp; shift: (m: RegExpExecArray, shiftMs: number, year: number) => string }> = [
  {
    pattern: /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/gi,
    shift: (m, shiftMs) => shiftTimestamp(m[0], shiftMs),
  },
  {
    pattern: /\b(\d{4})([/-])(\d{2})\2(\d{2}) (\d{2}):(\d{2}):(\d{2})(?=[ ,.]|$)/g,
    shift: (m, shiftMs) => {
      const d = new Date(Date.UTC(+m[1], +m[3] - 1, +m[4], +m[5], +m[6], +m[7]) + shiftMs);
      const sepChar = m[2];
      return `${d.getUTCFullYear()}${sepChar}${pad(d.getUTCMonth() + 1)}${sepChar}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    },
  },
  {
    // klog header: I0110 09:58:01.123456
    pattern: /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?=\.\d+ )/,
    shift: (m, shiftMs, year) => {
      const d = new Date(Date.UTC(year, +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + shiftMs);
      return `${m[1]}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    },
  },
];

/** Shifts the RFC3339 prefix of a log line and the timestamps its program printed inside it. */
export function shiftLogLine(line: string, shiftMs: number): string {
  const space = line.indexOf(' ');
  const head = space === -1 ? line : line.slice(0, space);
  if (!RFC3339.test(head)) return line;
  const year = new Date(head).getUTCFullYear();
  let rest = space === -1 ? '' : line.slice(space + 1);
  for (const { pattern, shift } of EMBEDDED_TIMES) {
    rest = rest.replace(pattern, (...args) => {
      const match = Object.assign(args.slice(0, -2) as string[], { index: 0, input: rest }) as unknown as RegExpExecArray;
      return shift(match, shiftMs, year);
    });
  }
  return space === -1 ? shiftTimestamp(head, shiftMs) : `${shiftTimestamp(head, shiftMs)} ${rest}`;
}

function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export function objectKey(o: { apiVersion?: string; kind: string; namespace?: string; name: string }): string {
  return `${o.apiVersion === undefined ? '*' : apiGroup(o.apiVersion)}|${o.kind}|${o.namespace ?? ''}|${o.name}`;
}

function keyOf(obj: KubeObject): string {
  return objectKey({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name });
}

function logKey(l: { namespace: string; pod: string; container: string; previous: boolean }): string {
  return `${l.namespace}/${l.pod}/${l.container}${l.previous ? '.previous' : ''}.log`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading files

interface ParsedObject {
  object: KubeObject;
}

/** Why `value` is not a Kubernetes object, or undefined when it is one. */
function objectProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a mapping';
  if (typeof value.apiVersion !== 'string' || !value.apiVersion) return 'missing apiVersion';
  if (typeof value.kind !== 'string' || !value.kind) return 'missing kind';
  if (!isRecord(value.metadata)) return 'missing metadata';
  if (typeof value.metadata.name !== 'string' || !value.metadata.name) return 'missing metadata.name';
  return undefined;
}

function isList(value: unknown): value is Record<string, unknown> & { items: unknown[] } {
  return isRecord(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
}

/** Turns one parsed document into objects (expanding Lists) and problems. */
function collectObjects(value: unknown, file: string, line: number | undefined, out: ParsedObject[], skipped: SkippedFile[]) {
  if (value === null || value === undefined) return; // empty document, e.g. a trailing `---`
  if (isList(value)) {
    const listKind = value.kind as string;
    // Items of a typed list (PodList from the API) may omit kind and apiVersion.
    const itemKind = listKind === 'List' ? undefined : listKind.slice(0, -'List'.length);
    value.items.forEach((item, i) => {
      const filled =
        isRecord(item) && itemKind
          ? { apiVersion: value.apiVersion, kind: itemKind, ...item }
          : item;
      const problem = objectProblem(filled);
      if (problem) skipped.push({ file, line, reason: `items[${i}]: ${problem}` });
      else out.push({ object: structuredClone(filled) as KubeObject });
    });
    return;
  }
  const problem = objectProblem(value);
  if (problem) skipped.push({ file, line, reason: problem });
  else out.push({ object: value as KubeObject });
}

function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parseResourceFile(text: string, file: string, out: ParsedObject[], skipped: SkippedFile[]) {
  if (file.toLowerCase().endsWith('.json')) {
    try {
      collectObjects(JSON.parse(text), file, undefined, out, skipped);
    } catch (e) {
      const message = (e as Error).message;
      const position = /position (\d+)/.exec(message);
      const lineMatch = /line (\d+)/.exec(message);
      const line = lineMatch ? Number(lineMatch[1]) : position ? lineAtOffset(text, Number(position[1])) : undefined;
      skipped.push({ file, line, reason: `invalid JSON: ${message}` });
    }
    return;
  }
  const lineCounter = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false });
  } catch (e) {
    skipped.push({ file, reason: `invalid YAML: ${(e as Error).message}` });
    return;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const docLine = doc.range ? lineCounter.linePos(doc.range[0]).line : undefined;
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = err.linePos?.[0]?.line ?? docLine;
      skipped.push({ file, line, reason: `invalid YAML: ${err.message.split('\n')[0]}` });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      skipped.push({ file, line: docLine, reason: `invalid YAML: ${(e as Error).message}` });
      continue;
    }
    // The document's first content line, not the `---` marker line.
    const contentLine = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : docLine;
    collectObjects(value, file, contentLine, out, skipped);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---------------------------------------------------------------------------------------------
// One folder, with its base folders resolved

interface Layer {
  objects: Map<string, KubeObject>;
  logs: Map<string, LogFile>;
  file: ScenarioFile | undefined;
  scenario: Omit<Scenario, 'name' | 'title'> & { name?: string; title?: Scenario['title'] };
  skipped: SkippedFile[];
}

async function readScenarioFile(dir: string, topDir: string): Promise<ScenarioFile | undefined> {
  for (const name of ['scenario.yaml', 'scenario.yml']) {
    const path = join(dir, name);
    if (!(await isFile(path))) continue;
    const shown = relative(topDir, path) || name;
    const text = await readFile(path, 'utf8');
    const docs = parseAllDocuments(text, { prettyErrors: true });
    const doc = Array.isArray(docs) ? docs[0] : docs;
    if (!doc) throw new ScenarioFileError(shown, '(top level): empty file; at least `name` is required');
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      throw new ScenarioFileError(shown, `line ${err.linePos?.[0]?.line ?? '?'}: ${err.message.split('\n')[0]}`);
    }
    const parsed = scenarioFileSchema.safeParse(doc.toJS() ?? {});
    if (!parsed.success) throw new ScenarioFileError(shown, describeScenarioIssues(parsed.error));
    return parsed.data;
  }
  return undefined;
}

async function resolveBaseDir(dir: string, base: string, opts: LoadSnapshotOptions): Promise<string> {
  const candidates: string[] = [];
  if (isAbsolute(base) || base.startsWith('.') || base.includes('/') || base.includes(sep)) {
    candidates.push(resolve(dir, base));
  } else {
    candidates.push(resolve(dir, '..', base));
    if (opts.scenariosDir) candidates.push(join(opts.scenariosDir, base));
    try {
      candidates.push(join(scenariosRoot(), base));
    } catch {
      // No built-in scenarios reachable; the candidates above are all there is.
    }
  }
  for (const c of candidates) if (await isDirectory(c)) return c;
  throw new ScenarioFileError(join(relative(process.cwd(), dir) || '.', 'scenario.yaml'), `base: no scenario folder named "${base}" (looked in ${candidates.join(', ')})`);
}

async function readLayer(dir: string, topDir: string, opts: LoadSnapshotOptions, chain: string[]): Promise<Layer> {
  if (!(await isDirectory(dir))) {
    const exists = await stat(dir).then(
      () => true,
      () => false,
    );
    throw new NotASnapshotError(dir, exists ? 'it is a file, not a folder' : 'the folder does not exist');
  }
  const hasResources = await isDirectory(join(dir, 'resources'));
  const file = await readScenarioFile(dir, topDir);
  if (!hasResources && !file) {
    throw new NotASnapshotError(dir, 'it has neither a resources/ folder nor a scenario.yaml');
  }

  let layer: Layer;
  if (file?.base) {
    const baseDir = await resolveBaseDir(dir, file.base, opts);
    if (chain.includes(resolve(baseDir))) {
      throw new ScenarioFileError(relative(topDir, join(dir, 'scenario.yaml')) || 'scenario.yaml', `base: "${file.base}" leads back to itself (${[...chain, baseDir].join(' -> ')})`);
    }
    layer = await readLayer(baseDir, topDir, opts, [...chain, resolve(baseDir)]);
  } else {
    layer = {
      objects: new Map(),
      logs: new Map(),
      file: undefined,
      scenario: { latencyMs: 0, users: [], exec: [], http: [], metrics: { pods: [], nodes: [] }, volumes: [], expect: [] },
      skipped: [],
    };
  }

  const shown = (path: string) => relative(topDir, path).split(sep).join('/');
  const scenarioShown = shown(join(dir, 'scenario.yaml'));

  // Removals address the base; this folder's own files come next, then patches apply to the result.
  if (file) {
    for (const ref of file.remove) {
      const matches = [...layer.objects.entries()].filter(([, o]) => matchesRef(o, ref));
      if (matches.length === 0) layer.skipped.push({ file: scenarioShown, reason: `remove: no ${describeRef(ref)} in the base` });
      for (const [key, o] of matches) {
        layer.objects.delete(key);
        if (o.kind === 'Pod') {
          for (const [lk, l] of layer.logs) if (l.namespace === o.metadata.namespace && l.pod === o.metadata.name) layer.logs.delete(lk);
        }
      }
    }
    for (const path of file.removeLogs) {
      if (!layer.logs.delete(path)) layer.skipped.push({ file: scenarioShown, reason: `removeLogs: no log ${path} in the base` });
    }
  }

  for (const path of await listFiles(join(dir, 'resources'))) {
    if (!/\.(ya?ml|json)$/i.test(path)) continue;
    const parsed: ParsedObject[] = [];
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      layer.skipped.push({ file: shown(path), reason: `unreadable: ${(e as Error).message}` });
      continue;
    }
    parseResourceFile(text, shown(path), parsed, layer.skipped);
    for (const { object } of parsed) layer.objects.set(keyOf(object), object);
  }

  const logsDir = join(dir, 'logs');
  for (const path of await listFiles(logsDir)) {
    const parts = relative(logsDir, path).split(sep);
    const fileName = parts[2] ?? '';
    const match = /^(.+?)(\.previous)?\.log$/.exec(fileName);
    if (parts.length !== 3 || !match) {
      layer.skipped.push({ file: shown(path), reason: 'not a log file: expected logs/<namespace>/<pod>/<container>.log or <container>.previous.log' });
      continue;
    }
    const log: LogFile = {
      namespace: parts[0],
      pod: parts[1],
      container: match[1],
      previous: Boolean(match[2]),
      lines: splitLines(await readFile(path, 'utf8')),
    };
    layer.logs.set(logKey(log), log);
  }

  if (file) {
    for (const p of file.patches) {
      const matches = [...layer.objects.entries()].filter(([, o]) => matchesRef(o, p));
      if (matches.length === 0) layer.skipped.push({ file: scenarioShown, reason: `patches: no ${describeRef(p)} found` });
      for (const [key, o] of matches) layer.objects.set(key, mergePatch(o, p.patch) as KubeObject);
    }
    layer.file = file;
    layer.scenario = mergeScenario(layer.scenario, file);
  }
  return layer;
}

function matchesRef(o: KubeObject, ref: { apiVersion?: string; kind: string; namespace?: string; name: string }): boolean {
  return (
    o.kind === ref.kind &&
    o.metadata.name === ref.name &&
    (o.metadata.namespace ?? '') === (ref.namespace ?? '') &&
    (ref.apiVersion === undefined || apiGroup(ref.apiVersion) === apiGroup(o.apiVersion))
  );
}

function describeRef(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** The overlay's replies come first (first match wins); keyed entries replace the base's. */
function mergeScenario(base: Layer['scenario'], file: ScenarioFile): Layer['scenario'] {
  const byKey = <T>(overlay: T[], baseList: T[], key: (t: T) => string) => {
    const keys = new Set(overlay.map(key));
    return [...overlay, ...baseList.filter((t) => !keys.has(key(t)))];
  };
  const dropped = new Set(file.dropExpect);
  const expect = base.expect.filter((e) => !dropped.has(e.check));
  for (const e of file.expect) {
    const i = expect.findIndex((b) => b.check === e.check);
    if (i === -1) expect.push(e);
    else expect[i] = e;
  }
  return {
    name: file.name,
    title: file.title,
    description: file.description,
    base: file.base,
    capturedAt: file.capturedAt ?? base.capturedAt,
    latencyMs: file.latencyMs ?? base.latencyMs,
    users: file.users ?? base.users,
    exec: [...file.exec, ...base.exec],
    http: [...file.http, ...base.http],
    metrics: {
      pods: byKey(file.metrics.pods, base.metrics.pods, (p) => `${p.namespace}/${p.pod}`),
      nodes: byKey(file.metrics.nodes, base.metrics.nodes, (n) => n.node),
    },
    volumes: byKey(file.volumes, base.volumes, (v) => `${v.namespace}/${v.pvc}`),
    expect,
  };
}

// ---------------------------------------------------------------------------------------------
// Serving-time adjustments

/** Helm keeps a release as base64(gzip(JSON)) inside the Secret's (base64) data. */
function shiftHelmRelease(obj: KubeObject, shiftMs: number): void {
  if (obj.kind !== 'Secret' || obj.type !== 'helm.sh/release.v1') return;
  const data = obj.data as Record<string, string> | undefined;
  if (!data?.release) return;
  try {
    const inner = Buffer.from(data.release, 'base64').toString('utf8');
    const json = JSON.parse(gunzipSync(Buffer.from(inner, 'base64')).toString('utf8'));
    const shifted = shiftStrings(json, shiftMs);
    const repacked = gzipSync(Buffer.from(JSON.stringify(shifted))).toString('base64');
    data.release = Buffer.from(repacked).toString('base64');
  } catch {
    // Not Helm's encoding after all: serve it as it was captured.
  }
}

type X509Module = typeof import('@peculiar/x509');
let x509Module: Promise<X509Module> | undefined;
/** Loaded on first use: most snapshots hold no certificate to re-sign. */
function loadX509(): Promise<X509Module> {
  x509Module ??= import('reflect-metadata').then(async () => {
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x509;
  });
  return x509Module;
}

function pemBody(pem: string, label: string): Buffer | undefined {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  return m ? Buffer.from(m[1].replace(/\s+/g, ''), 'base64') : undefined;
}

/**
 * A self-signed TLS secret whose key is in the snapshot is re-signed with its validity moved
 * by the time shift, so "expires in N days" holds whenever the snapshot is served.
 */
async function shiftSelfSignedCertificate(obj: KubeObject, shiftMs: number): Promise<void> {
  if (obj.kind !== 'Secret' || obj.type !== 'kubernetes.io/tls') return;
  const data = obj.data as Record<string, string> | undefined;
  if (!data?.['tls.crt'] || !data['tls.key']) return;
  try {
    const x509 = await loadX509();
    const certPem = Buffer.from(data['tls.crt'], 'base64').toString('utf8');
    const keyDer = pemBody(Buffer.from(data['tls.key'], 'base64').toString('utf8'), 'PRIVATE KEY');
    if (!keyDer) return;
    const cert = new x509.X509Certificate(certPem);
    if (cert.subject !== cert.issuer) return;
    const algorithm = cert.signatureAlgorithm as unknown as EcdsaParams & RsaHashedImportParams & { namedCurve?: string };
    const publicKey = await cert.publicKey.export(webcrypto as unknown as Crypto);
    const importAlg = publicKey.algorithm as EcKeyImportParams | RsaHashedImportParams;
    const signingKey = await webcrypto.subtle.importKey('pkcs8', keyDer, importAlg, false, ['sign']);
    const reissued = await x509.X509CertificateGenerator.create({
      serialNumber: cert.serialNumber,
      subject: cert.subject,
      issuer: cert.issuer,
      notBefore: new Date(cert.notBefore.getTime() + shiftMs),
      notAfter: new Date(cert.notAfter.getTime() + shiftMs),
      extensions: cert.extensions,
      signingAlgorithm: algorithm,
      publicKey,
      signingKey: signingKey as unknown as CryptoKey,
    });
    data['tls.crt'] = Buffer.from(reissued.toString('pem') + '\n').toString('base64');
  } catch {
    // A key that does not match or an algorithm webcrypto lacks: keep the captured certificate.
  }
}

function secondsPrecision(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

function fillMetadata(objects: KubeObject[], createdAt: string): void {
  for (const obj of objects) {
    const md = obj.metadata;
    md.uid ??= stableUid(obj.kind, md.namespace, md.name);
    md.creationTimestamp ??= createdAt;
    // Derived from the object's identity so an overlay does not renumber untouched objects.
    md.resourceVersion ??= String(parseInt(md.uid.replace(/-/g, '').slice(0, 7), 16) || 1);
    for (const ref of md.ownerReferences ?? []) {
      if (!ref.uid) ref.uid = stableUid(ref.kind, md.namespace, ref.name);
    }
  }
}

function defaultTitle(name: string) {
  return { es: name, en: name };
}

/**
 * Reads a snapshot folder. Files that cannot be read end up in `skipped`; an invalid
 * scenario.yaml throws ScenarioFileError; a folder that is not a snapshot throws NotASnapshotError.
 */
export async function loadSnapshot(dir: string, opts: LoadSnapshotOptions = {}): Promise<Snapshot> {
  const top = resolve(dir);
  const layer = await readLayer(top, top, opts, [top]);
  const now = opts.now ?? new Date();
  const name = layer.scenario.name ?? (basename(top).toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'snapshot');
  const scenario: Scenario = {
    ...layer.scenario,
    name,
    title: layer.scenario.title ?? defaultTitle(name),
  };
  if (scenario.description === undefined) delete scenario.description;
  if (scenario.base === undefined) delete scenario.base;
  if (scenario.capturedAt === undefined) delete scenario.capturedAt;

  const captured = scenario.capturedAt ? new Date(scenario.capturedAt) : undefined;
  const shiftMs = captured ? Math.round((now.getTime() - captured.getTime()) / 1000) * 1000 : 0;

  let objects = [...layer.objects.values()];
  let logs = [...layer.logs.values()];
  if (shiftMs !== 0) {
    objects = objects.map((o) => shiftStrings(o, shiftMs) as KubeObject);
    for (const o of objects) shiftHelmRelease(o, shiftMs);
    await Promise.all(objects.map((o) => shiftSelfSignedCertificate(o, shiftMs)));
    logs = logs.map((l) => ({ ...l, lines: l.lines.map((line) => shiftLogLine(line, shiftMs)) }));
  }
  fillMetadata(objects, secondsPrecision(captured ? new Date(captured.getTime() + shiftMs) : now));

  return { source: top, objects, logs, scenario, skipped: layer.skipped };
}
