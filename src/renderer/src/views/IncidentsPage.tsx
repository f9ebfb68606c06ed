// One incident: its fields and status, notes and attachments, the cluster's Warning
// events (read on each refresh; offline is fine), search, and the timeline.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RequestOf } from '../../../shared/contract';
import type { ActiveIncident, ClusterEventsRefresh } from '../../../shared/contract-incidents';
import {
  ESCALATION_LEVELS,
  INCIDENT_STATUSES,
  TIMELINE_ENTRY_KINDS,
  type EscalationLevel,
  type Incident,
  type IncidentStatus,
  type SearchHit,
  type TimelineEntryKind,
} from '../../../shared/incidents';
import type { RoadsideErrorShape } from '../../../shared/result';
import { call, useApi } from '../api/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { TimelineAxis, type TimeRange } from '../components/TimelineAxis';
import { NoteMarkdown } from '../components/TimelineEntryView';
import { TimelineList, type TimelineQuery } from '../components/TimelineList';
import { IncidentStatusBadge, localInputToIso, SeverityBadge, Snippet, toShape } from './IncidentsView';

function nextStatuses(status: IncidentStatus): IncidentStatus[] {
  const index = INCIDENT_STATUSES.indexOf(status);
  return INCIDENT_STATUSES.slice(index + 1);
}

