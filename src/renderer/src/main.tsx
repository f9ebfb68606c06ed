import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { RoadsideApi } from '../../shared/contract';
import { createHttpApi } from './api/http-client';
import { ApiContext } from './api/context';
import { App } from './App';
import { initI18n, languageFromLocale } from './i18n';
import { AppStateProvider } from './state';
import './styles.css';

declare global {
  interface Window {
    roadside?: RoadsideApi;
  }
}

// In Electron the preload bridge is there; in a browser we talk to `roadside serve`.
const api: RoadsideApi = window.roadside ?? createHttpApi();

await initI18n(languageFromLocale(navigator.language));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiContext.Provider value={api}>
      <AppStateProvider>
        <App />
      </AppStateProvider>
    </ApiContext.Provider>
  </StrictMode>,
);
