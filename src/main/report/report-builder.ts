// Assembles an escalation from an incident: the six sections of the runbook's "Información
// para Reportes", the cluster as a replayable snapshot, logs and attachments, and writes it
// as one bundle. Every byte that leaves goes through one Redactor per bundle.
import { createReadStream } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { Readable, Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify as stringifyYaml } from 'yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Settings } from '../../shared/contract';
import {
  BUNDLE_FORMAT,
  DEFAULT_CHANNEL_FOR_LEVEL,
  DEFAULT_ESCALATION_CHANNELS,
  type BuildResult,
  type BundleManifest,
  type BundlePreview,
  type EnvironmentSummary,
  type EscalationChannelKind,
  type EscalationChannels,
  type PreviewFile,
  type RenderedReport,
  type ReportAttachmentInfo,
  type ReportDraft,
  type ReportIncidentSummary,
  type ReportRequest,
  type TimelineItem,
} from '../../shared/contract-report';
import type { EscalationLevel, Incident, IncidentSeverity, TimelineEntry } from '../../shared/incidents';
import { RoadsideError } from '../errors';
import { HELM_RELEASE_SECRET_TYPE, decodeReleasePayload, summarizeRelease } from '../checks/helm-release';
import type { KObject } from '../checks/types';
import { IncidentStore } from '../incidents';
import { collectCluster, LiveCollectionError, itemsOf, type ClusterCollection } from './cluster-collection';
import { podInfo, summarizeEnvironment } from './environment';
import { openContainerLog, releaseContainerLogConnections } from '../kube/pod-log';
import { createRedactor, findTokenSpans, type Redactor } from './redaction';
import { renderHtml, renderMarkdown, renderSummary, type ReportLogFile, type ReportModel } from './render';
import { BundleZipWriter } from './bundle-zip-writer';

export interface ReportDeps {
  dataDir: string;
  version: string;
  settings(): Settings;
  kubeConfigFor(context?: string): Promise<{ name: string; kc: KubeConfig }>;
  /** Context chosen in the app, used when neither the request nor the incident names one. */
  selectedContext?(): { context?: string; namespace: string };
  onProgress?(phase: string, done: number, total: number): void;
}

export const DEFAULT_NAMESPACE = 'traffic-system';
const TIMELINE_IN_REPORT = 200;
const MAX_TIMELINE_ENTRIES = 100_000;
const EXCERPT_LINES = 20;
const PREVIEW_EXCERPT_BYTES = 48 * 1024;
/** Log responses opened ahead of the one being written (bounded: each holds at most a socket's buffer). */
const LOG_PREFETCH = 6;
const ERROR_LINE = /\b(?:ERROR|Error|error|FATAL|Fatal|CRITICAL|Exception|Traceback|panic|refused|timed? ?out|5\d\d)\b/;

const TEXT_MEDIA = /^(text\/|application\/(json|x-ndjson|yaml|x-yaml|xml|x-sh|sql|javascript|toml|x-log))/i;

function levelForSeverity(sev: IncidentSeverity): EscalationLevel {
  return sev === 'SEV1' ? 'Emergency' : sev === 'SEV2' ? 'L2' : 'L1';
}

function safeName(name: string): string {
  const cleaned = basename(name).replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_').slice(0, 120);
  return cleaned || 'attachment';
}

interface LogJob {
  path: string;
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
}

interface Prepared {
  incident: Incident;
  entries: TimelineEntry[];
  attachments: ReportAttachmentInfo[];
  chosen: Array<ReportAttachmentInfo & { path: string; exempted?: string }>;
  excluded: Array<{ path: string; reason: string }>;
  collection?: ClusterCollection;
  environment?: EnvironmentSummary;
  liveError?: string;
  kc?: KubeConfig;
  context?: string;
  namespace: string;
  level: EscalationLevel;
  channel: EscalationChannelKind;
  channels: EscalationChannels;
  engineer: string;
  description: string;
  steps: string;
  impact: string;
  logJobs: LogJob[];
  notes: string[];
}

function withStore<T>(deps: ReportDeps, work: (store: IncidentStore) => T): T {
  const store = IncidentStore.open(deps.dataDir);
  try {
    return work(store);
  } finally {
    store.close();
  }
}