function IncidentFields({ incident, onSaved }: { incident: Incident; onSaved(incident: Incident): void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [summary, setSummary] = useState(incident.summary);
  const [impact, setImpact] = useState(incident.impact);
  const [resolution, setResolution] = useState(incident.resolution);
  const [escalation, setEscalation] = useState<EscalationLevel | ''>(incident.escalationLevel ?? '');
  const [error, setError] = useState<RoadsideErrorShape>();
  const [saved, setSaved] = useState(false);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const updated = await call(api, 'incidents.update', {
        id: incident.id,
        summary,
        impact,
        resolution,
        escalationLevel: escalation || null,
      });
      setSaved(true);
      onSaved(updated);
    } catch (err) {
      setError(toShape(err));
    }
  };

  return (
    <form className="inc-fields" onSubmit={(e) => void save(e)}>
      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      <div className="form-grid">
        <label htmlFor="inc-summary">{t('incidents.field.summary')}</label>
        <textarea id="inc-summary" rows={2} value={summary} onChange={(e) => (setSummary(e.target.value), setSaved(false))} />
        <label htmlFor="inc-impact">{t('incidents.field.impact')}</label>
        <textarea id="inc-impact" rows={2} value={impact} onChange={(e) => (setImpact(e.target.value), setSaved(false))} />
        <label htmlFor="inc-resolution">{t('incidents.field.resolution')}</label>
        <textarea id="inc-resolution" rows={2} value={resolution} onChange={(e) => (setResolution(e.target.value), setSaved(false))} />
        <label htmlFor="inc-escalation">{t('incidents.field.escalation')}</label>
        <select id="inc-escalation" value={escalation} onChange={(e) => (setEscalation(e.target.value as EscalationLevel | ''), setSaved(false))}>
          <option value="">{t('incidents.field.noEscalation')}</option>
          {ESCALATION_LEVELS.map((level) => (
            <option key={level} value={level}>
              {t(`incidents.escalation.${level}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="toolbar">
        <button type="submit">{t('incidents.field.save')}</button>
        {saved && <span className="hint">{t('incidents.field.saved')}</span>}
      </div>
    </form>
  );
}

function NoteComposer({ incidentId, onError }: { incidentId: string; onError(error: RoadsideErrorShape): void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [text, setText] = useState('');
  const [preview, setPreview] = useState(false);
  const [saving, setSaving] = useState(false);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    try {
      await call(api, 'incidents.addNote', { id: incidentId, body: text });
      setText('');
      setPreview(false);
    } catch (err) {
      onError(toShape(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form className="inc-composer" onSubmit={(e) => void add(e)} aria-label={t('incidents.note.label')}>
      {preview ? (
        <div className="inc-preview" data-testid="note-preview">
          <NoteMarkdown text={text || t('incidents.note.emptyPreview')} />
        </div>
      ) : (
        <textarea
          rows={4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={t('incidents.note.placeholder')}
          aria-label={t('incidents.note.label')}
          data-testid="note-input"
        />
      )}
      <div className="toolbar">
        <button type="submit" disabled={saving || !text.trim()} data-testid="add-note">
          {t('incidents.note.add')}
        </button>
        <button type="button" aria-pressed={preview} onClick={() => setPreview((p) => !p)}>
          {preview ? t('incidents.note.edit') : t('incidents.note.preview')}
        </button>
        <span className="hint">{t('incidents.note.markdownHint')}</span>
      </div>
    </form>
  );
}

function AttachForm({ incidentId, onError }: { incidentId: string; onError(error: RoadsideErrorShape): void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [caption, setCaption] = useState('');
  const [done, setDone] = useState<string>();

  const attach = async (request: RequestOf<'incidents.attach'>) => {
    try {
      const entry = await call(api, 'incidents.attach', request);
      setDone(entry.title);
      setPath('');
      setText('');
      setName('');
      setCaption('');
    } catch (err) {
      onError(toShape(err));
    }
  };

  return (
    <div className="inc-attach">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void attach({ id: incidentId, path: path.trim(), ...(caption ? { caption } : {}) });
        }}
      >
        <input className="wide" value={path} onChange={(e) => setPath(e.target.value)} placeholder={t('incidents.attach.pathPlaceholder')} aria-label={t('incidents.attach.path')} />
        <button type="submit" disabled={!path.trim()}>
          {t('incidents.attach.file')}
        </button>
      </form>
      <form
        className="inc-paste"
        onSubmit={(e) => {
          e.preventDefault();
          void attach({ id: incidentId, name: name.trim() || 'pasted.txt', text, ...(caption ? { caption } : {}) });
        }}
      >
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="pasted.txt" aria-label={t('incidents.attach.name')} />
        <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('incidents.attach.pastePlaceholder')} aria-label={t('incidents.attach.paste')} />
        <input className="wide" value={caption} onChange={(e) => setCaption(e.target.value)} placeholder={t('incidents.attach.caption')} aria-label={t('incidents.attach.caption')} />
        <button type="submit" disabled={!text}>
          {t('incidents.attach.pasted')}
        </button>
      </form>
      {done && (
        <p className="hint" role="status">
          {t('incidents.attach.done', { name: done })}
        </p>
      )}
    </div>
  );
}

function ClusterEventsLine({ state }: { state: ClusterEventsRefresh | 'reading' | undefined }) {
  const { t } = useTranslation();
  if (!state) return null;
  if (state === 'reading') return <p className="hint">{t('incidents.events.reading')}</p>;
  if (state.unreachable)
    return (
      <p className="inc-offline" role="status" data-testid="events-offline">
        {t('incidents.events.offline', { context: state.context ?? '—', reason: state.unreachable })}
      </p>
    );
  return (
    <p className="hint" role="status" data-testid="events-imported">
      {t('incidents.events.imported', { count: state.imported, context: state.context ?? '—', namespace: state.namespace ?? t('incidents.events.allNamespaces') })}
    </p>
  );
}

export function IncidentPage({ id, onBack }: { id: string; onBack(): void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [incident, setIncident] = useState<Incident>();
  const [active, setActive] = useState<ActiveIncident | null>(null);
  const [error, setError] = useState<RoadsideErrorShape>();
  const [events, setEvents] = useState<ClusterEventsRefresh | 'reading'>();
  const [version, setVersion] = useState(0);
  const [statusNote, setStatusNote] = useState('');
  const [kinds, setKinds] = useState<TimelineEntryKind[]>([...TIMELINE_ENTRY_KINDS]);
  const [order, setOrder] = useState<'newest' | 'oldest'>('newest');
  const [pinnedOnly, setPinnedOnly] = useState(false);
  const [range, setRange] = useState<TimeRange | null>(null);
  const [jump, setJump] = useState<{ at: string; entryId?: number; nonce: number } | null>(null);
  const [jumpInput, setJumpInput] = useState('');
  const [search, setSearch] = useState('');
  const [hits, setHits] = useState<SearchHit[]>();
  const [nonce, setNonce] = useState(0);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const loadIncident = useCallback(async () => {
    try {
      const [current, activeNow] = await Promise.all([call(api, 'incidents.get', { id }), call(api, 'incidents.active', {})]);
      setIncident(current);
      setActive(activeNow);
    } catch (err) {
      setError(toShape(err));
    }
  }, [api, id]);

  const refresh = useCallback(async () => {
    await loadIncident();
    setEvents('reading');
    try {
      setEvents(await call(api, 'incidents.refreshClusterEvents', { id }));
    } catch (err) {
      setEvents({ imported: 0, unreachable: toShape(err).message });
    }
  }, [api, id, loadIncident]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(
    () =>
      api.onEvent((event) => {
        if (event.type === 'active-incident-changed') setActive(event.active);
        if (event.type === 'incident-changed' && event.incidentId === id) {
          clearTimeout(refreshTimer.current);
          refreshTimer.current = setTimeout(() => {
            void loadIncident();
            setVersion((v) => v + 1);
          }, 150);
        }
      }),
    [api, id, loadIncident],
  );
  useEffect(() => () => clearTimeout(refreshTimer.current), []);

  const query = useMemo<TimelineQuery>(
    () => ({
      order,
      kinds,
      pinnedOnly,
      ...(range && !jump ? { from: range.from, to: range.to } : {}),
      ...(jump ? { around: jump.at, ...(jump.entryId ? { highlightId: jump.entryId } : {}) } : {}),
      nonce: nonce + (jump?.nonce ?? 0),
    }),
    [order, kinds, pinnedOnly, range, jump, nonce],
  );

  const jumpTo = useCallback((at: string, entryId?: number) => setJump((j) => ({ at, ...(entryId ? { entryId } : {}), nonce: (j?.nonce ?? 0) + 1 })), []);
  const selectRange = useCallback((r: TimeRange | null) => {
    setJump(null);
    setRange(r);
  }, []);

  const setStatus = async (status: IncidentStatus) => {
    try {
      setIncident(await call(api, 'incidents.setStatus', { id, status, ...(statusNote.trim() ? { note: statusNote } : {}) }));
      setStatusNote('');
    } catch (err) {
      setError(toShape(err));
    }
  };
  const toggleActive = async () => {
    try {
      setActive(await call(api, 'incidents.setActive', { id: active?.id === id ? null : id }));
    } catch (err) {
      setError(toShape(err));
    }
  };
  const runSearch = async (e: FormEvent) => {
    e.preventDefault();
    if (!search.trim()) return setHits(undefined);
    try {
      setHits(await call(api, 'incidents.search', { text: search, incidentId: id, limit: 100 }));
    } catch (err) {
      setError(toShape(err));
    }
  };
  const attachText = (name: string, text: string, caption: string) =>
    void call(api, 'incidents.attach', { id, name, text: text.slice(0, 900 * 1024), caption }).catch((err: unknown) => setError(toShape(err)));

  if (!incident) {
    return (
      <section className="view">
        <button type="button" className="link-button" onClick={onBack}>
          ← {t('incidents.page.back')}
        </button>
        {error ? <ErrorMessage error={error} /> : <p className="empty">{t('common.loading')}</p>}
      </section>
    );
  }

  const isActive = active?.id === id;
  const locale = i18n.language;
  return (
    <section className="view inc-page" aria-labelledby="incident-title" data-incident={id}>
      <header className="view-header">
        <div>
          <button type="button" className="link-button" onClick={onBack} data-testid="back-to-incidents">
            ← {t('incidents.page.back')}
          </button>
          <h1 id="incident-title">{incident.title}</h1>
          <p className="subtitle">
            <SeverityBadge severity={incident.severity} /> <IncidentStatusBadge status={incident.status} />{' '}
            {incident.escalationLevel && <span className="badge badge-warn">{t(`incidents.escalation.${incident.escalationLevel}`)}</span>}{' '}
            {t('incidents.page.started', { time: new Date(incident.startedAt).toLocaleString(locale), who: incident.createdBy })}
            {incident.context && ` · ${incident.context}`}
            {incident.namespace && ` / ${incident.namespace}`}
          </p>
        </div>
        <div className="toolbar">
          <button type="button" onClick={() => void refresh()} data-testid="refresh-incident">
            {t('incidents.page.refresh')}
          </button>
          <button type="button" className={isActive ? '' : 'primary'} aria-pressed={isActive} onClick={() => void toggleActive()} data-testid="toggle-active">
            {isActive ? t('incidents.active.stop') : t('incidents.active.start')}
          </button>
        </div>
      </header>
      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      <ClusterEventsLine state={events} />
      {incident.description && (
        <div className="panel">
          <NoteMarkdown text={incident.description} />
        </div>
      )}

      <div className="inc-columns">
        <section className="panel" aria-labelledby="inc-status-title">
          <h2 id="inc-status-title">{t('incidents.page.status')}</h2>
          <div className="inline-form">
            <input className="wide" value={statusNote} onChange={(e) => setStatusNote(e.target.value)} placeholder={t('incidents.page.statusNote')} aria-label={t('incidents.page.statusNote')} />
            {nextStatuses(incident.status).map((s) => (
              <button key={s} type="button" onClick={() => void setStatus(s)} data-testid={`status-${s}`}>
                {t(`incidents.page.moveTo.${s}`)}
              </button>
            ))}
            {incident.status !== 'active' && (
              <button type="button" onClick={() => void setStatus('active')} data-testid="status-reopen">
                {t('incidents.page.reopen')}
              </button>
            )}
          </div>
          <details>
            <summary>{t('incidents.page.fields')}</summary>
            <IncidentFields key={incident.updatedAt} incident={incident} onSaved={setIncident} />
          </details>
        </section>
        <section className="panel" aria-labelledby="inc-note-title">
          <h2 id="inc-note-title">{t('incidents.note.title')}</h2>
          <NoteComposer incidentId={id} onError={setError} />
          <details>
            <summary>{t('incidents.attach.title')}</summary>
            <AttachForm incidentId={id} onError={setError} />
          </details>
        </section>
      </div>

      <section className="panel" aria-labelledby="inc-timeline-title">
        <h2 id="inc-timeline-title">
          {t('incidents.timeline.title')} <span className="hint">· {t('incidents.timeline.count', { count: incident.entryCount })}</span>
        </h2>
        <form className="inline-form" onSubmit={(e) => void runSearch(e)} role="search">
          <input type="search" className="wide" value={search} onChange={(e) => setSearch(e.target.value)} placeholder={t('incidents.timeline.search')} aria-label={t('incidents.timeline.search')} data-testid="timeline-search" />
          <button type="submit">{t('incidents.timeline.searchButton')}</button>
        </form>
        {hits && (
          <ul className="inc-hits" data-testid="timeline-hits">
            {hits.length === 0 && <li className="hint">{t('incidents.empty.search')}</li>}
            {hits.map((hit) => (
              <li key={`${hit.entryId ?? 'incident'}`}>
                <button type="button" className="link-button" onClick={() => hit.entryId && jumpTo(hit.at, hit.entryId)}>
                  {new Date(hit.at).toLocaleString(locale)}
                </button>{' '}
                <span className="hint">{hit.kind === 'incident' ? t('incidents.search.incident') : t(`incidents.kind.${hit.kind}`)}</span> <Snippet parts={hit.snippetParts} />
              </li>
            ))}
          </ul>
        )}
        <fieldset className="chips" aria-label={t('incidents.timeline.kinds')}>
          {TIMELINE_ENTRY_KINDS.map((kind) => (
            <label key={kind} className={`chip inc-chip inc-kind-${kind}`}>
              <input
                type="checkbox"
                checked={kinds.includes(kind)}
                onChange={(e) => setKinds((prev) => (e.target.checked ? TIMELINE_ENTRY_KINDS.filter((k) => k === kind || prev.includes(k)) : prev.filter((k) => k !== kind)))}
              />
              {t(`incidents.kind.${kind}`)}
            </label>
          ))}
        </fieldset>
        <div className="inline-form">
          <label>
            {t('incidents.timeline.order')}{' '}
            <select value={order} onChange={(e) => setOrder(e.target.value as 'newest' | 'oldest')} data-testid="timeline-order">
              <option value="newest">{t('incidents.list.newest')}</option>
              <option value="oldest">{t('incidents.list.oldest')}</option>
            </select>
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={pinnedOnly} onChange={(e) => setPinnedOnly(e.target.checked)} />
            {t('incidents.timeline.pinnedOnly')}
          </label>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              const at = localInputToIso(jumpInput);
              if (at) jumpTo(at);
            }}
          >
            <input type="datetime-local" step={1} value={jumpInput} onChange={(e) => setJumpInput(e.target.value)} aria-label={t('incidents.timeline.jumpTime')} />
            <button type="submit" disabled={!jumpInput}>
              {t('incidents.timeline.jump')}
            </button>
          </form>
          {(range || jump) && (
            <button type="button" onClick={() => (setRange(null), setJump(null), setNonce((n) => n + 1))}>
              {t('incidents.timeline.showAll')}
            </button>
          )}
        </div>
        <TimelineAxis incidentId={id} lanes={kinds} version={version} selection={range} onSelect={selectRange} onJump={jumpTo} />
        {range && !jump && (
          <p className="hint" data-testid="timeline-range">
            {t('incidents.timeline.range', { from: new Date(range.from).toLocaleString(locale), to: new Date(range.to).toLocaleString(locale) })}
          </p>
        )}
        <TimelineList incidentId={id} query={query} version={version} onJump={jumpTo} onAttachText={attachText} />
      </section>
    </section>
  );
}
