import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SandboxStatus, ScenarioInfo } from '../../../shared/sandbox';
import type { RoadsideErrorShape } from '../../../shared/result';
import { ApiError, call, useApi } from '../api/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { useAppState } from '../state';

export function useSandbox() {
  const api = useApi();
  const { selectContext, refreshContexts } = useAppState();
  const [status, setStatus] = useState<SandboxStatus>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<RoadsideErrorShape>();
  useEffect(() => {
    void call(api, 'sandbox.status', {}).then(setStatus, () => undefined);
    return api.onEvent((e) => {
      if (e.type === 'sandbox-changed') setStatus(e.status);
    });
  }, [api]);
  const guard = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e instanceof ApiError ? e.shape : { code: 'internal', message: String(e) });
    } finally {
      setBusy(false);
    }
  };
  return {
    status,
    busy,
    error,
    clearError: () => setError(undefined),
    start: (req: { scenario?: string; dir?: string }) =>
      guard(async () => {
        const s = await call(api, 'sandbox.start', req);
        setStatus(s);
        await refreshContexts();
        if (s.context) await selectContext(s.context, 'traffic-system');
      }),
    stop: () =>
      guard(async () => {
        setStatus(await call(api, 'sandbox.stop', {}));
        await refreshContexts();
      }),
  };
}

export function SandboxView() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'es' ? 'es' : 'en';
  const api = useApi();
  const { status, busy, error, clearError, start, stop } = useSandbox();
  const [scenarios, setScenarios] = useState<ScenarioInfo[]>([]);
  const [dir, setDir] = useState('');
  useEffect(() => {
    void call(api, 'sandbox.scenarios', {}).then(setScenarios, () => undefined);
  }, [api]);

  return (
    <section className="view" aria-labelledby="sandbox-title">
      <header className="view-header">
        <div>
          <h1 id="sandbox-title">{t('sandbox.title')}</h1>
          <p className="subtitle">{t('sandbox.subtitle')}</p>
        </div>
      </header>
      {error && <ErrorMessage error={error} onClose={clearError} />}
      {status?.running && (
        <section className="panel" data-testid="sandbox-running">
          <h2>{t('sandbox.running', { source: status.source })}</h2>
          <p className="mono">{status.url}</p>
          <p>
            {t('sandbox.contextHint', { context: status.context })} <code className="mono">export KUBECONFIG={status.kubeconfig}</code>
          </p>
          {status.skipped.length > 0 && (
            <>
              <h3>{t('sandbox.skipped')}</h3>
              <ul>
                {status.skipped.map((s, i) => (
                  <li key={i}>
                    <span className="mono">
                      {s.file}
                      {s.line ? `:${s.line}` : ''}
                    </span>
                    : {s.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
          {status.owner === 'this-process' ? (
            <button type="button" onClick={() => void stop()} disabled={busy}>
              {t('sandbox.stop')}
            </button>
          ) : (
            <p className="hint">{t('sandbox.otherProcess', { pid: status.pid })}</p>
          )}
        </section>
      )}
      <ul className="scenario-grid" aria-label={t('sandbox.scenarios')}>
        {scenarios.map((s) => (
          <li key={s.name} className="scenario-card" data-scenario={s.name}>
            <h3>{s.title[lang]}</h3>
            <p className="mono hint">{s.name}</p>
            <p>{s.description[lang]}</p>
            <button type="button" disabled={busy || status?.running} onClick={() => void start({ scenario: s.name })}>
              {t('sandbox.start')}
            </button>
          </li>
        ))}
      </ul>
      <section className="panel">
        <h2>{t('sandbox.folderTitle')}</h2>
        <p className="hint">{t('sandbox.folderHint')}</p>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (dir.trim()) void start({ dir: dir.trim() });
          }}
        >
          <input className="wide" value={dir} onChange={(e) => setDir(e.target.value)} placeholder="/path/to/snapshot" aria-label={t('sandbox.folderTitle')} spellCheck={false} />
          <button type="submit" disabled={busy || status?.running}>
            {t('sandbox.serveFolder')}
          </button>
        </form>
      </section>
    </section>
  );
}