export function channelsOf(settings: Settings): EscalationChannels {
  return { ...DEFAULT_ESCALATION_CHANNELS, ...(settings.escalationChannels ?? {}) };
}

export function listReportIncidents(deps: ReportDeps): ReportIncidentSummary[] {
  return withStore(deps, (store) =>
    store.listIncidents({ limit: 500 }).map((i) => ({
      id: i.id,
      title: i.title,
      severity: i.severity,
      status: i.status,
      startedAt: i.startedAt,
      ...(i.context ? { context: i.context } : {}),
      ...(i.namespace ? { namespace: i.namespace } : {}),
    })),
  );
}

function allEntries(store: IncidentStore, id: string): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  let after: string | undefined;
  for (;;) {
    const page = store.listEntries(id, { order: 'oldest', limit: 1000, ...(after ? { after } : {}) });
    out.push(...page.entries);
    if (!page.next || out.length >= MAX_TIMELINE_ENTRIES) break;
    after = page.next;
  }
  return out;
}

/** Steps a person can follow to see the problem: the failing checks' kubectl commands and the actions taken. */
export function defaultSteps(entries: TimelineEntry[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.kind === 'finding' && (e.data.status === 'fail' || e.data.status === 'error') && e.data.command && !seen.has(e.data.command)) {
      seen.add(e.data.command);
      lines.push(`${lines.length + 1}. ${e.data.checkId}: \`${e.data.command}\` (${e.data.message})`);
    }
    if (e.kind === 'action') lines.push(`${lines.length + 1}. Action ${e.data.actionId}${e.data.target ? ` on ${e.data.target}` : ''}: ${e.data.result}`);
  }
  return lines.join('\n');
}

function isTextAttachment(a: { mediaType: string; name: string }): boolean {
  return TEXT_MEDIA.test(a.mediaType) || /\.(log|txt|md|json|ya?ml|csv|conf|ini|sql|sh|env)$/i.test(a.name);
}

