import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SECTIONS, type CheckInfo, type CheckProgress, type CheckStatus, type DiagnoseResult, type Evidence, type Finding, type Section } from '../../../shared/checks';
import { ApiError, call, useApi } from '../api/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { ActionButtons } from '../components/ActionButtons';
import { useAppState } from '../state';
import type { RoadsideErrorShape } from '../../../shared/result';

const STATUS_ORDER: CheckStatus[] = ['fail', 'error', 'warn', 'skipped', 'pass'];

function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export function StatusBadge({ status }: { status: CheckStatus }) {
  const { t } = useTranslation();
  const tone = status === 'pass' ? 'badge-ok' : status === 'warn' || status === 'skipped' ? 'badge-warn' : 'badge-fail';
  return (
    <span className={`badge ${status === 'skipped' ? 'badge-muted' : tone}`} data-finding-status={status}>
      {t(`diagnose.status.${status}`)}
    </span>
  );
}

function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="link-button"
      onClick={() =>
        void navigator.clipboard.writeText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          },
          () => setCopied(false),
        )
      }
    >
      {copied ? t('diagnose.copied') : t('diagnose.copy')}
    </button>
  );
}

function EvidenceBlock({ evidence }: { evidence: Evidence }) {
  switch (evidence.kind) {
    case 'object':
      return (
        <div className="evidence">
          <div className="evidence-label">
            {evidence.label} <span className="mono">{`${evidence.ref.kind}/${evidence.ref.name}`}</span>
          </div>
          {evidence.fields && (
            <dl className="fields">
              {Object.entries(evidence.fields).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd className="mono">{String(v)}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      );
    case 'log':
      return (
        <div className="evidence">
          <div className="evidence-label">
            {evidence.label} <span className="mono">{`${evidence.ref.name}${evidence.container ? ` [${evidence.container}]` : ''}`}</span>
          </div>
          <pre className="log">{evidence.lines.join('\n')}</pre>
        </div>
      );
    case 'output':
      return (
        <div className="evidence">
          <div className="evidence-label">
            {evidence.label} <code className="mono">{evidence.command}</code>
            {evidence.exitCode !== undefined && <span className="hint"> exit {evidence.exitCode}</span>}
          </div>
          <pre className="log">{evidence.text}</pre>
        </div>
      );
    case 'metric':
      return (
        <div className="evidence">
          <span className="evidence-label">{evidence.label}</span>{' '}
          <span className="mono">
            {evidence.value} {evidence.unit}
            {evidence.limit !== undefined ? ` / ${evidence.limit} ${evidence.unit}` : ''}
          </span>
        </div>
      );
  }
}

function FindingRow({ finding, info }: { finding: Finding; info?: CheckInfo }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'es' ? 'es' : 'en';
  const [open, setOpen] = useState(finding.status === 'fail' || finding.status === 'error');
  return (
    <li className={`finding finding-${finding.status}`} data-check={finding.check}>
      <button type="button" className="finding-head" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <StatusBadge status={finding.status} />
        <span className="finding-title">{info?.title[lang] ?? finding.check}</span>
        <span className="finding-message">{finding.message}</span>
        <span className="mono hint">{finding.check}</span>
      </button>
      {open && (
        <div className="finding-body">
          {finding.runbook && (
            <p className="hint">
              {t('diagnose.runbook')}: {finding.runbook}
            </p>
          )}
          {finding.evidence.length > 0 && (
            <>
              <h4>{t('diagnose.evidence')}</h4>
              {finding.evidence.map((e, i) => (
                <EvidenceBlock key={i} evidence={e} />
              ))}
            </>
          )}
          {finding.kubectl.length > 0 && (
            <>
              <h4>{t('diagnose.kubectl')}</h4>
              {finding.kubectl.map((cmd) => (
                <div key={cmd} className="command">
                  <code className="mono">{cmd}</code> <CopyButton text={cmd} />
                </div>
              ))}
            </>
          )}
          {finding.remediation.length > 0 && finding.status !== 'pass' && (
            <>
              <h4>{t('diagnose.fix')}</h4>
              <ol className="remediation">
                {finding.remediation.map((r, i) => (
                  <li key={i}>
                    {r.text[lang]}
                    {r.command && (
                      <div className="command">
                        <code className="mono">{r.command}</code> <CopyButton text={r.command} />
                      </div>
                    )}
                  </li>
                ))}
              </ol>
            </>
          )}
          {finding.actions.length > 0 && finding.status !== 'pass' && <ActionButtons actions={finding.actions} />}
        </div>
      )}
    </li>
  );
}

export function DiagnoseView() {
  const { t } = useTranslation();
  const api = useApi();
  const { contexts } = useAppState();
  const [checks, setChecks] = useState<CheckInfo[]>([]);
  const [sections, setSections] = useState<Section[]>([]);
  const [progress, setProgress] = useState<CheckProgress>();
  const [result, setResult] = useState<DiagnoseResult>();
  const [error, setError] = useState<RoadsideErrorShape>();
  const [running, setRunning] = useState(false);
  const [filter, setFilter] = useState<CheckStatus | 'all'>('all');
  const runId = useRef<string | undefined>(undefined);

  useEffect(() => {
    call(api, 'checks.list', {}).then(setChecks, (e: unknown) => setError(e instanceof ApiError ? e.shape : { code: 'internal', message: String(e) }));
    return api.onEvent((event) => {
      if (event.type === 'diagnose-progress' && event.progress.runId === runId.current) setProgress(event.progress);
    });
  }, [api]);

  const infoById = useMemo(() => new Map(checks.map((c) => [c.id, c])), [checks]);
  const selected = contexts?.selected;

  const run = async () => {
    const id = newRunId();
    runId.current = id;
    setRunning(true);
    setError(undefined);
    setProgress({ runId: id, done: 0, total: 0 });
    try {
      const r = await call(api, 'diagnose.run', {
        runId: id,
        ...(selected?.context ? { context: selected.context } : {}),
        namespace: selected?.namespace,
        ...(sections.length ? { sections } : {}),
      });
      setResult(r);
    } catch (e) {
      setError(e instanceof ApiError ? e.shape : { code: 'internal', message: String(e) });
    } finally {
      setRunning(false);
    }
  };

  const cancel = () => {
    if (runId.current) void call(api, 'diagnose.cancel', { runId: runId.current });
  };

  const grouped = useMemo(() => {
    const bySection = new Map<Section, Finding[]>();
    for (const f of result?.findings ?? []) {
      if (filter !== 'all' && f.status !== filter) continue;
      const list = bySection.get(f.section) ?? [];
      list.push(f);
      bySection.set(f.section, list);
    }
    for (const list of bySection.values()) list.sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
    return bySection;
  }, [result, filter]);

  const pct = progress && progress.total ? Math.round((progress.done / progress.total) * 100) : 0;

  return (
    <section className="view" aria-labelledby="diagnose-title">
      <header className="view-header">
        <div>
          <h1 id="diagnose-title">{t('diagnose.title')}</h1>
          <p className="subtitle">
            {t('diagnose.subtitle', { context: selected?.context ?? '—', namespace: selected?.namespace ?? '—' })}
          </p>
        </div>
        <div className="toolbar">
          {running ? (
            <button type="button" onClick={cancel}>
              {t('diagnose.cancel')}
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void run()} disabled={!selected?.context} data-testid="run-diagnose">
              {sections.length ? t('diagnose.runSections') : t('diagnose.runAll')}
            </button>
          )}
        </div>
      </header>

      <fieldset className="chips" aria-label={t('diagnose.sections')}>
        {SECTIONS.map((s) => (
          <label key={s} className="chip">
            <input
              type="checkbox"
              checked={sections.includes(s)}
              onChange={(e) => setSections((prev) => (e.target.checked ? [...prev, s] : prev.filter((x) => x !== s)))}
            />
            {t(`diagnose.section.${s}`)}
          </label>
        ))}
      </fieldset>

      {running && (
        <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid="diagnose-progress">
          <div className="progress-bar" style={{ width: `${pct}%` }} />
          <span className="progress-label">
            {progress?.total ? t('diagnose.progress', { done: progress.done, total: progress.total }) : t('common.loading')}
            {progress?.check ? ` · ${progress.check}` : ''}
          </span>
        </div>
      )}

      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      {result?.unreachable && <ErrorMessage error={{ code: 'unreachable', message: result.unreachable }} />}

      {result && (
        <>
          <div className="score-row" data-testid="diagnose-summary">
            <div className="score">
              <span className="score-value">{result.score.overall ?? '—'}</span>
              <span className="hint">{t('diagnose.score')}</span>
            </div>
            {(['fail', 'error', 'warn', 'skipped', 'pass'] as CheckStatus[]).map((s) => (
              <button key={s} type="button" className={`summary-pill ${filter === s ? 'active' : ''}`} onClick={() => setFilter(filter === s ? 'all' : s)} aria-pressed={filter === s}>
                <StatusBadge status={s} /> {result.summary[s]}
              </button>
            ))}
            <span className="hint">
              {t('diagnose.stats', { ms: result.durationMs, requests: result.requests })}
              {result.cancelled ? ` · ${t('diagnose.cancelled')}` : ''}
            </span>
          </div>
          {SECTIONS.filter((s) => grouped.has(s)).map((s) => (
            <section key={s} className="panel" aria-labelledby={`section-${s}`}>
              <h2 id={`section-${s}`}>
                {t(`diagnose.section.${s}`)}
                <span className="hint"> · {t('diagnose.score')} {result.score.sections[s] ?? '—'}</span>
              </h2>
              <ul className="findings">
                {grouped.get(s)!.map((f) => (
                  <FindingRow key={f.check} finding={f} info={infoById.get(f.check)} />
                ))}
              </ul>
            </section>
          ))}
        </>
      )}
      {!result && !running && <p className="empty">{t('diagnose.empty')}</p>}
    </section>
  );
}
