import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CommandPalette } from './components/CommandPalette';
import { ErrorBoundary, ErrorMessage } from './components/ErrorMessage';
import { useAppState, VIEWS, type ViewId } from './state';
import { ClustersView } from './views/ClustersView';
import { DiagnoseView } from './views/DiagnoseView';
import { LaterView } from './views/LaterView';
import { LogsView } from './views/LogsView';
import { OverviewView } from './views/OverviewView';
import { SandboxView } from './views/SandboxView';
import { SettingsView } from './views/SettingsView';
import { ActiveIncidentStatus, IncidentsView } from './views/IncidentsView';
import { ReportsView } from './views/ReportsView';

function CurrentView({ view }: { view: ViewId }) {
  switch (view) {
    case 'clusters':
      return <ClustersView />;
    case 'settings':
      return <SettingsView />;
    case 'diagnose':
      return <DiagnoseView />;
    case 'sandbox':
      return <SandboxView />;
    case 'overview':
      return <OverviewView />;
    case 'logs':
      return <LogsView />;
    case 'reports':
      return <ReportsView />;
    case 'incidents':
      return <IncidentsView />;
    default:
      return <LaterView view={view} />;
  }
}

export function App() {
  const { t } = useTranslation();
  const { view, setView, contexts, settings, error, clearError } = useAppState();
  const [paletteOpen, setPaletteOpen] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setPaletteOpen((o) => !o);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="shell">
      <nav className="sidebar" aria-label={t('nav.label')}>
        <div className="brand">
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </div>
        <ul>
          {VIEWS.map((v) => (
            <li key={v}>
              <button type="button" className="nav-item" aria-current={view === v ? 'page' : undefined} onClick={() => setView(v)} data-view={v}>
                {t(`nav.${v}`)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        {error && <ErrorMessage error={error} onClose={clearError} />}
        <ErrorBoundary>
          <CurrentView view={view} />
        </ErrorBoundary>
      </main>
      <footer className="statusbar" data-testid="statusbar">
        <span>
          {t('status.context')}: <strong data-testid="status-context">{contexts?.selected.context ?? t('status.none')}</strong>
        </span>
        <span>
          {t('status.namespace')}: <strong data-testid="status-namespace">{contexts?.selected.namespace ?? '—'}</strong>
        </span>
        {settings?.readOnly && <span className="badge badge-warn">{t('status.readOnly')}</span>}
        <ActiveIncidentStatus />
        <button type="button" className="link-button statusbar-hint" onClick={() => setPaletteOpen(true)}>
          {t('status.palette')}
        </button>
      </footer>
      <CommandPalette open={paletteOpen} onClose={() => setPaletteOpen(false)} />
    </div>
  );
}