async function prepare(deps: ReportDeps, req: ReportRequest, mode: 'draft' | 'bundle'): Promise<Prepared> {
  const { incident, entries } = withStore(deps, (store) => ({ incident: store.getIncident(req.incidentId), entries: allEntries(store, req.incidentId) }));
  const settings = deps.settings();
  const selected = deps.selectedContext?.();
  const namespace = req.namespace ?? incident.namespace ?? selected?.namespace ?? DEFAULT_NAMESPACE;
  const wantedContext = req.context ?? incident.context ?? selected?.context;
  const level = req.level ?? incident.escalationLevel ?? levelForSeverity(incident.severity);
  const notes: string[] = [];

  const attachments: ReportAttachmentInfo[] = [];
  const seenSha = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'attachment' || seenSha.has(e.data.sha256)) continue;
    seenSha.add(e.data.sha256);
    attachments.push({ sha256: e.data.sha256, name: e.data.name, mediaType: e.data.mediaType, size: e.data.size, at: e.at, text: isTextAttachment(e.data) });
  }

  let collection: ClusterCollection | undefined;
  let liveError: string | undefined;
  let kc: KubeConfig | undefined;
  let context = wantedContext;
  if (req.live) {
    try {
      const resolved = await deps.kubeConfigFor(wantedContext);
      kc = resolved.kc;
      context = resolved.name;
      deps.onProgress?.('collect', 0, 1);
      collection = await collectCluster({ kubeConfig: kc, context: resolved.name, namespace, timeoutMs: Math.max(settings.probeTimeoutMs * 2, 5000) });
      deps.onProgress?.('collect', 1, 1);
    } catch (err) {
      if (!(err instanceof LiveCollectionError) && !(err instanceof RoadsideError)) throw err;
      liveError = err.message;
      kc = undefined;
    }
  } else {
    notes.push('Live collection was turned off; the cluster was not read.');
  }
  const environment = collection ? summarizeEnvironment(collection) : undefined;

  const exemptions = new Map(req.redaction.exemptions.map((x) => [x.file, x.reason]));
  const chosenShas = req.attachments ? new Set(req.attachments) : undefined;
  const chosen: Prepared['chosen'] = [];
  const excluded: Prepared['excluded'] = [];
  const usedNames = new Set<string>();
  for (const a of attachments) {
    if (chosenShas && !chosenShas.has(a.sha256)) continue;
    let name = safeName(a.name);
    for (let i = 2; usedNames.has(name); i++) name = `${i}-${safeName(a.name)}`;
    usedNames.add(name);
    const path = `attachments/${name}`;
    if (!a.text && !exemptions.has(path)) {
      excluded.push({ path, reason: `binary (${a.mediaType}): it cannot be redacted; include it only by exempting it from redaction with a reason` });
      continue;
    }
    chosen.push({ ...a, path, ...(exemptions.has(path) ? { exempted: exemptions.get(path) } : {}) });
  }

  const logJobs: LogJob[] = [];
  if (collection && mode === 'bundle') {
    const wantedPods = req.logs.pods ? new Set(req.logs.pods) : undefined;
    for (const pod of itemsOf(collection, 'Pod')) {
      if (wantedPods && !wantedPods.has(pod.metadata.name)) continue;
      const info = podInfo(pod);
      const statuses = (pod.status?.containerStatuses ?? []) as Array<{ name: string; restartCount?: number; state?: { waiting?: unknown; running?: unknown; terminated?: unknown } }>;
      for (const container of info.containers) {
        const status = statuses.find((s) => s.name === container);
        const started = !status || status.state?.running || status.state?.terminated || (status.restartCount ?? 0) > 0;
        if (started) logJobs.push({ path: `cluster/logs/${namespace}/${pod.metadata.name}/${container}.log`, namespace, pod: pod.metadata.name, container, previous: false });
        if (req.logs.previous !== false && (status?.restartCount ?? 0) > 0) {
          logJobs.push({ path: `cluster/logs/${namespace}/${pod.metadata.name}/${container}.previous.log`, namespace, pod: pod.metadata.name, container, previous: true });
        }
      }
    }
    const limits = [req.logs.sinceSeconds ? `--since=${req.logs.sinceSeconds}s` : '', req.logs.tailLines ? `--tail=${req.logs.tailLines}` : ''].filter(Boolean);
    if (limits.length) notes.push(`Logs were read with ${limits.join(' ')}.`);
  }

  return {
    incident,
    entries,
    attachments,
    chosen,
    excluded,
    collection,
    environment,
    liveError,
    kc,
    context,
    namespace,
    level,
    channel: req.channel ?? DEFAULT_CHANNEL_FOR_LEVEL[level],
    channels: channelsOf(settings),
    engineer: req.engineer?.trim() || incident.createdBy,
    description: req.description ?? (incident.description || incident.summary || incident.title),
    steps: req.steps ?? defaultSteps(entries),
    impact: req.impact ?? incident.impact,
    logJobs,
    notes,
  };
}

function timelineItems(entries: TimelineEntry[]): TimelineItem[] {
  return entries.map((e) => ({ at: e.at, kind: e.kind, author: e.author, title: e.title }));
}

function findingsOf(entries: TimelineEntry[]) {
  return entries.flatMap((e) =>
    e.kind === 'finding' ? [{ at: e.at, checkId: e.data.checkId, status: e.data.status, message: e.data.message, ...(e.data.command ? { command: e.data.command } : {}) }] : [],
  );
}

