// Incidents: the list (filters, full-text search), the form for a new one, and the
// incident page. Also the status-bar badge of the incident being recorded to.
import { useCallback, useEffect, useState, useSyncExternalStore, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActiveIncident } from '../../../shared/contract-incidents';
import {
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  type Incident,
  type IncidentSeverity,
  type IncidentStatus,
  type SearchHit,
  type SnippetPart,
} from '../../../shared/incidents';
import type { RoadsideErrorShape } from '../../../shared/result';
import { ApiError, call, useApi } from '../api/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { useAppState } from '../state';
import { IncidentPage } from './IncidentsPage';

// Which incident page is open; kept outside React state so the status bar can open one.
let openIncidentId: string | null = null;
const openListeners = new Set<() => void>();
export function openIncident(id: string | null): void {
  openIncidentId = id;
  for (const listener of openListeners) listener();
}
function useOpenIncident(): string | null {
  return useSyncExternalStore(
    (listener) => {
      openListeners.add(listener);
      return () => openListeners.delete(listener);
    },
    () => openIncidentId,
  );
}

export function toShape(err: unknown): RoadsideErrorShape {
  return err instanceof ApiError ? err.shape : { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** A snippet with the matched words in <mark>, from the store's parts (never parsed as HTML). */
export function Snippet({ parts }: { parts: SnippetPart[] }) {
  return (
    <span className="inc-snippet">
      {parts.map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: IncidentSeverity }) {
  return <span className={`badge inc-sev inc-sev-${severity}`}>{severity}</span>;
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`badge inc-status inc-status-${status}`} data-status={status}>
      {t(`incidents.status.${status}`)}
    </span>
  );
}

/** Local time from a datetime-local field as an ISO instant (the store wants a zone). */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function NewIncidentForm({ onCreated, onCancel }: { onCreated(incident: Incident): void; onCancel(): void }) {
  const { t } = useTranslation();
  const api = useApi();
  const { contexts } = useAppState();
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<IncidentSeverity>('SEV3');
  const [context, setContext] = useState(contexts?.selected.context ?? '');
  const [namespace, setNamespace] = useState(contexts?.selected.namespace ?? '');
  const [description, setDescription] = useState('');
  const [startedAt, setStartedAt] = useState('');
  const [error, setError] = useState<RoadsideErrorShape>();
  const [saving, setSaving] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    try {
      const started = localInputToIso(startedAt);
      const incident = await call(api, 'incidents.create', {
        title: title.trim(),
        severity,
        ...(context ? { context } : {}),
        ...(namespace.trim() ? { namespace: namespace.trim() } : {}),
        ...(description.trim() ? { description } : {}),
        ...(started ? { startedAt: started } : {}),
      });
      onCreated(incident);
    } catch (err) {
      setError(toShape(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="panel inc-form" onSubmit={(e) => void submit(e)} aria-labelledby="inc-new-title" data-testid="new-incident-form">
      <h2 id="inc-new-title">{t('incidents.new.title')}</h2>
      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      <div className="form-grid">
        <label htmlFor="inc-title">{t('incidents.field.title')}</label>
        <input id="inc-title" required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} />
        <label htmlFor="inc-severity">{t('incidents.field.severity')}</label>
        <select id="inc-severity" value={severity} onChange={(e) => setSeverity(e.target.value as IncidentSeverity)}>
          {INCIDENT_SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s} · {t(`incidents.severity.${s}`)}
            </option>
          ))}
        </select>
        <label htmlFor="inc-context">{t('incidents.field.context')}</label>
        <select id="inc-context" value={context} onChange={(e) => setContext(e.target.value)}>
          <option value="">{t('incidents.field.noContext')}</option>
          {contexts?.contexts.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        <label htmlFor="inc-namespace">{t('incidents.field.namespace')}</label>
        <input id="inc-namespace" value={namespace} onChange={(e) => setNamespace(e.target.value)} pattern="[a-z0-9]([-a-z0-9]*[a-z0-9])?" />
        <label htmlFor="inc-started">{t('incidents.field.startedAt')}</label>
        <input id="inc-started" type="datetime-local" step={1} value={startedAt} onChange={(e) => setStartedAt(e.target.value)} aria-describedby="inc-started-hint" />
        <label htmlFor="inc-description">{t('incidents.field.description')}</label>
        <textarea id="inc-description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <p id="inc-started-hint" className="hint">
        {t('incidents.new.startedHint')}
      </p>
      <div className="toolbar">
        <button type="submit" disabled={saving || !title.trim()} data-testid="create-incident">
          {t('incidents.new.create')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('incidents.new.cancel')}
        </button>
      </div>
    </form>
  );
}

