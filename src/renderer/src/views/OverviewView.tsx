// The runbook's health-check (pods, services, PVCs, top pods, the last 20 events) of the
// selected context and namespace, refreshed every few seconds while the view is visible.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Overview, OverviewSection, SectionProblem } from '../../../shared/contract-observe';
import { ageOf } from '../../../shared/observe-logs';
import type { RoadsideErrorShape } from '../../../shared/result';
import { ApiError, call, useApi } from '../api/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { useAppState } from '../state';

const REFRESH_MS = 5000;

export function CopyCommand({ command }: { command: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <div className="obs-command">
      <code className="mono" data-testid="kubectl-command">
        $ {command}
      </code>
      <button
        type="button"
        className="link-button"
        onClick={() =>
          void navigator.clipboard.writeText(command).then(
            () => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            },
            () => setCopied(false),
          )
        }
      >
        {copied ? t('observe.copied') : t('observe.copy')}
      </button>
    </div>
  );
}

export function ProblemNote({ problem }: { problem: SectionProblem }) {
  const { t } = useTranslation();
  return (
    <div className={`obs-problem obs-problem-${problem.kind}`} role="status" data-problem={problem.kind}>
      <strong>{t(`observe.problem.${problem.kind}`)}</strong>{' '}
      {problem.kind === 'forbidden' ? (
        <span>
          {t('observe.problem.missingPermission')}{' '}
          <code className="mono">
            {problem.verb} {problem.resource}
          </code>{' '}
          {problem.namespace ? t('observe.problem.inNamespace', { namespace: problem.namespace }) : ''}
        </span>
      ) : (
        <span>{problem.message}</span>
      )}
    </div>
  );
}

function Block<T>({ id, title, section, stale, summary, children }: { id: string; title: string; section: OverviewSection<T>; stale: boolean; summary?: ReactNode; children: ReactNode }) {
  return (
    <section className={`panel obs-block${stale ? ' obs-stale' : ''}`} data-testid={`overview-${id}`} aria-labelledby={`obs-${id}-title`}>
      <div className="obs-block-head">
        <h2 id={`obs-${id}-title`}>{title}</h2>
        {summary}
      </div>
      <CopyCommand command={section.kubectl} />
      {section.problem && <ProblemNote problem={section.problem} />}
      {children}
    </section>
  );
}

function Empty({ show }: { show: boolean }) {
  const { t } = useTranslation();
  return show ? <p className="hint">{t('observe.none')}</p> : null;
}