export async function draftReport(deps: ReportDeps, req: { incidentId: string; context?: string; namespace?: string; live: boolean }): Promise<ReportDraft> {
  const p = await prepare(deps, { ...req, logs: {}, redaction: { customLiterals: [], customPatterns: [], exemptions: [] } }, 'draft');
  return {
    incident: p.incident,
    ...(p.context ? { context: p.context } : {}),
    namespace: p.namespace,
    level: p.level,
    channel: p.channel,
    channels: p.channels,
    engineer: p.engineer,
    description: p.description,
    steps: p.steps,
    impact: p.impact,
    timeline: timelineItems(p.entries),
    findings: findingsOf(p.entries),
    attachments: p.attachments,
    ...(p.environment ? { environment: p.environment } : {}),
    ...(p.liveError ? { liveError: p.liveError } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// What each file of the bundle holds

function toBase64Token(redactor: Redactor, file: string, value: unknown): string {
  const v = typeof value === 'string' ? value : '';
  if (v === '') return '';
  if (/^\[REDACTED:[a-z0-9-]+:[0-9a-f]{6}\]$/.test(v)) return Buffer.from(v).toString('base64');
  // The engine hides every Secret value; this is the guarantee in case one slipped through.
  redactor.ledger.record(file, 'secret-data');
  return Buffer.from(redactor.tokenFor('secret-data', Buffer.from(v, 'base64').toString('latin1'))).toString('base64');
}

/** A Helm release record reduced to identity and state, encoded as Helm does, so replayed `helm history` checks still work. */
function sanitizedHelmRelease(redactor: Redactor, original: string | undefined): string | undefined {
  if (!original) return undefined;
  try {
    const summary = summarizeRelease(decodeReleasePayload(original));
    const release = {
      name: summary.name,
      namespace: summary.namespace,
      version: summary.revision,
      info: { status: summary.status, first_deployed: summary.firstDeployed, last_deployed: summary.lastDeployed, description: summary.description },
      chart: { metadata: { name: summary.chart, version: summary.chartVersion, appVersion: summary.appVersion } },
    };
    const clean = redactor.redactObject(release).value;
    const helmEncoded = gzipSync(Buffer.from(JSON.stringify(clean))).toString('base64');
    return Buffer.from(helmEncoded).toString('base64');
  } catch {
    return undefined;
  }
}

/**
 * Redacts one kind's objects for cluster/resources/. Secret values are never written: each
 * becomes base64 of its token, so the replay serves a Secret that decodes like a real one.
 */
export function redactResources(redactor: Redactor, file: string, kind: string, apiVersion: string, items: KObject[]): string {
  const originals = new Map(items.map((o) => [o.metadata.name, o]));
  const { value } = redactor.redactObject(items, file);
  const out = (value as KObject[]).map((o) => {
    if (o.kind !== 'Secret') return o;
    const original = originals.get(o.metadata.name);
    const copy: KObject = { ...o };
    if (o.data) {
      copy.data = Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, toBase64Token(redactor, file, v)]));
      if (o.type === HELM_RELEASE_SECRET_TYPE && copy.data.release !== undefined) {
        const helm = sanitizedHelmRelease(redactor, original?.data?.release);
        if (helm) copy.data.release = helm;
      }
    }
    if (o.stringData) {
      copy.data = { ...(copy.data ?? {}), ...Object.fromEntries(Object.keys(o.stringData).map((k) => [k, toBase64Token(redactor, file, Buffer.from(String(o.stringData[k])).toString('base64'))])) };
      delete copy.stringData;
    }
    return copy;
  });
  return JSON.stringify({ apiVersion, kind: `${kind}List`, items: out }, null, 1) + '\n';
}

/** Counts lines and keeps the first lines that look like errors, from already-redacted output. */
class LogTap extends Transform {
  lines = 0;
  bytes = 0;
  readonly excerpt: string[] = [];
  private carry = '';
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    let i = -1;
    while ((i = chunk.indexOf(10, i + 1)) !== -1) this.lines++;
    if (this.excerpt.length < EXCERPT_LINES) {
      const text = this.carry + chunk.toString('utf8');
      const parts = text.split('\n');
      this.carry = (parts.pop() ?? '').slice(-4096);
      for (const line of parts) {
        if (ERROR_LINE.test(line)) {
          this.excerpt.push(line.length > 400 ? `${line.slice(0, 399)}…` : line);
          if (this.excerpt.length >= EXCERPT_LINES) break;
        }
      }
    }
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.carry && this.excerpt.length < EXCERPT_LINES && ERROR_LINE.test(this.carry)) this.excerpt.push(this.carry.slice(0, 400));
    if (this.carry) this.lines++;
    cb();
  }
}

/** Turns a broken source into a clean end with a line saying why, so one pod cannot spoil the bundle. */
function endCleanlyOnError(source: Readable, what: string): Readable {
  const out = new Transform({ transform: (c, _e, cb) => cb(null, c) });
  source.on('error', (err) => {
    out.end(`\nroadside: ${what} was cut short: ${err.message}\n`);
  });
  source.pipe(out);
  return out;
}

