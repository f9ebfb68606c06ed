import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  DEFAULT_CHANNEL_FOR_LEVEL,
  ESCALATION_CHANNEL_KINDS,
  type BuildResult,
  type BundlePreview,
  type EscalationChannelKind,
  type EscalationChannels,
  type PreviewFile,
  type ReportDraft,
  type ReportIncidentSummary,
  type ReportRequest,
} from '../../../shared/contract-report';
import { ESCALATION_LEVELS, type EscalationLevel } from '../../../shared/incidents';
import type { RoadsideErrorShape } from '../../../shared/result';
import { ApiError, call, useApi } from '../api/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { useAppState } from '../state';
import { BundleView } from './BundleView';

function toShape(e: unknown): RoadsideErrorShape {
  return e instanceof ApiError ? e.shape : { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function durationSeconds(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(t)) return undefined;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  for (const m of t.matchAll(/(\d+)([smhd])/g)) total += Number(m[1]) * unit[m[2]];
  return total || undefined;
}

/** The redacted text with each hidden value marked. */
export function HighlightedExcerpt({ file }: { file: PreviewFile }) {
  const parts: ReactNode[] = [];
  let at = 0;
  file.spans.forEach((s, i) => {
    if (s.start > at) parts.push(file.excerpt.slice(at, s.start));
    parts.push(
      <mark key={i} className="rep-mark" data-rule={s.rule} title={s.rule}>
        {file.excerpt.slice(s.start, s.end)}
      </mark>,
    );
    at = s.end;
  });
  parts.push(file.excerpt.slice(at));
  return <pre className="rep-excerpt">{parts}</pre>;
}

function Section({ n, title, children }: { n: number; title: string; children: ReactNode }) {
  return (
    <section className="panel rep-section" data-section={n} aria-labelledby={`rep-section-${n}`}>
      <h2 id={`rep-section-${n}`}>
        <span className="rep-section-number">{n}</span> {title}
      </h2>
      {children}
    </section>
  );
}

function ChannelSettings({ channels, onSaved }: { channels: EscalationChannels; onSaved(c: EscalationChannels): void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [edit, setEdit] = useState(channels);
  const [error, setError] = useState<RoadsideErrorShape>();
  useEffect(() => setEdit(channels), [channels]);
  return (
    <details className="rep-channels">
      <summary>{t('report.channels.title')}</summary>
      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      <div className="form-grid">
        {ESCALATION_CHANNEL_KINDS.map((k) => (
          <label key={k}>
            {t(`report.channel.${k}`)}
            <input value={edit[k]} onChange={(e) => setEdit({ ...edit, [k]: e.target.value })} />
          </label>
        ))}
      </div>
      <button
        type="button"
        onClick={() =>
          void call(api, 'report.channels', { channels: edit }).then(onSaved, (e) => setError(toShape(e)))
        }
      >
        {t('report.channels.save')}
      </button>
    </details>
  );
}

export function ReportsView() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<'build' | 'open'>('build');
  return (
    <section className="view" aria-labelledby="reports-title">
      <header className="view-header">
        <div>
          <h1 id="reports-title">{t('report.title')}</h1>
          <p className="subtitle">{t('report.subtitle')}</p>
        </div>
        <div className="rep-tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab === 'build'} onClick={() => setTab('build')}>
            {t('report.tabBuild')}
          </button>
          <button type="button" role="tab" aria-selected={tab === 'open'} onClick={() => setTab('open')}>
            {t('report.tabOpen')}
          </button>
        </div>
      </header>
      {tab === 'build' ? <ReportBuilder /> : <BundleView />}
    </section>
  );
}

function ReportBuilder() {
  const { t } = useTranslation();
  const api = useApi();
  const { info } = useAppState();
  const [incidents, setIncidents] = useState<ReportIncidentSummary[]>();
  const [incidentId, setIncidentId] = useState('');
  const [draft, setDraft] = useState<ReportDraft>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<RoadsideErrorShape>();
  const [description, setDescription] = useState('');
  const [steps, setSteps] = useState('');
  const [impact, setImpact] = useState('');
  const [level, setLevel] = useState<EscalationLevel>('L2');
  const [channel, setChannel] = useState<EscalationChannelKind>('slack');
  const [channels, setChannels] = useState<EscalationChannels>();
  const [engineer, setEngineer] = useState('');
  const [live, setLive] = useState(true);
  const [since, setSince] = useState('');
  const [tail, setTail] = useState('5000');
  const [pods, setPods] = useState<Set<string>>(new Set());
  const [attachments, setAttachments] = useState<Set<string>>(new Set());
  const [literals, setLiterals] = useState('');
  const [patterns, setPatterns] = useState('');
  const [exemptions, setExemptions] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<BundlePreview>();
  const [previewKey, setPreviewKey] = useState('');
  const [openFile, setOpenFile] = useState<string>();
  const [out, setOut] = useState('');
  const [built, setBuilt] = useState<BuildResult>();
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    void call(api, 'report.incidents', {}).then(setIncidents, (e) => setError(toShape(e)));
  }, [api]);

  const guard = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(toShape(e));
    } finally {
      setBusy(undefined);
    }
  };

  const loadDraft = (id: string, withLive = live) =>
    guard('draft', async () => {
      const d = await call(api, 'report.draft', { incidentId: id, live: withLive });
      setDraft(d);
      setDescription(d.description);
      setSteps(d.steps);
      setImpact(d.impact);
      setLevel(d.level);
      setChannel(d.channel);
      setChannels(d.channels);
      setEngineer(d.engineer);
      setPods(new Set(d.environment?.pods.map((p) => p.name) ?? []));
      setAttachments(new Set(d.attachments.map((a) => a.sha256)));
      setPreview(undefined);
      setBuilt(undefined);
      const slug = d.incident.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'incident';
      const sep = info?.platform === 'win32' ? '\\' : '/';
      setOut(`${info?.dataDir ?? '.'}${sep}escalation-${slug}-${new Date().toISOString().slice(0, 10)}.zip`);
    });

  const request = useMemo((): ReportRequest | undefined => {
    if (!draft) return undefined;
    const allPods = draft.environment?.pods.map((p) => p.name) ?? [];
    return {
      incidentId: draft.incident.id,
      ...(draft.context ? { context: draft.context } : {}),
      namespace: draft.namespace,
      live,
      level,
      channel,
      engineer,
      description,
      steps,
      impact,
      attachments: [...attachments],
      logs: {
        ...(durationSeconds(since) ? { sinceSeconds: durationSeconds(since) } : {}),
        ...(Number(tail) > 0 ? { tailLines: Number(tail) } : {}),
        ...(pods.size !== allPods.length ? { pods: [...pods] } : {}),
      },
      redaction: {
        customLiterals: lines(literals),
        customPatterns: lines(patterns),
        exemptions: Object.entries(exemptions)
          .filter(([, reason]) => reason.trim().length >= 3)
          .map(([file, reason]) => ({ file, reason: reason.trim() })),
      },
    };
  }, [draft, live, level, channel, engineer, description, steps, impact, attachments, since, tail, pods, literals, patterns, exemptions]);
  const requestKey = JSON.stringify(request ?? {});
  const previewCurrent = preview !== undefined && previewKey === requestKey;

  const runPreview = () =>
    guard('preview', async () => {
      if (!request) return;
      const p = await call(api, 'report.preview', request);
      setPreview(p);
      setPreviewKey(requestKey);
      setBuilt(undefined);
    });

  const runBuild = () =>
    guard('build', async () => {
      if (!request || !previewCurrent) return;
      setBuilt(await call(api, 'report.build', { ...request, out, confirmed: true }));
    });

  const [pdf, setPdf] = useState<{ path: string; size: number }>();
  // Desktop only: the printable report rendered to PDF by Electron, beside the bundle.
  const savePdf = () =>
    guard('pdf', async () => {
      if (!request) return;
      setPdf(await call(api, 'report.pdf', { ...request, out: `${out.replace(/\.zip$/i, '')}.pdf`, overwrite: true }));
    });

  const openPrintable = () =>
    guard('render', async () => {
      if (!request) return;
      const r = await call(api, 'report.render', request);
      const url = URL.createObjectURL(new Blob([r.html], { type: 'text/html' }));
      window.open(url, '_blank', 'noopener');
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });

  const copySummary = (text: string) => {
    void navigator.clipboard?.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <div className="rep-builder">
      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      <section className="panel">
        <div className="inline-form">
          <label>
            {t('report.incident')}
            <select
              value={incidentId}
              data-testid="rep-incident"
              onChange={(e) => {
                setIncidentId(e.target.value);
                if (e.target.value) void loadDraft(e.target.value);
              }}
            >
              <option value="">{t('report.chooseIncident')}</option>
              {incidents?.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.severity} · {i.title} ({i.status})
                </option>
              ))}
            </select>
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={live}
              onChange={(e) => {
                setLive(e.target.checked);
                if (incidentId) void loadDraft(incidentId, e.target.checked);
              }}
            />
            {t('report.live')}
          </label>
        </div>
        {incidents && incidents.length === 0 && <p className="empty">{t('report.noIncidents')}</p>}
        {busy === 'draft' && <p className="hint">{t('report.collecting')}</p>}
      </section>

      {draft && (
        <>
          {draft.liveError && (
            <p className="rep-warning" role="status" data-testid="rep-live-error">
              {t('report.liveFailed', { error: draft.liveError })}
            </p>
          )}
          <section className="panel rep-escalation">
            <div className="form-grid">
              <label>
                {t('report.level')}
                <select value={level} data-testid="rep-level" onChange={(e) => { const l = e.target.value as EscalationLevel; setLevel(l); setChannel(DEFAULT_CHANNEL_FOR_LEVEL[l]); }}>
                  {ESCALATION_LEVELS.map((l) => (
                    <option key={l} value={l}>
                      {t(`report.levels.${l}`)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t('report.channelLabel')}
                <select value={channel} onChange={(e) => setChannel(e.target.value as EscalationChannelKind)}>
                  {ESCALATION_CHANNEL_KINDS.map((c) => (
                    <option key={c} value={c}>
                      {t(`report.channel.${c}`)}: {channels?.[c]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t('report.engineer')}
                <input value={engineer} onChange={(e) => setEngineer(e.target.value)} />
              </label>
            </div>
            {channels && <ChannelSettings channels={channels} onSaved={setChannels} />}
          </section>

          <Section n={1} title={t('report.sections.description')}>
            <textarea className="rep-text" rows={5} value={description} onChange={(e) => setDescription(e.target.value)} aria-label={t('report.sections.description')} />
          </Section>
          <Section n={2} title={t('report.sections.steps')}>
            <textarea className="rep-text" rows={5} value={steps} onChange={(e) => setSteps(e.target.value)} aria-label={t('report.sections.steps')} />
          </Section>
          <Section n={3} title={t('report.sections.logs')}>
            <div className="inline-form">
              <label>
                {t('report.since')}
                <input value={since} placeholder="2h" onChange={(e) => setSince(e.target.value)} size={6} aria-invalid={since !== '' && !durationSeconds(since)} />
              </label>
              <label>
                {t('report.tail')}
                <input type="number" min={1} value={tail} onChange={(e) => setTail(e.target.value)} style={{ width: '7rem' }} />
              </label>
            </div>
            <h3>{t('report.attachments')}</h3>
            {draft.attachments.length === 0 && <p className="empty">{t('report.none')}</p>}
            <ul className="rep-checklist">
              {draft.attachments.map((a) => (
                <li key={a.sha256}>
                  <label className="checkbox">
                    <input
                      type="checkbox"
                      checked={attachments.has(a.sha256)}
                      onChange={(e) => {
                        const next = new Set(attachments);
                        if (e.target.checked) next.add(a.sha256);
                        else next.delete(a.sha256);
                        setAttachments(next);
                      }}
                    />
                    <span className="mono">{a.name}</span> <span className="hint">({a.mediaType}, {a.size} B{a.text ? '' : `, ${t('report.binary')}`})</span>
                  </label>
                </li>
              ))}
            </ul>
            {draft.environment && (
              <>
                <h3>{t('report.podLogs', { count: pods.size, total: draft.environment.pods.length })}</h3>
                <ul className="rep-checklist rep-pods">
                  {draft.environment.pods.map((p) => (
                    <li key={p.name}>
                      <label className="checkbox">
                        <input
                          type="checkbox"
                          checked={pods.has(p.name)}
                          onChange={(e) => {
                            const next = new Set(pods);
                            if (e.target.checked) next.add(p.name);
                            else next.delete(p.name);
                            setPods(next);
                          }}
                        />
                        <span className="mono">{p.name}</span> <span className="hint">{p.phase}{p.restarts ? ` · ${t('report.restarts', { count: p.restarts })}` : ''}</span>
                      </label>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </Section>
          <Section n={4} title={t('report.sections.environment')}>
            {draft.environment ? (
              <div className="rep-env">
                <p>
                  {t('report.env.version')}: <strong className="mono">{draft.environment.kubernetesVersion ?? '?'}</strong> · {t('report.env.context')}:{' '}
                  <span className="mono">{draft.environment.context}</span> / <span className="mono">{draft.environment.namespace}</span>
                </p>
                <ul className="rep-env-counts">
                  <li>{t('report.env.nodes', { count: draft.environment.nodes.length })}</li>
                  <li>{t('report.env.workloads', { count: draft.environment.workloads.length })}</li>
                  <li>{t('report.env.services', { count: draft.environment.services.length })}</li>
                  <li>{t('report.env.ingresses', { count: draft.environment.ingresses.length })}</li>
                  <li>{t('report.env.pvcs', { count: draft.environment.pvcs.length })}</li>
                  <li>{t('report.env.configMaps', { count: draft.environment.configMaps.length })}</li>
                  <li>{t('report.env.networkPolicies', { count: draft.environment.networkPolicies.length })}</li>
                  <li>{t('report.env.helm', { count: draft.environment.helmReleases.length })}</li>
                </ul>
                <table className="data-table">
                  <thead>
                    <tr>
                      <th>{t('report.env.image')}</th>
                      <th>{t('report.env.usedBy')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {draft.environment.images.map((i) => (
                      <tr key={i.image}>
                        <td className="mono">{i.image}</td>
                        <td>{i.workloads.join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {draft.environment.helmReleases.length > 0 && (
                  <p className="hint">
                    Helm: {draft.environment.helmReleases.map((h) => `${h.name} r${h.revision} ${h.status}`).join(' · ')}
                  </p>
                )}
                {draft.environment.problems.map((p) => (
                  <p key={p} className="hint">
                    {p}
                  </p>
                ))}
              </div>
            ) : (
              <p className="empty">{t('report.env.notCollected')}</p>
            )}
          </Section>
          <Section n={5} title={t('report.sections.impact')}>
            <textarea className="rep-text" rows={4} value={impact} onChange={(e) => setImpact(e.target.value)} aria-label={t('report.sections.impact')} />
          </Section>
          <Section n={6} title={t('report.sections.timeline')}>
            <ol className="rep-timeline">
              {draft.timeline.slice(-50).map((e, i) => (
                <li key={i}>
                  <span className="mono hint">{e.at.replace('T', ' ').slice(0, 19)}</span> <span className="tag">{e.kind}</span> {e.title}
                </li>
              ))}
            </ol>
            {draft.timeline.length > 50 && <p className="hint">{t('report.timelineMore', { count: draft.timeline.length - 50 })}</p>}
          </Section>

          <section className="panel rep-redaction">
            <h2>{t('report.redaction.title')}</h2>
            <p className="hint">{t('report.redaction.hint')}</p>
            <div className="form-grid">
              <label>
                {t('report.redaction.literals')}
                <textarea rows={3} value={literals} onChange={(e) => setLiterals(e.target.value)} data-testid="rep-literals" spellCheck={false} />
              </label>
              <label>
                {t('report.redaction.patterns')}
                <textarea rows={3} value={patterns} onChange={(e) => setPatterns(e.target.value)} spellCheck={false} />
              </label>
            </div>
            <button type="button" onClick={() => void runPreview()} disabled={!!busy} data-testid="rep-preview">
              {busy === 'preview' ? t('report.redaction.previewing') : t('report.redaction.preview')}
            </button>
            {preview && !previewCurrent && <p className="rep-warning">{t('report.redaction.stale')}</p>}
            {preview && (
              <div className="rep-preview" data-testid="rep-preview-result">
                {preview.liveError && <p className="rep-warning">{t('report.liveFailed', { error: preview.liveError })}</p>}
                <p>
                  <strong data-testid="rep-total">{t('report.redaction.total', { count: preview.total })}</strong>{' '}
                  {Object.entries(preview.totals).map(([rule, n]) => (
                    <span key={rule} className="chip rep-rule">
                      {rule}: {n}
                    </span>
                  ))}
                </p>
                {preview.excluded.length > 0 && (
                  <div className="rep-excluded">
                    <h3>{t('report.redaction.excluded')}</h3>
                    {preview.excluded.map((x) => (
                      <div key={x.path} className="inline-form">
                        <span className="mono">{x.path}</span>
                        <span className="hint">{x.reason}</span>
                        <input
                          placeholder={t('report.redaction.exemptReason')}
                          value={exemptions[x.path] ?? ''}
                          onChange={(e) => setExemptions({ ...exemptions, [x.path]: e.target.value })}
                        />
                      </div>
                    ))}
                  </div>
                )}
                <table className="data-table rep-files">
                  <thead>
                    <tr>
                      <th>{t('report.redaction.file')}</th>
                      <th>{t('report.redaction.bytes')}</th>
                      <th>{t('report.redaction.hidden')}</th>
                      <th>{t('report.redaction.byRule')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.files.map((f) => (
                      <tr key={f.path} className={openFile === f.path ? 'row-selected' : undefined} data-file={f.path}>
                        <td>
                          <button type="button" className="link-button mono" onClick={() => setOpenFile(openFile === f.path ? undefined : f.path)}>
                            {f.path}
                          </button>
                          {f.redaction === 'exempted' && <span className="badge badge-warn">{t('report.redaction.exempted')}</span>}
                        </td>
                        <td>{f.size}</td>
                        <td>{f.total}</td>
                        <td className="hint">
                          {Object.entries(f.counts)
                            .map(([r, n]) => `${r} ${n}`)
                            .join(', ')}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {openFile && preview.files.find((f) => f.path === openFile) && (
                  <div className="rep-file-view" data-testid="rep-file-view">
                    <h3 className="mono">{openFile}</h3>
                    <HighlightedExcerpt file={preview.files.find((f) => f.path === openFile)!} />
                    {preview.files.find((f) => f.path === openFile)!.truncated && <p className="hint">{t('report.redaction.truncated')}</p>}
                  </div>
                )}
              </div>
            )}
          </section>

          <section className="panel rep-export">
            <h2>{t('report.export.title')}</h2>
            <label className="rep-out">
              {t('report.export.path')}
              <input className="wide mono" value={out} onChange={(e) => setOut(e.target.value)} data-testid="rep-out" spellCheck={false} />
            </label>
            <div className="toolbar">
              <button type="button" onClick={() => void runBuild()} disabled={!!busy || !previewCurrent} data-testid="rep-build">
                {busy === 'build' ? t('report.export.writing') : t('report.export.confirm')}
              </button>
              {info?.door === 'electron' ? (
                <button type="button" onClick={() => void savePdf()} disabled={!!busy}>
                  {t('report.export.pdf')}
                </button>
              ) : (
                <button type="button" onClick={() => void openPrintable()} disabled={!!busy}>
                  {t('report.export.printable')}
                </button>
              )}
            </div>
            {!previewCurrent && <p className="hint">{t('report.export.needPreview')}</p>}
            {info?.door !== 'electron' && <p className="hint">{t('report.export.pdfHint')}</p>}
            {pdf && (
              <p>
                <span className="badge badge-ok">{t('report.export.pdfWritten')}</span> <span className="mono">{pdf.path}</span>
              </p>
            )}
            {built && (
              <div className="rep-built" data-testid="rep-built">
                <p>
                  <span className="badge badge-ok">{t('report.export.written')}</span> <span className="mono" data-testid="rep-built-path">{built.path}</span>
                </p>
                <p className="hint mono">
                  {built.files} {t('report.export.files')} · {built.size} B · sha256 {built.sha256.slice(0, 16)}… · {t('report.redaction.total', { count: built.redactedValues })}
                </p>
                {built.notes.map((n) => (
                  <p key={n} className="hint">
                    {n}
                  </p>
                ))}
                <h3>{t('report.export.summary')}</h3>
                <textarea className="rep-text mono" readOnly rows={6} value={built.summary} />
                <button type="button" onClick={() => copySummary(built.summary)}>
                  {copied ? t('report.export.copied') : t('report.export.copy')}
                </button>
              </div>
            )}
          </section>
        </>
      )}
    </div>
  );
}
