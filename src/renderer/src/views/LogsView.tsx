// The runbook's log aggregation: the last lines of every container of the pods a label
// selector matches, merged by timestamp into one stream, optionally followed. A filter,
// pod switches and a line range choose what is shown and what is saved to the incident.
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ActiveIncident } from '../../../shared/contract-incidents';
import {
  DEFAULT_LOG_SELECTOR,
  DEFAULT_LOG_TAIL,
  LOG_LINE_CAP,
  RUNBOOK_LOG_SELECTOR,
  type LogLine,
  type LogStreamInfo,
  type LogsStartResult,
  type SectionProblem,
} from '../../../shared/contract-observe';
import { assignPodSlots, compileLogFilter, streamColor } from '../../../shared/observe-logs';
import type { RoadsideErrorShape } from '../../../shared/result';
import { ApiError, call, useApi } from '../api/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { useAppState } from '../state';
import { CopyCommand, ProblemNote } from './OverviewView';

const ROW_HEIGHT = 20;
const FOLLOW_POLL_MS = 1000;
const SINCE_CHOICES = [0, 900, 3600, 6 * 3600, 24 * 3600];

function newSessionId(): string {
  return `logs-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

function shortTime(time: string | undefined): string {
  if (!time) return '';
  const m = /T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?/.exec(time);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(3, '0')}` : time;
}

interface StreamStyle {
  light: string;
  dark: string;
}

function streamStyles(streams: LogStreamInfo[]): StreamStyle[] {
  const slots = assignPodSlots(streams.map((s) => s.pod));
  const containerIndex = new Map<string, number>();
  return streams.map((s) => {
    const i = containerIndex.get(s.pod) ?? 0;
    containerIndex.set(s.pod, i + 1);
    const slot = slots.get(s.pod) ?? 0;
    return { light: streamColor(slot, i, 'light'), dark: streamColor(slot, i, 'dark') };
  });
}

function useActiveIncident(): ActiveIncident | null {
  const api = useApi();
  const [active, setActive] = useState<ActiveIncident | null>(null);
  useEffect(() => {
    void call(api, 'incidents.active', {}).then(setActive, () => setActive(null));
    return api.onEvent((e) => {
      if (e.type === 'active-incident-changed') setActive(e.active);
    });
  }, [api]);
  return active;
}