interface LogOpening {
  job: LogJob;
  stream: Promise<Readable>;
}

function openLog(p: Prepared, req: ReportRequest, job: LogJob): LogOpening {
  const stream = openContainerLog(p.kc!, {
    namespace: job.namespace,
    pod: job.pod,
    container: job.container,
    previous: job.previous,
    sinceSeconds: req.logs.sinceSeconds,
    tailLines: req.logs.tailLines,
  }).then(
    (res) => endCleanlyOnError(res, `the log of ${job.pod}/${job.container}`),
    (err: Error) => Readable.from([Buffer.from(`roadside: could not read this log: ${err.message}\n`)]),
  );
  stream.catch(() => undefined);
  return { job, stream };
}

/** Small YAML/JSON attachments are redacted as documents (Kubernetes-aware); everything else line by line. */
const DOCUMENT_ATTACHMENT_BYTES = 8 * 1024 * 1024;

function redactedAttachment(deps: ReportDeps, redactor: Redactor, a: Prepared['chosen'][number]): Readable {
  if (a.exempted) return attachmentSource(deps, a.sha256);
  if (/\.(ya?ml|json)$/i.test(a.name) && a.size <= DOCUMENT_ATTACHMENT_BYTES) {
    const text = withStore(deps, (store) => store.readAttachment(a.sha256)).toString('utf8');
    const ext = a.name.toLowerCase().endsWith('.json') ? '.json' : '.yaml';
    // The format comes from the attachment's own name even when the bundle's name differs.
    const r = a.path.toLowerCase().endsWith(ext) ? redactor.redactFileContent(a.path, text) : redactor.redactDocument(text, a.path);
    return Readable.from([Buffer.from(r.text, 'utf8')]);
  }
  return attachmentSource(deps, a.sha256).pipe(redactor.redactLineStream(a.path));
}

function attachmentSource(deps: ReportDeps, sha256: string): Readable {
  return withStore(deps, (store) => {
    const file = store.attachmentFile(sha256);
    return file ? createReadStream(file) : Readable.from([store.readAttachment(sha256)]);
  });
}

function scenarioYaml(p: Prepared, capturedAt: Date): string {
  const title = `Bundle: ${p.incident.title}`.slice(0, 200);
  return stringifyYaml({
    name: `bundle-${p.incident.id.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 12) || 'incident'}`,
    title: { es: title, en: title },
    description: {
      es: `Capturado de ${p.context ?? '(sin contexto)'} / ${p.namespace} por Roadside para escalar el incidente ${p.incident.id}.`,
      en: `Captured from ${p.context ?? '(no context)'} / ${p.namespace} by Roadside to escalate incident ${p.incident.id}.`,
    },
    capturedAt: `${capturedAt.toISOString().slice(0, 19)}Z`,
  });
}

function incidentJson(p: Prepared) {
  return { ...p.incident, escalation: { level: p.level, channel: p.channel, to: p.channels[p.channel], engineer: p.engineer } };
}

function reportModel(deps: ReportDeps, p: Prepared, logs: ReportLogFile[], generatedAt: Date): ReportModel {
  return {
    incidentId: p.incident.id,
    title: p.incident.title,
    severity: p.incident.severity,
    status: p.incident.status,
    startedAt: p.incident.startedAt,
    generatedAt: generatedAt.toISOString(),
    roadsideVersion: deps.version,
    level: p.level,
    channel: p.channel,
    channelTarget: p.channels[p.channel],
    engineer: p.engineer,
    ...(p.context ? { context: p.context } : {}),
    namespace: p.namespace,
    description: p.description,
    steps: p.steps,
    impact: p.impact,
    logs,
    attachments: p.chosen.map((a) => ({ name: a.name, file: a.path, size: a.size })),
    ...(p.environment ? { environment: p.environment } : {}),
    ...(p.liveError ? { liveError: p.liveError } : {}),
    notes: p.notes,
    findings: findingsOf(p.entries),
    timeline: timelineItems(p.entries.slice(-TIMELINE_IN_REPORT)),
    timelineTotal: p.entries.length,
  };
}

