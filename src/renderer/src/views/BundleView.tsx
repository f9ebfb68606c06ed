import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import Markdown from 'react-markdown';
import type { BundleFileContent, BundleInfo, BundleReplay } from '../../../shared/contract-report';
import type { RoadsideErrorShape } from '../../../shared/result';
import { ApiError, call, useApi } from '../api/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { useAppState } from '../state';

function toShape(e: unknown): RoadsideErrorShape {
  return e instanceof ApiError ? e.shape : { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/** Open a received bundle: verify it, read its report, browse its files, replay its cluster. */
export function BundleView() {
  const { t } = useTranslation();
  const api = useApi();
  const { refreshContexts, selectContext } = useAppState();
  const [path, setPath] = useState('');
  const [bundle, setBundle] = useState<BundleInfo>();
  const [file, setFile] = useState<BundleFileContent>();
  const [replay, setReplay] = useState<BundleReplay>();
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<RoadsideErrorShape>();

  const guard = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(toShape(e));
    } finally {
      setBusy(false);
    }
  };

  const open = () =>
    guard(async () => {
      setBundle(undefined);
      setFile(undefined);
      setReplay(undefined);
      setBundle(await call(api, 'bundle.open', { path: path.trim() }));
    });

  const files = bundle?.manifest.files.filter((f) => f.path.includes(filter)) ?? [];

  return (
    <div className="rep-bundle">
      {error && <ErrorMessage error={error} onClose={() => setError(undefined)} />}
      <section className="panel">
        <h2>{t('report.bundle.openTitle')}</h2>
        <p className="hint">{t('report.bundle.openHint')}</p>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim()) void open();
          }}
        >
          <input className="wide mono" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/escalation.zip" aria-label={t('report.bundle.openTitle')} spellCheck={false} data-testid="rep-bundle-path" />
          <button type="submit" disabled={busy}>
            {t('report.bundle.open')}
          </button>
        </form>
      </section>
      {bundle && (
        <>
          <section className="panel" data-testid="rep-bundle-info">
            <p>
              <span className="badge badge-ok">{t('report.bundle.verified', { count: bundle.manifest.files.length })}</span>{' '}
              <strong>{bundle.manifest.incidentTitle}</strong>
            </p>
            <p className="hint mono">
              {bundle.manifest.level} · {bundle.manifest.channel} · {bundle.manifest.engineer} · {bundle.manifest.context ?? '-'}/{bundle.manifest.namespace} · {bundle.manifest.createdAt} · Roadside{' '}
              {bundle.manifest.roadsideVersion}
            </p>
            {bundle.manifest.liveError && <p className="rep-warning">{t('report.liveFailed', { error: bundle.manifest.liveError })}</p>}
            <div className="toolbar">
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void guard(async () => {
                    const r = await call(api, 'bundle.replay', { path: bundle.path });
                    setReplay(r);
                    await refreshContexts();
                    if (r.sandbox.context) await selectContext(r.sandbox.context, bundle.manifest.namespace);
                  })
                }
              >
                {t('report.bundle.replay')}
              </button>
            </div>
            {replay && (
              <div className="rep-replay" data-testid="rep-replay">
                <p>{t('report.bundle.replaying', { url: replay.sandbox.url, context: replay.sandbox.context })}</p>
                <code className="mono">export KUBECONFIG={replay.sandbox.kubeconfig}</code>
                <p className="hint">{t('report.bundle.extracted', { dir: replay.extractedTo })}</p>
              </div>
            )}
          </section>
          <div className="rep-bundle-columns">
            <section className="panel rep-bundle-files">
              <h2>{t('report.bundle.files')}</h2>
              <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('report.bundle.filter')} aria-label={t('report.bundle.filter')} />
              <ul className="file-list">
                {files.map((f) => (
                  <li key={f.path}>
                    <button
                      type="button"
                      className="link-button mono"
                      onClick={() => void guard(async () => setFile(await call(api, 'bundle.read', { path: bundle.path, file: f.path })))}
                    >
                      {f.path}
                    </button>{' '}
                    <span className="hint">{f.size} B</span>
                  </li>
                ))}
              </ul>
            </section>
            <section className="panel rep-bundle-content">
              {file ? (
                <>
                  <h2 className="mono">{file.file}</h2>
                  <button type="button" className="link-button" onClick={() => setFile(undefined)}>
                    {t('report.bundle.backToReport')}
                  </button>
                  <pre className="rep-excerpt">{file.text}</pre>
                  {file.truncated && <p className="hint">{t('report.redaction.truncated')}</p>}
                </>
              ) : (
                <div className="inc-markdown rep-report">
                  <Markdown>{bundle.reportMarkdown}</Markdown>
                </div>
              )}
            </section>
          </div>
        </>
      )}
    </div>
  );
}