export function OverviewView() {
  const { t } = useTranslation();
  const api = useApi();
  const { contexts } = useAppState();
  const context = contexts?.selected.context;
  const namespace = contexts?.selected.namespace;
  const [overview, setOverview] = useState<Overview>();
  const [error, setError] = useState<RoadsideErrorShape>();
  const [paused, setPaused] = useState(false);
  const [loading, setLoading] = useState(false);
  const [lastOk, setLastOk] = useState<number>();
  const [now, setNow] = useState(Date.now());
  const inFlight = useRef(false);
  const target = useRef('');

  const refresh = useCallback(async () => {
    if (!context || inFlight.current) return;
    const key = `${context}/${namespace}`;
    inFlight.current = true;
    setLoading(true);
    try {
      const result = await call(api, 'overview.get', { context, ...(namespace ? { namespace } : {}) });
      if (target.current !== key) return;
      setError(undefined);
      if (result.unreachable) {
        // Keep the last good data, marked stale, and say why it is not fresh.
        setOverview((prev) => (prev ? { ...prev, unreachable: result.unreachable } : result));
      } else {
        setOverview(result);
        setLastOk(Date.parse(result.collectedAt));
      }
    } catch (err) {
      if (target.current === key) setError(err instanceof ApiError ? err.shape : { code: 'internal', message: String(err) });
    } finally {
      inFlight.current = false;
      setLoading(false);
      setNow(Date.now());
    }
  }, [api, context, namespace]);

  useEffect(() => {
    target.current = `${context}/${namespace}`;
    setOverview(undefined);
    setLastOk(undefined);
    setError(undefined);
    void refresh();
  }, [context, namespace, refresh]);

  useEffect(() => {
    if (paused) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, REFRESH_MS);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(timer);
      clearInterval(tick);
    };
  }, [paused, refresh]);

  if (!context) {
    return (
      <div className="view">
        <h1>{t('observe.overview.title')}</h1>
        <p className="empty">{t('observe.noContext')}</p>
      </div>
    );
  }

  const stale = !!overview?.unreachable;
  const unhealthy = overview?.pods.rows.filter((p) => !p.healthy) ?? [];
  const maxCpu = Math.max(1, ...(overview?.top.rows.map((r) => r.cpuMillicores) ?? []));
  const maxMem = Math.max(1, ...(overview?.top.rows.map((r) => r.memoryMi) ?? []));

  return (
    <div className="view obs-overview" data-testid="overview-view">
      <header className="view-header">
        <div>
          <h1>{t('observe.overview.title')}</h1>
          <p className="subtitle">
            {t('observe.overview.subtitle', { context, namespace })}
          </p>
        </div>
        <div className="obs-refresh">
          <span className="hint" data-testid="overview-updated" data-collected-at={lastOk ?? ""} aria-live="polite">
            {lastOk
              ? t('observe.overview.updated', { time: new Date(lastOk).toLocaleTimeString(), ago: ageOf(new Date(lastOk).toISOString(), now) })
              : loading
                ? t('common.loading')
                : ''}
            {paused ? ` · ${t('observe.overview.paused')}` : ''}
          </span>
          <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused} data-testid="overview-pause">
            {paused ? t('observe.overview.resume') : t('observe.overview.pause')}
          </button>
          <button type="button" onClick={() => void refresh()} disabled={loading}>
            {t('observe.overview.refresh')}
          </button>
        </div>
      </header>

      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      {overview?.unreachable && (
        <div className="error-banner obs-unreachable" role="alert" data-testid="overview-unreachable">
          <strong>{t('observe.overview.unreachable')}</strong>
          <span className="error-text">{overview.unreachable}</span>
          {lastOk && <span>{t('observe.overview.staleSince', { time: new Date(lastOk).toLocaleTimeString() })}</span>}
        </div>
      )}
      {!overview && !error && <p className="empty">{t('common.loading')}</p>}

      {overview && (
        <>
          <p className={`obs-summary ${unhealthy.length ? 'obs-summary-bad' : 'obs-summary-ok'}`} data-testid="overview-summary">
            {unhealthy.length
              ? t('observe.overview.attention', { count: unhealthy.length, total: overview.pods.rows.length })
              : t('observe.overview.allHealthy', { total: overview.pods.rows.length })}
          </p>

          <Block id="pods" title={t('observe.overview.pods')} section={overview.pods} stale={stale}>
            <table className="data-table obs-table">
              <thead>
                <tr>
                  <th>{t('observe.col.name')}</th>
                  <th>{t('observe.col.ready')}</th>
                  <th>{t('observe.col.status')}</th>
                  <th>{t('observe.col.restarts')}</th>
                  <th>{t('observe.col.age')}</th>
                  <th>{t('observe.col.node')}</th>
                </tr>
              </thead>
              <tbody>
                {overview.pods.rows.map((p) => (
                  <tr key={p.name} data-pod={p.name} data-healthy={p.healthy} className={p.healthy ? undefined : 'obs-row-bad'}>
                    <th className="mono">{p.name}</th>
                    <td className="mono">{p.ready}</td>
                    <td>
                      <span className={`badge ${p.healthy ? 'badge-ok' : p.status === 'Pending' || p.status.startsWith('Init:') ? 'badge-warn' : 'badge-fail'}`} data-status={p.status}>
                        {p.status}
                      </span>
                    </td>
                    <td className="mono">
                      {p.restarts}
                      {p.lastRestartAt ? <span className="hint"> ({t('observe.ago', { age: ageOf(p.lastRestartAt, now) })})</span> : null}
                    </td>
                    <td className="mono">{ageOf(p.createdAt, now)}</td>
                    <td className="mono">{p.node ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Empty show={!overview.pods.problem && overview.pods.rows.length === 0} />
          </Block>

          <Block id="services" title={t('observe.overview.services')} section={overview.services} stale={stale}>
            <table className="data-table obs-table">
              <thead>
                <tr>
                  <th>{t('observe.col.name')}</th>
                  <th>{t('observe.col.type')}</th>
                  <th>{t('observe.col.clusterIP')}</th>
                  <th>{t('observe.col.ports')}</th>
                  <th>{t('observe.col.endpoints')}</th>
                </tr>
              </thead>
              <tbody>
                {overview.services.rows.map((s) => {
                  const none = s.selector && s.readyEndpoints === 0;
                  return (
                    <tr key={s.name} data-service={s.name} className={none ? 'obs-row-bad' : undefined}>
                      <th className="mono">{s.name}</th>
                      <td>{s.type}</td>
                      <td className="mono">{s.clusterIP}</td>
                      <td className="mono">{s.ports}</td>
                      <td data-ready-endpoints={s.readyEndpoints}>
                        <span className={`badge ${none ? 'badge-fail' : 'badge-ok'}`}>{t('observe.overview.endpointsReady', { count: s.readyEndpoints })}</span>
                        {s.notReadyEndpoints > 0 && <span className="hint"> {t('observe.overview.endpointsNotReady', { count: s.notReadyEndpoints })}</span>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <Empty show={!overview.services.problem && overview.services.rows.length === 0} />
          </Block>

          <div className="obs-grid">
            <Block id="pvcs" title={t('observe.overview.pvcs')} section={overview.pvcs} stale={stale}>
              <table className="data-table obs-table">
                <thead>
                  <tr>
                    <th>{t('observe.col.name')}</th>
                    <th>{t('observe.col.status')}</th>
                    <th>{t('observe.col.capacity')}</th>
                    <th>{t('observe.col.access')}</th>
                    <th>{t('observe.col.storageClass')}</th>
                  </tr>
                </thead>
                <tbody>
                  {overview.pvcs.rows.map((p) => (
                    <tr key={p.name} data-pvc={p.name} className={p.status === 'Bound' ? undefined : 'obs-row-bad'}>
                      <th className="mono">{p.name}</th>
                      <td>
                        <span className={`badge ${p.status === 'Bound' ? 'badge-ok' : 'badge-fail'}`}>{p.status}</span>
                      </td>
                      <td className="mono">{p.capacity || '—'}</td>
                      <td className="mono">{p.accessModes || '—'}</td>
                      <td className="mono">{p.storageClass || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Empty show={!overview.pvcs.problem && overview.pvcs.rows.length === 0} />
            </Block>

            <Block id="top" title={t('observe.overview.top')} section={overview.top} stale={stale}>
              <table className="data-table obs-table">
                <thead>
                  <tr>
                    <th>{t('observe.col.pod')}</th>
                    <th>{t('observe.col.cpu')}</th>
                    <th>{t('observe.col.memory')}</th>
                  </tr>
                </thead>
                <tbody>
                  {overview.top.rows.map((r) => (
                    <tr key={r.pod} data-top-pod={r.pod}>
                      <th className="mono">{r.pod}</th>
                      <td className="mono obs-meter-cell">
                        <span className="obs-meter" style={{ width: `${(r.cpuMillicores / maxCpu) * 100}%` }} aria-hidden="true" />
                        <span>{r.cpuMillicores}m</span>
                      </td>
                      <td className="mono obs-meter-cell">
                        <span className="obs-meter" style={{ width: `${(r.memoryMi / maxMem) * 100}%` }} aria-hidden="true" />
                        <span>{r.memoryMi}Mi</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Empty show={!overview.top.problem && overview.top.rows.length === 0} />
            </Block>
          </div>

          <Block id="events" title={t('observe.overview.events')} section={overview.events} stale={stale}>
            <table className="data-table obs-table obs-events">
              <thead>
                <tr>
                  <th>{t('observe.col.lastSeen')}</th>
                  <th>{t('observe.col.type')}</th>
                  <th>{t('observe.col.reason')}</th>
                  <th>{t('observe.col.object')}</th>
                  <th>{t('observe.col.message')}</th>
                </tr>
              </thead>
              <tbody>
                {overview.events.rows.map((e, i) => (
                  <tr key={`${e.object}-${e.reason}-${i}`} data-event-reason={e.reason} className={e.type === 'Warning' ? 'obs-row-warn' : undefined}>
                    <td className="mono obs-nowrap">
                      {ageOf(e.lastSeen, now)}
                      {e.count > 1 ? <span className="hint"> ×{e.count}</span> : null}
                    </td>
                    <td>{e.type === 'Warning' ? <span className="badge badge-warn">{e.type}</span> : e.type}</td>
                    <td>{e.reason}</td>
                    <td className="mono">{e.object}</td>
                    <td className="obs-message">{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Empty show={!overview.events.problem && overview.events.rows.length === 0} />
          </Block>
        </>
      )}
    </div>
  );
}