function newRedactor(req: ReportRequest, engineer: string): Redactor {
  const redactor = createRedactor({ customLiterals: req.redaction.customLiterals, customPatterns: req.redaction.customPatterns });
  for (const x of req.redaction.exemptions) {
    if (x.file === 'cluster/resources/secrets.json' || x.file === 'manifest.json' || x.file === 'redactions.json') {
      throw new RoadsideError('invalid-input', `${x.file} cannot be exempted from redaction (Secret values are never written)`);
    }
    redactor.exemptFile(x.file, x.reason, engineer);
  }
  return redactor;
}

function checkPatterns(req: ReportRequest): void {
  for (const p of req.redaction.customPatterns) {
    try {
      new RegExp(p);
    } catch (err) {
      throw new RoadsideError('invalid-input', `custom pattern ${JSON.stringify(p)} is not a valid regular expression: ${(err as Error).message}`);
    }
  }
}

/** Renders the report's files from a redacted model; the counts of the model go to both files. */
function renderReportFiles(redactor: Redactor, model: ReportModel, record: boolean) {
  const { value, counts } = redactor.redactObject(model);
  const md = redactor.redactText(renderMarkdown(value), record ? 'report.md' : undefined);
  const html = redactor.redactText(renderHtml(value), record ? 'report.html' : undefined);
  if (record) {
    redactor.ledger.recordCounts('report.md', counts);
    redactor.ledger.recordCounts('report.html', counts);
  }
  return { model: value, markdown: md.text, html: html.text };
}

export async function renderReport(deps: ReportDeps, req: ReportRequest): Promise<RenderedReport> {
  checkPatterns(req);
  const p = await prepare(deps, req, 'draft');
  const redactor = newRedactor(req, p.engineer);
  const r = renderReportFiles(redactor, reportModel(deps, p, [], new Date()), false);
  return { markdown: r.markdown, html: r.html, summary: renderSummary(r.model) };
}

// ---------------------------------------------------------------------------------------------
// Preview: every file with what will be hidden, nothing written

class ExcerptSink extends Writable {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  size = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _write(chunk: Buffer, _e: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.keptBytes < this.max) {
      const part = chunk.subarray(0, this.max - this.keptBytes);
      this.kept.push(part);
      this.keptBytes += part.length;
    }
    cb();
  }
  text(): string {
    return Buffer.concat(this.kept).toString('utf8');
  }
}

function previewFile(path: string, kind: PreviewFile['kind'], size: number, text: string, redactor: Redactor, truncatedBySink = false): PreviewFile {
  const counts = redactor.ledger.countsFor(path);
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  const decision = redactor.ledger.decisionFor(path);
  let excerpt = text;
  let truncated = truncatedBySink;
  if (excerpt.length > PREVIEW_EXCERPT_BYTES) {
    excerpt = excerpt.slice(0, PREVIEW_EXCERPT_BYTES);
    const open = excerpt.lastIndexOf('[REDACTED:');
    if (open > -1 && excerpt.indexOf(']', open) === -1) excerpt = excerpt.slice(0, open);
    truncated = true;
  }
  return { path, kind, size, counts, total, redaction: decision.redaction, excerpt, spans: findTokenSpans(excerpt), truncated };
}

