// The observe area of the core: the Overview (the runbook's health-check) and log sessions
// (its log aggregation), one registry of sessions per service. A following session that no
// window reads for FOLLOW_LEASE_MS stops following (the view went away without saying so);
// an untouched session is forgotten after SESSION_IDLE_MS.
import type { KubeConfig } from '@kubernetes/client-node';
import type { LogsAttachResult, ObserveChannel } from '../../shared/contract-observe';
import { DEFAULT_NAMESPACE } from '../../shared/kube';
import { compileLogFilter, formatLogLine } from '../../shared/observe-logs';
import type { ParsedRequestOf } from '../../shared/contract';
import { RoadsideError } from '../errors';
import { collectOverview } from '../observe/overview';
import { LogSession } from '../observe/log-session';
import { explainStoreError, incidentDeskFor } from './incidents';
import type { AreaHandlers, RoadsideService } from '../service';

const FOLLOW_LEASE_MS = 30_000;
const SESSION_IDLE_MS = 15 * 60_000;
const MAX_SESSIONS = 8;

function contextNamespace(kc: KubeConfig): string | undefined {
  return kc.getContextObject(kc.getCurrentContext())?.namespace || undefined;
}

/** The namespace a request means: the one given, else the selected one for the selected context. */
export async function resolveTarget(service: RoadsideService, context?: string, namespace?: string): Promise<{ name: string; kc: KubeConfig; namespace: string }> {
  const { name, kc } = await service.kubeConfigFor(context);
  if (namespace) return { name, kc, namespace };
  const selected = await service.call('contexts.list', {}).then((l) => l.selected);
  const ns = (selected.context === name ? selected.namespace : undefined) ?? contextNamespace(kc) ?? DEFAULT_NAMESPACE;
  return { name, kc, namespace: ns };
}

export class LogSessionRegistry {
  private readonly sessions = new Map<string, LogSession>();
  private sweeper: NodeJS.Timeout | undefined;

  get(id: string): LogSession {
    const session = this.sessions.get(id);
    if (!session) throw new RoadsideError('not-found', `no log session ${id} (it ended, or the view was closed for too long); load the logs again`);
    return session;
  }

  async add(id: string, session: LogSession): Promise<void> {
    await this.remove(id);
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = [...this.sessions.entries()].sort((a, b) => a[1].lastReadAt - b[1].lastReadAt)[0];
      await this.remove(oldest[0]);
    }
    this.sessions.set(id, session);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => void this.sweep(), 5_000);
      this.sweeper.unref();
    }
  }

  async remove(id: string): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.sessions.delete(id);
    await session.stopFollowing();
    if (!this.sessions.size && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
    return true;
  }

  private async sweep(now = Date.now()): Promise<void> {
    for (const [id, session] of [...this.sessions]) {
      if (now - session.lastReadAt > SESSION_IDLE_MS) await this.remove(id);
      else if (session.isFollowing && now - session.lastReadAt > FOLLOW_LEASE_MS) await session.stopFollowing();
    }
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.remove(id);
  }
}

const registries = new WeakMap<RoadsideService, LogSessionRegistry>();

export function logSessionsFor(service: RoadsideService): LogSessionRegistry {
  let registry = registries.get(service);
  if (!registry) {
    const created = new LogSessionRegistry();
    registry = created;
    registries.set(service, created);
    service.onShutdown(() => created.closeAll());
  }
  return registry;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
}

/** Writes the session's lines that pass the filter (and fall in the seq range) to an incident. */
export async function attachSessionLines(service: RoadsideService, req: ParsedRequestOf<'logs.attach'>): Promise<LogsAttachResult> {
  const session = logSessionsFor(service).get(req.sessionId);
  const desk = incidentDeskFor(service);
  const target = req.incidentId ?? desk.existingActiveId();
  if (!target) throw new RoadsideError('invalid-input', 'no incident is active: open or choose an incident first (Incidents view, or give its id)');
  const filter = compileLogFilter(req.filter);
  if (filter.error) throw new RoadsideError('invalid-input', `the filter is not a valid regular expression: ${filter.error}`);
  const streams = session.streams;
  const from = req.fromSeq ?? 0;
  const to = req.toSeq ?? Number.MAX_SAFE_INTEGER;
  const chosen = session.allLines.filter((l) => l.seq >= from && l.seq <= to && filter.test(l));
  if (!chosen.length) throw new RoadsideError('invalid-input', 'no log line matches the filter and selection; nothing was saved');
  const text = chosen.map((l) => formatLogLine(l, streams)).join('\n') + '\n';
  const data = Buffer.from(text, 'utf8');
  const { context, namespace, selector } = session.opts;
  const name = `logs-${namespace}-${stamp(new Date())}.log`;
  const filterText = req.filter?.text ? `, filter "${req.filter.text}"${req.filter.regex ? ' (regex)' : ''}` : '';
  const caption =
    req.caption ??
    `${chosen.length} log lines of ${selector} in ${context} / ${namespace}${filterText}${req.fromSeq !== undefined || req.toSeq !== undefined ? ', selected range' : ''}. Same view: ${session.kubectl}`;
  let entryId: number;
  try {
    const entry = await desk.open().addAttachment(target, { data, name, mediaType: 'text/plain', caption: caption.slice(0, 2000) });
    entryId = entry.id;
  } catch (err) {
    throw explainStoreError(err, target);
  }
  service.emit({ type: 'incident-changed', incidentId: target });
  return { incidentId: target, entryId, name, lines: chosen.length, bytes: data.length };
}

export function createObserveHandlers(service: RoadsideService): AreaHandlers<ObserveChannel> {
  const sessions = logSessionsFor(service);
  return {
    'overview.get': async ({ context, namespace }) => {
      const target = await resolveTarget(service, context, namespace);
      return collectOverview({
        kubeConfig: target.kc,
        context: target.name,
        namespace: target.namespace,
        requestTimeoutMs: Math.max(service.settings.get().probeTimeoutMs, 5000),
      });
    },
    'logs.start': async ({ sessionId, context, namespace, selector, tailLines, sinceSeconds, follow }) => {
      const target = await resolveTarget(service, context, namespace);
      const session = await LogSession.open({
        kubeConfig: target.kc,
        context: target.name,
        namespace: target.namespace,
        selector,
        ...(tailLines ? { tailLines } : {}),
        ...(sinceSeconds ? { sinceSeconds } : {}),
        ...(follow ? { follow } : {}),
      });
      await sessions.add(sessionId, session);
      return session.startResult(sessionId);
    },
    'logs.read': async ({ sessionId, after }) => sessions.get(sessionId).read(after),
    'logs.stop': async ({ sessionId, keepLines }) => {
      if (!keepLines) return { stopped: await sessions.remove(sessionId) };
      await sessions.get(sessionId).stopFollowing();
      return { stopped: true };
    },
    'logs.attach': async (req) => attachSessionLines(service, req),
  };
}