export function LogsView() {
  const { t } = useTranslation();
  const api = useApi();
  const { contexts } = useAppState();
  const context = contexts?.selected.context;
  const namespace = contexts?.selected.namespace;
  const activeIncident = useActiveIncident();

  const [selector, setSelector] = useState(DEFAULT_LOG_SELECTOR);
  const [tail, setTail] = useState(DEFAULT_LOG_TAIL);
  const [since, setSince] = useState(0);
  const [followWanted, setFollowWanted] = useState(false);
  const [filterText, setFilterText] = useState('');
  const [regex, setRegex] = useState(false);
  const [hidden, setHidden] = useState<Set<number>>(new Set());
  const [session, setSession] = useState<Omit<LogsStartResult, 'lines'>>();
  const [streams, setStreams] = useState<LogStreamInfo[]>([]);
  const [following, setFollowing] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<RoadsideErrorShape>();
  const [problem, setProblem] = useState<SectionProblem>();
  const [version, setVersion] = useState(0);
  const [uiDropped, setUiDropped] = useState(0);
  const [selection, setSelection] = useState<{ anchor: number; from: number; to: number }>();
  const [saved, setSaved] = useState<string>();
  const [saving, setSaving] = useState(false);

  const lines = useRef<LogLine[]>([]);
  const lastSeq = useRef(0);
  const sessionId = useRef<string | undefined>(undefined);
  const stickToBottom = useRef(true);
  const scroller = useRef<HTMLDivElement>(null);

  const append = useCallback((more: LogLine[]) => {
    if (!more.length) return;
    lines.current.push(...more);
    lastSeq.current = more[more.length - 1].seq;
    const over = lines.current.length - LOG_LINE_CAP;
    if (over > 0) {
      lines.current.splice(0, over);
      setUiDropped((d) => d + over);
    }
    setVersion((v) => v + 1);
  }, []);

  const stopSession = useCallback(
    (id: string | undefined, keepLines = false) => {
      if (id) void call(api, 'logs.stop', { sessionId: id, ...(keepLines ? { keepLines } : {}) }).catch(() => undefined);
    },
    [api],
  );

  const load = useCallback(
    async (opts: { follow: boolean }) => {
      if (!context) return;
      const previous = sessionId.current;
      const id = newSessionId();
      sessionId.current = id;
      stopSession(previous);
      setLoading(true);
      setError(undefined);
      setProblem(undefined);
      setSaved(undefined);
      setSelection(undefined);
      lines.current = [];
      lastSeq.current = 0;
      setUiDropped(0);
      setVersion((v) => v + 1);
      stickToBottom.current = true;
      try {
        const result = await call(api, 'logs.start', {
          sessionId: id,
          context,
          ...(namespace ? { namespace } : {}),
          selector: selector.trim(),
          tailLines: tail,
          ...(since ? { sinceSeconds: since } : {}),
          follow: opts.follow,
        });
        if (sessionId.current !== id) return;
        const { lines: first, ...rest } = result;
        setSession(rest);
        setStreams(result.streams);
        setProblem(result.problem);
        setHidden(new Set());
        append(first);
        let more = result.more;
        while (more && sessionId.current === id) {
          const page = await call(api, 'logs.read', { sessionId: id, after: lastSeq.current });
          append(page.lines);
          more = page.more;
        }
        setFollowing(result.following);
      } catch (err) {
        if (sessionId.current === id) setError(err instanceof ApiError ? err.shape : { code: 'internal', message: String(err) });
      } finally {
        if (sessionId.current === id) setLoading(false);
      }
    },
    [api, context, namespace, selector, tail, since, append, stopSession],
  );

  // Load once per context/namespace, and forget the session when the view closes.
  useEffect(() => {
    void load({ follow: false });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [context, namespace]);
  useEffect(() => () => stopSession(sessionId.current), [stopSession]);

  // Following: read what the session gathered since the last read.
  useEffect(() => {
    if (!following) return;
    const id = sessionId.current;
    let busy = false;
    const timer = setInterval(() => {
      if (busy || !id) return;
      busy = true;
      void (async () => {
        try {
          let more = true;
          while (more && sessionId.current === id) {
            const page = await call(api, 'logs.read', { sessionId: id, after: lastSeq.current });
            append(page.lines);
            setStreams(page.streams);
            more = page.more;
            if (!page.following) setFollowing(false);
          }
        } catch (err) {
          setFollowing(false);
          setError(err instanceof ApiError ? err.shape : { code: 'internal', message: String(err) });
        } finally {
          busy = false;
        }
      })();
    }, FOLLOW_POLL_MS);
    return () => clearInterval(timer);
  }, [following, api, append]);

  const filter = useMemo(() => compileLogFilter({ text: filterText, regex, hiddenStreams: [...hidden] }), [filterText, regex, hidden]);
  const shown = useMemo(() => lines.current.filter((l) => filter.test(l)), [filter, version]); // eslint-disable-line react-hooks/exhaustive-deps
  const styles = useMemo(() => streamStyles(streams), [streams]);

  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  useEffect(() => {
    if (stickToBottom.current && shown.length) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [shown.length, virtualizer]);

  const onScroll = () => {
    const el = scroller.current;
    if (el) stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
  };

  const pick = (seq: number, extend: boolean) => {
    setSelection((prev) => {
      if (extend && prev) return { anchor: prev.anchor, from: Math.min(prev.anchor, seq), to: Math.max(prev.anchor, seq) };
      if (prev && !extend && prev.from === seq && prev.to === seq) return undefined;
      return { anchor: seq, from: seq, to: seq };
    });
  };

  const selectedCount = selection ? shown.filter((l) => l.seq >= selection.from && l.seq <= selection.to).length : 0;

  const save = async () => {
    if (!sessionId.current) return;
    setSaving(true);
    setSaved(undefined);
    try {
      const result = await call(api, 'logs.attach', {
        sessionId: sessionId.current,
        filter: { text: filter.error ? '' : filterText, regex, hiddenStreams: [...hidden] },
        ...(selection ? { fromSeq: selection.from, toSeq: selection.to } : {}),
      });
      setSaved(t('observe.logs.saved', { count: result.lines, name: result.name, incident: activeIncident?.title ?? result.incidentId }));
    } catch (err) {
      setError(err instanceof ApiError ? err.shape : { code: 'internal', message: String(err) });
    } finally {
      setSaving(false);
    }
  };

  const toggleStream = (index: number) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (next.has(index)) next.delete(index);
      else next.add(index);
      return next;
    });

  if (!context) {
    return (
      <div className="view">
        <h1>{t('observe.logs.title')}</h1>
        <p className="empty">{t('observe.noContext')}</p>
      </div>
    );
  }

  const totalDropped = (session?.dropped ?? 0) + uiDropped;
  const needle = !regex && filterText ? filterText.toLowerCase() : '';

  return (
    <div className="view obs-logs" data-testid="logs-view">
      <header className="view-header">
        <div>
          <h1>{t('observe.logs.title')}</h1>
          <p className="subtitle">{t('observe.logs.subtitle', { context, namespace })}</p>
        </div>
      </header>

      <form
        className="inline-form obs-logs-form"
        onSubmit={(e) => {
          e.preventDefault();
          void load({ follow: followWanted });
        }}
      >
        <label className="obs-field obs-field-wide">
          <span>{t('observe.logs.selector')}</span>
          <input className="mono" value={selector} onChange={(e) => setSelector(e.target.value)} data-testid="logs-selector" spellCheck={false} />
        </label>
        <label className="obs-field">
          <span>{t('observe.logs.tail')}</span>
          <input type="number" min={1} max={10000} value={tail} onChange={(e) => setTail(Math.max(1, Math.min(10000, Number(e.target.value) || DEFAULT_LOG_TAIL)))} />
        </label>
        <label className="obs-field">
          <span>{t('observe.logs.since')}</span>
          <select value={since} onChange={(e) => setSince(Number(e.target.value))}>
            {SINCE_CHOICES.map((s) => (
              <option key={s} value={s}>
                {t(`observe.logs.sinceChoice.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={followWanted} onChange={(e) => setFollowWanted(e.target.checked)} data-testid="logs-follow" />
          {t('observe.logs.follow')}
        </label>
        <button type="submit" className="primary" disabled={loading || !selector.trim()} data-testid="logs-load">
          {loading ? t('common.loading') : t('observe.logs.load')}
        </button>
        {following && (
          <button
            type="button"
            onClick={() => {
              setFollowing(false);
              stopSession(sessionId.current, true);
            }}
          >
            {t('observe.logs.stopFollowing')}
          </button>
        )}
      </form>
      {selector.trim() !== RUNBOOK_LOG_SELECTOR && (
        <p className="hint">
          {t('observe.logs.runbookSelectorHint', { selector: RUNBOOK_LOG_SELECTOR })}{' '}
          <button type="button" className="link-button" onClick={() => setSelector(RUNBOOK_LOG_SELECTOR)}>
            {t('observe.logs.useRunbookSelector')}
          </button>
        </p>
      )}
      {session && <CopyCommand command={session.kubectl} />}
      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      {problem && <ProblemNote problem={problem} />}

      {session && !problem && (
        <>
          <div className="obs-streams" role="group" aria-label={t('observe.logs.streams')}>
            {streams.map((s) => (
              <button
                type="button"
                key={s.index}
                className={`obs-chip obs-stream${hidden.has(s.index) ? ' obs-chip-off' : ''}`}
                style={{ '--obs-c-light': styles[s.index]?.light, '--obs-c-dark': styles[s.index]?.dark } as CSSProperties}
                aria-pressed={!hidden.has(s.index)}
                onClick={() => toggleStream(s.index)}
                title={s.error ?? `${s.pod}/${s.container}`}
                data-stream-pod={s.pod}
              >
                <span className="obs-swatch" aria-hidden="true" />
                <span className="mono">
                  {s.pod}
                  <span className="obs-chip-container">/{s.container}</span>
                </span>
                <span className="hint">{s.lines}</span>
                {s.error && <span className="badge badge-warn">!</span>}
                {s.following && <span className="obs-live" aria-label={t('observe.logs.live')} />}
              </button>
            ))}
          </div>

          <div className="inline-form obs-filter">
            <input
              className="wide"
              type="search"
              placeholder={t('observe.logs.filterPlaceholder')}
              value={filterText}
              onChange={(e) => setFilterText(e.target.value)}
              aria-label={t('observe.logs.filter')}
              data-testid="logs-filter"
            />
            <label className="checkbox">
              <input type="checkbox" checked={regex} onChange={(e) => setRegex(e.target.checked)} />
              {t('observe.logs.regex')}
            </label>
            <button type="button" onClick={() => void save()} disabled={!activeIncident || saving || shown.length === 0} data-testid="logs-save">
              {selection ? t('observe.logs.saveSelection', { count: selectedCount }) : t('observe.logs.saveFiltered', { count: shown.length })}
            </button>
            {selection && (
              <button type="button" className="link-button" onClick={() => setSelection(undefined)}>
                {t('observe.logs.clearSelection')}
              </button>
            )}
          </div>
          {filter.error && <p className="obs-problem obs-problem-error">{t('observe.logs.badRegex', { error: filter.error })}</p>}
          {!activeIncident && <p className="hint">{t('observe.logs.noIncident')}</p>}
          {saved && (
            <p className="obs-saved" role="status" data-testid="logs-saved">
              {saved}
            </p>
          )}

          <p className="hint obs-counts" data-testid="logs-counts" aria-live="polite">
            {t('observe.logs.counts', { shown: shown.length, total: lines.current.length, streams: streams.length, pods: session.pods })}
            {following ? ` · ${t('observe.logs.following')}` : ''}
            {session.skippedStreams ? ` · ${t('observe.logs.skipped', { count: session.skippedStreams })}` : ''}
          </p>
          {totalDropped > 0 && (
            <p className="obs-problem obs-problem-unavailable" role="status">
              {t('observe.logs.capped', { count: totalDropped, cap: LOG_LINE_CAP })}
            </p>
          )}

          <div className="obs-log" ref={scroller} onScroll={onScroll} data-testid="logs-list" role="log" aria-label={t('observe.logs.title')}>
            {shown.length === 0 ? (
              <p className="empty obs-log-empty">{session.pods === 0 ? t('observe.logs.noPods', { selector: session.selector }) : t('observe.logs.noLines')}</p>
            ) : (
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {virtualizer.getVirtualItems().map((item) => {
                  const line = shown[item.index];
                  const s = streams[line.stream];
                  const style = styles[line.stream];
                  const selected = !!selection && line.seq >= selection.from && line.seq <= selection.to;
                  let text: ReactNode = line.text;
                  if (needle) {
                    const at = line.text.toLowerCase().indexOf(needle);
                    if (at >= 0)
                      text = (
                        <>
                          {line.text.slice(0, at)}
                          <mark>{line.text.slice(at, at + needle.length)}</mark>
                          {line.text.slice(at + needle.length)}
                        </>
                      );
                  }
                  return (
                    <div
                      key={line.seq}
                      className={`obs-line${selected ? ' obs-line-selected' : ''}`}
                      style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                      data-seq={line.seq}
                      onClick={(e) => pick(line.seq, e.shiftKey)}
                      title={line.time}
                    >
                      <span className="obs-time">{shortTime(line.time)}</span>
                      <span className="obs-stream obs-pod" title={s ? `${s.pod}/${s.container}` : undefined} style={{ '--obs-c-light': style?.light, '--obs-c-dark': style?.dark } as CSSProperties}>
                        {s ? `${s.pod}/${s.container}` : ''}
                      </span>
                      <span className="obs-text">{text}</span>
                    </div>
                  );
                })}
              </div>
            )}
          </div>
          <p className="hint">{t('observe.logs.selectHint')}</p>
        </>
      )}
    </div>
  );
}