export async function previewBundle(deps: ReportDeps, req: ReportRequest): Promise<BundlePreview> {
  checkPatterns(req);
  const p = await prepare(deps, req, 'bundle');
  const redactor = newRedactor(req, p.engineer);
  const files: PreviewFile[] = [];
  const add = (path: string, kind: PreviewFile['kind'], raw: string, redacted: string) => files.push(previewFile(path, kind, Buffer.byteLength(raw), redacted, redactor));

  for (const k of p.collection?.kinds ?? []) {
    if (k.items.length === 0) continue;
    const path = `cluster/resources/${k.file}`;
    const text = redactResources(redactor, path, k.kind, k.apiVersion, k.items);
    add(path, 'resources', JSON.stringify(k.items), text);
  }
  const logs: ReportLogFile[] = [];
  const openings = p.logJobs.map((job) => ({ job, opening: undefined as LogOpening | undefined }));
  const scanLog = async (i: number) => {
    const { job } = openings[i];
    const source = await openLog(p, req, job).stream;
    const tap = new LogTap();
    const sink = new ExcerptSink(PREVIEW_EXCERPT_BYTES);
    await pipeline(source, redactor.redactLineStream(job.path), tap, sink);
    logs[i] = { file: job.path, lines: tap.lines, bytes: tap.bytes, excerpt: tap.excerpt };
    return previewFile(job.path, 'log', sink.size, sink.text(), redactor, sink.size > PREVIEW_EXCERPT_BYTES);
  };
  const logPreviews: PreviewFile[] = new Array(openings.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(LOG_PREFETCH, openings.length) }, async () => {
      while (next < openings.length) {
        const i = next++;
        logPreviews[i] = await scanLog(i);
        deps.onProgress?.('preview-logs', i + 1, openings.length);
      }
    }),
  );
  files.push(...logPreviews);
  if (p.kc) await releaseContainerLogConnections(p.kc);
  for (const a of p.chosen) {
    const sink = new ExcerptSink(PREVIEW_EXCERPT_BYTES);
    await pipeline(redactedAttachment(deps, redactor, a), sink);
    files.push(previewFile(a.path, 'attachment', sink.size, a.text ? sink.text() : `(${a.mediaType}, ${a.size} bytes, written as is)`, redactor, sink.size > PREVIEW_EXCERPT_BYTES));
  }
  const incidentFiles: Array<[string, unknown]> = [
    ['incident/incident.json', incidentJson(p)],
    ['incident/timeline.json', p.entries],
    ['incident/findings.json', findingsOf(p.entries)],
  ];
  for (const [path, value] of incidentFiles) {
    const raw = JSON.stringify(value, null, 2);
    add(path, 'incident', raw, JSON.stringify(redactor.redactObject(value, path).value, null, 2));
  }
  const capturedAt = p.collection?.collectedAt ?? new Date();
  const scenario = scenarioYaml(p, capturedAt);
  add('cluster/scenario.yaml', 'meta', scenario, redactor.redactFileContent('cluster/scenario.yaml', scenario).text);
  const report = renderReportFiles(redactor, reportModel(deps, p, logs, new Date()), true);
  add('report.md', 'report', report.markdown, report.markdown);
  add('report.html', 'report', report.html, report.html);
  const totals = redactor.ledger.totals();
  return {
    files,
    totals,
    total: Object.values(totals).reduce((a, b) => a + (b ?? 0), 0),
    notes: p.notes,
    ...(p.liveError ? { liveError: p.liveError } : {}),
    excluded: p.excluded,
  };
}

// ---------------------------------------------------------------------------------------------
// Build: the .zip, atomically

export interface BuildOptions {
  overwrite?: boolean;
  /** After writing, add an escalation entry to the incident's timeline (default true). */
  recordInTimeline?: boolean;
}