function IncidentList() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { contexts } = useAppState();
  const [incidents, setIncidents] = useState<Incident[]>();
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [statuses, setStatuses] = useState<IncidentStatus[]>([]);
  const [severity, setSeverity] = useState<IncidentSeverity | ''>('');
  const [context, setContext] = useState('');
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<RoadsideErrorShape>();
  const [active, setActive] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const text = search.trim();
      const [list, found, current] = await Promise.all([
        call(api, 'incidents.list', {
          ...(statuses.length ? { status: statuses } : {}),
          ...(severity ? { severity: [severity] } : {}),
          ...(context ? { context } : {}),
          ...(text ? { search: text } : {}),
        }),
        text ? call(api, 'incidents.search', { text, limit: 50 }) : Promise.resolve([]),
        call(api, 'incidents.active', {}),
      ]);
      setIncidents(list);
      setHits(found);
      setActive(current?.id ?? null);
    } catch (err) {
      setError(toShape(err));
    }
  }, [api, statuses, severity, context, search]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), search ? 200 : 0);
    return () => clearTimeout(timer);
  }, [load, search]);

  useEffect(
    () =>
      api.onEvent((event) => {
        if (event.type === 'incident-changed' || event.type === 'active-incident-changed') void load();
      }),
    [api, load],
  );

  const contextNames = contexts?.contexts.map((c) => c.name) ?? [];

  return (
    <section className="view" aria-labelledby="incidents-title">
      <header className="view-header">
        <div>
          <h1 id="incidents-title">{t('incidents.title')}</h1>
          <p className="subtitle">{t('incidents.subtitle')}</p>
        </div>
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setCreating(true)} data-testid="new-incident">
            {t('incidents.new.open')}
          </button>
        </div>
      </header>
      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      {creating && <NewIncidentForm onCreated={(incident) => openIncident(incident.id)} onCancel={() => setCreating(false)} />}

      <div className="inline-form inc-filters">
        <fieldset className="chips" aria-label={t('incidents.filter.status')}>
          {INCIDENT_STATUSES.map((s) => (
            <label key={s} className="chip">
              <input type="checkbox" checked={statuses.includes(s)} onChange={(e) => setStatuses((prev) => (e.target.checked ? [...prev, s] : prev.filter((x) => x !== s)))} />
              {t(`incidents.status.${s}`)}
            </label>
          ))}
        </fieldset>
        <label>
          <span className="inc-visually-hidden">{t('incidents.filter.severity')}</span>
          <select value={severity} onChange={(e) => setSeverity(e.target.value as IncidentSeverity | '')} aria-label={t('incidents.filter.severity')}>
            <option value="">{t('incidents.filter.allSeverities')}</option>
            {INCIDENT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <select value={context} onChange={(e) => setContext(e.target.value)} aria-label={t('incidents.filter.context')}>
          <option value="">{t('incidents.filter.allContexts')}</option>
          {contextNames.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <input
          type="search"
          className="wide"
          placeholder={t('incidents.filter.search')}
          aria-label={t('incidents.filter.search')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="incident-search"
        />
      </div>

      {hits.length > 0 && (
        <section className="panel" aria-labelledby="inc-hits-title">
          <h2 id="inc-hits-title">{t('incidents.search.title', { count: hits.length })}</h2>
          <ul className="inc-hits" data-testid="search-hits">
            {hits.map((hit) => (
              <li key={`${hit.incidentId}-${hit.entryId ?? 'incident'}`}>
                <button type="button" className="link-button" onClick={() => openIncident(hit.incidentId)}>
                  {hit.incidentTitle}
                </button>{' '}
                <span className="hint">{hit.kind === 'incident' ? t('incidents.search.incident') : t(`incidents.kind.${hit.kind}`)}</span> <Snippet parts={hit.snippetParts} />
              </li>
            ))}
          </ul>
        </section>
      )}

      {incidents && incidents.length === 0 && <p className="empty">{search ? t('incidents.empty.search') : t('incidents.empty.none')}</p>}
      {incidents && incidents.length > 0 && (
        <table className="data-table" data-testid="incidents-table">
          <thead>
            <tr>
              <th>{t('incidents.field.title')}</th>
              <th>{t('incidents.field.severity')}</th>
              <th>{t('incidents.field.status')}</th>
              <th>{t('incidents.field.where')}</th>
              <th>{t('incidents.field.startedAt')}</th>
              <th>{t('incidents.field.entries')}</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((incident) => (
              <tr key={incident.id} data-incident={incident.id} className={incident.id === active ? 'row-selected' : undefined}>
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => openIncident(incident.id)}>
                    {incident.title}
                  </button>
                  {incident.id === active && <span className="tag">{t('incidents.active.tag')}</span>}
                </th>
                <td>
                  <SeverityBadge severity={incident.severity} />
                </td>
                <td>
                  <IncidentStatusBadge status={incident.status} />
                </td>
                <td className="mono">
                  {incident.context ?? '—'}
                  {incident.namespace ? ` / ${incident.namespace}` : ''}
                </td>
                <td>{new Date(incident.startedAt).toLocaleString(i18n.language)}</td>
                <td>{incident.entryCount.toLocaleString(i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function IncidentsView() {
  const id = useOpenIncident();
  if (id) return <IncidentPage key={id} id={id} onBack={() => openIncident(null)} />;
  return <IncidentList />;
}

/** Status-bar badge: the incident diagnostics and actions are being recorded to. */
export function ActiveIncidentStatus() {
  const { t } = useTranslation();
  const api = useApi();
  const { setView } = useAppState();
  const [active, setActive] = useState<ActiveIncident | null>(null);
  useEffect(() => {
    void call(api, 'incidents.active', {}).then(setActive, () => undefined);
    return api.onEvent((event) => {
      if (event.type === 'active-incident-changed') setActive(event.active);
    });
  }, [api]);
  if (!active) return null;
  return (
    <span data-testid="status-incident">
      {t('incidents.active.status')}:{' '}
      <button
        type="button"
        className="link-button"
        onClick={() => {
          openIncident(active.id);
          setView('incidents');
        }}
      >
        <strong>{active.title}</strong>
      </button>{' '}
      <span className={`badge inc-status inc-status-${active.status}`}>{t(`incidents.status.${active.status}`)}</span>
    </span>
  );
}
