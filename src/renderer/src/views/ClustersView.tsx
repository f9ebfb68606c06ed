import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { NamespaceList } from '../../../shared/contract';
import { call, useApi } from '../api/context';
import { ReachabilityBadge } from '../components/ReachabilityBadge';
import { SshSettingsPanel } from '../components/SshSettings';
import { useAppState } from '../state';
import { useSandbox } from './SandboxView';

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function NamespacePicker({ context, current }: { context: string; current: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const { selectContext } = useAppState();
  const [list, setList] = useState<NamespaceList>();
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);
  useEffect(() => {
    let live = true;
    call(api, 'namespaces.list', { context }).then(
      (l) => live && setList(l),
      (err: Error) => live && setList({ context, namespaces: [], error: err.message }),
    );
    return () => {
      live = false;
    };
  }, [api, context]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) void selectContext(context, value.trim());
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label={t('clusters.namespaceFor', { context })}>
      <label htmlFor="namespace-input">{t('clusters.namespaceFor', { context })}</label>
      <input id="namespace-input" list="namespace-options" value={value} onChange={(e) => setValue(e.target.value)} spellCheck={false} />
      <datalist id="namespace-options">
        {list?.namespaces.map((n) => <option key={n} value={n} />)}
      </datalist>
      <button type="submit">{t('clusters.applyNamespace')}</button>
      {list?.error && <span className="hint">{t('clusters.namespacesUnavailable', { reason: list.error })}</span>}
    </form>
  );
}

export function ClustersView() {
  const { t } = useTranslation();
  const { contexts, reachability, probing, probe, selectContext, addKubeconfig, removeKubeconfig, settings } = useAppState();
  const [newFile, setNewFile] = useState('');
  const sandbox = useSandbox();
  if (!contexts) return <p className="view">{t('common.loading')}</p>;
  const selected = contexts.selected;
  const noKubeconfig = contexts.files.length === 0 && contexts.contexts.length === 0;
  return (
    <section className="view" aria-labelledby="clusters-title">
      <header className="view-header">
        <div>
          <h1 id="clusters-title">{t('clusters.title')}</h1>
          <p className="subtitle">{t('clusters.subtitle')}</p>
        </div>
        <button type="button" onClick={() => void probe()} disabled={probing} data-testid="probe-button">
          {probing ? t('clusters.probing') : t('clusters.probe')}
        </button>
      </header>

      {contexts.contexts.length === 0 && !sandbox.status?.running && (
        <div className="offer" data-testid="sandbox-offer">
          <span>{t('sandbox.offer')}</span>
          <button type="button" className="primary" disabled={sandbox.busy} onClick={() => void sandbox.start({ scenario: 'healthy' })}>
            {t('sandbox.offerButton')}
          </button>
        </div>
      )}
      {sandbox.error && <p className="problem-error">{sandbox.error.message}</p>}
      {contexts.contexts.length === 0 ? (
        <p className="empty" data-testid="no-contexts">{noKubeconfig ? t('clusters.noKubeconfig') : t('clusters.noContexts')}</p>
      ) : (
        <table className="data-table" data-testid="contexts-table">
          <thead>
            <tr>
              <th scope="col">{t('clusters.columns.name')}</th>
              <th scope="col">{t('clusters.columns.server')}</th>
              <th scope="col">{t('clusters.columns.user')}</th>
              <th scope="col">{t('clusters.columns.namespace')}</th>
              <th scope="col">{t('clusters.columns.source')}</th>
              <th scope="col">{t('clusters.columns.reachability')}</th>
              <th scope="col">{t('clusters.columns.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {contexts.contexts.map((c) => {
              const isSelected = c.name === selected.context;
              return (
                <tr key={c.name} data-context={c.name} className={isSelected ? 'row-selected' : undefined}>
                  <th scope="row">
                    {c.name}
                    {c.builtin && <span className="tag">sandbox</span>}
                    {c.isCurrent && (
                      <span className="tag" title={t('clusters.current')}>
                        current
                      </span>
                    )}
                  </th>
                  <td className="mono">{c.server}</td>
                  <td>{c.user || '—'}</td>
                  <td>{isSelected ? selected.namespace : (c.namespace ?? '—')}</td>
                  <td title={c.sourceFile} className="mono">
                    {baseName(c.sourceFile)}
                  </td>
                  <td>
                    <ReachabilityBadge reachability={reachability[c.name]} />
                  </td>
                  <td>
                    <button type="button" disabled={isSelected} onClick={() => void selectContext(c.name)} aria-pressed={isSelected}>
                      {isSelected ? t('clusters.inUse') : t('clusters.use')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      {selected.context && <NamespacePicker context={selected.context} current={selected.namespace} />}
      {selected.context && <SshSettingsPanel context={selected.context} />}

      {contexts.problems.length > 0 && (
        <section className="panel" aria-labelledby="problems-title" data-testid="kubeconfig-problems">
          <h2 id="problems-title">{t('clusters.problems')}</h2>
          <ul>
            {contexts.problems.map((p, i) => (
              <li key={i} className={p.severity === 'error' ? 'problem-error' : 'problem-warning'}>
                <strong>{t(`clusters.${p.severity}`)}</strong> <span className="mono">{p.file}</span>
                {p.entry ? ` (${p.entry})` : ''}: {p.reason}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="panel" aria-labelledby="add-title">
        <h2 id="add-title">{t('clusters.addFile')}</h2>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (newFile.trim()) void addKubeconfig(newFile.trim()).then(() => setNewFile(''));
          }}
        >
          <input
            aria-label={t('clusters.addFile')}
            placeholder={t('clusters.addFilePlaceholder')}
            value={newFile}
            onChange={(e) => setNewFile(e.target.value)}
            spellCheck={false}
            className="wide"
          />
          <button type="submit">{t('clusters.add')}</button>
        </form>
        {settings && settings.extraKubeconfigs.length > 0 && (
          <>
            <h3>{t('clusters.addedFiles')}</h3>
            <ul className="file-list">
              {settings.extraKubeconfigs.map((f) => (
                <li key={f}>
                  <span className="mono">{f}</span>{' '}
                  <button type="button" className="link-button" onClick={() => void removeKubeconfig(f)}>
                    {t('clusters.remove')}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        <h3>{t('clusters.files')}</h3>
        <ul className="file-list">
          {contexts.files.map((f) => (
            <li key={f} className="mono">
              {f}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