export async function buildBundle(deps: ReportDeps, req: ReportRequest, out: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  checkPatterns(req);
  const p = await prepare(deps, req, 'bundle');
  const redactor = newRedactor(req, p.engineer);
  const createdAt = new Date();
  const writer = await BundleZipWriter.create(out, { overwrite: opts.overwrite, mtime: createdAt });
  try {
    const pending: Array<Promise<unknown>> = [];
    for (const k of p.collection?.kinds ?? []) {
      if (k.items.length === 0) continue;
      const path = `cluster/resources/${k.file}`;
      writer.addBuffer(path, redactResources(redactor, path, k.kind, k.apiVersion, k.items));
    }

    // Logs: one entry at a time through the line redactor; a few responses are opened ahead.
    const logs: ReportLogFile[] = [];
    const openings: Array<LogOpening | undefined> = new Array(p.logJobs.length);
    const ensureOpen = (i: number) => {
      if (i < p.logJobs.length && !openings[i]) openings[i] = openLog(p, req, p.logJobs[i]);
    };
    p.logJobs.forEach((job, i) => {
      pending.push(
        writer.addLazy(
          job.path,
          async () => {
            for (let k = i; k <= i + LOG_PREFETCH; k++) ensureOpen(k);
            const opening = openings[i]!;
            openings[i] = undefined;
            const tap = new LogTap();
            tap.on('end', () => undefined);
            tap.once('finish', () => {
              logs[i] = { file: job.path, lines: tap.lines, bytes: tap.bytes, excerpt: tap.excerpt };
              deps.onProgress?.('logs', i + 1, p.logJobs.length);
            });
            const redacting = redactor.redactLineStream(job.path);
            const source = await opening.stream;
            source.pipe(redacting).pipe(tap);
            return tap;
          },
          { compressionLevel: 1 },
        ),
      );
    });

    for (const a of p.chosen) {
      pending.push(
        writer.addLazy(
          a.path,
          async () => redactedAttachment(deps, redactor, a),
          { compressionLevel: a.text ? 6 : 0 },
        ),
      );
    }

    const incidentFiles: Array<[string, () => unknown]> = [
      ['incident/incident.json', () => incidentJson(p)],
      ['incident/timeline.json', () => p.entries],
      ['incident/findings.json', () => findingsOf(p.entries)],
    ];
    for (const [path, value] of incidentFiles) {
      writer.addBuffer(path, JSON.stringify(redactor.redactObject(value(), path).value, null, 2) + '\n');
    }
    writer.addBuffer('cluster/scenario.yaml', redactor.redactFileContent('cluster/scenario.yaml', scenarioYaml(p, p.collection?.collectedAt ?? createdAt)).text);

    // The report needs the logs' excerpts: produced once the zip reaches it.
    let summary = '';
    let rendered: { markdown: string; html: string } | undefined;
    const renderOnce = () => {
      if (!rendered) {
        const r = renderReportFiles(redactor, reportModel(deps, p, logs.filter(Boolean), createdAt), true);
        summary = renderSummary(r.model, basename(writer.target));
        rendered = r;
      }
      return rendered;
    };
    pending.push(writer.addLazy('report.md', async () => renderOnce().markdown));
    pending.push(writer.addLazy('report.html', async () => renderOnce().html));
    pending.push(writer.addLazy('redactions.json', async () => redactor.ledger.serialize()));
    pending.push(
      writer.addLazy('manifest.json', async () => {
        const manifest: BundleManifest = {
          format: BUNDLE_FORMAT,
          createdAt: createdAt.toISOString(),
          roadsideVersion: deps.version,
          ...(p.context ? { context: p.context } : {}),
          namespace: p.namespace,
          incidentId: p.incident.id,
          incidentTitle: redactor.redactText(p.incident.title).text,
          level: p.level,
          channel: p.channel,
          engineer: redactor.redactText(p.engineer).text,
          live: req.live,
          ...(p.liveError ? { liveError: redactor.redactText(p.liveError).text } : {}),
          files: writer.manifestFiles(),
        };
        return JSON.stringify(manifest, null, 2) + '\n';
      }),
    );
    const written = writer.commit();
    const [result] = await Promise.all([written, Promise.allSettled(pending)]).finally(() => (p.kc ? releaseContainerLogConnections(p.kc) : undefined));
    const totals = redactor.ledger.totals();
    if (opts.recordInTimeline !== false) {
      try {
        withStore(deps, (store) =>
          store.addEntry(p.incident.id, {
            kind: 'escalation',
            title: `Escalation bundle written (${p.level}, ${p.channel})`,
            body: `${result.path}\nsha256 ${result.sha256}`,
            data: { level: p.level, to: `${p.channel}: ${p.channels[p.channel]}` },
          }),
        );
      } catch (err) {
        p.notes.push(`The bundle was written but the incident's timeline was not updated: ${(err as Error).message}`);
      }
    }
    return {
      path: result.path,
      size: result.size,
      sha256: result.sha256,
      files: writer.manifestFiles().length + 1,
      redactedValues: Object.values(totals).reduce((a, b) => a + (b ?? 0), 0),
      notes: [...p.notes, ...p.excluded.map((x) => `${x.path} was left out: ${x.reason}`)],
      ...(p.liveError ? { liveError: p.liveError } : {}),
      summary,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    await writer.abort(err as Error);
    throw err;
  }
}
