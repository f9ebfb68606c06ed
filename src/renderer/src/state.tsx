import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AppInfo, Settings } from '../../shared/contract';
import type { ContextList, Reachability } from '../../shared/kube';
import type { RoadsideErrorShape } from '../../shared/result';
import { ApiError, call, useApi } from './api/context';
import { languageFromLocale, setLanguage } from './i18n';

export type ViewId = 'clusters' | 'overview' | 'logs' | 'diagnose' | 'incidents' | 'reports' | 'sandbox' | 'settings';
export const VIEWS: ViewId[] = ['clusters', 'overview', 'logs', 'diagnose', 'incidents', 'reports', 'sandbox', 'settings'];

interface AppState {
  info?: AppInfo;
  settings?: Settings;
  contexts?: ContextList;
  reachability: Record<string, Reachability>;
  probing: boolean;
  error?: RoadsideErrorShape;
  view: ViewId;
  setView(view: ViewId): void;
  refreshContexts(): Promise<void>;
  probe(): Promise<void>;
  selectContext(context: string, namespace?: string): Promise<void>;
  updateSettings(patch: Partial<Pick<Settings, 'language' | 'theme' | 'readOnly' | 'probeTimeoutMs'>>): Promise<void>;
  addKubeconfig(path: string): Promise<void>;
  removeKubeconfig(path: string): Promise<void>;
  clearError(): void;
}

const StateContext = createContext<AppState | null>(null);

export function useAppState(): AppState {
  const s = useContext(StateContext);
  if (!s) throw new Error('app state missing');
  return s;
}

function toShape(err: unknown): RoadsideErrorShape {
  if (err instanceof ApiError) return err.shape;
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export function effectiveLanguage(settings: Settings | undefined, info: AppInfo | undefined) {
  if (settings && settings.language !== 'system') return settings.language;
  return languageFromLocale(info?.systemLocale ?? navigator.language);
}

export function AppStateProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [info, setInfo] = useState<AppInfo>();
  const [settings, setSettings] = useState<Settings>();
  const [contexts, setContexts] = useState<ContextList>();
  const [reachability, setReachability] = useState<Record<string, Reachability>>({});
  const [probing, setProbing] = useState(false);
  const [error, setError] = useState<RoadsideErrorShape>();
  const [view, setView] = useState<ViewId>('clusters');

  const guard = useCallback(async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      setError(toShape(err));
    }
  }, []);

  const refreshContexts = useCallback(() => guard(async () => setContexts(await call(api, 'contexts.list', {}))), [api, guard]);

  const probe = useCallback(
    () =>
      guard(async () => {
        setProbing(true);
        try {
          const result = await call(api, 'contexts.probe', {});
          setReachability((prev) => ({ ...prev, ...result }));
        } finally {
          setProbing(false);
        }
      }),
    [api, guard],
  );

  useEffect(() => {
    void guard(async () => {
      const [i, s, c] = await Promise.all([call(api, 'app.info', {}), call(api, 'settings.get', {}), call(api, 'contexts.list', {})]);
      setInfo(i);
      setSettings(s);
      setContexts(c);
      await setLanguage(effectiveLanguage(s, i));
    });
    return api.onEvent((event) => {
      if (event.type === 'reachability') setReachability((prev) => ({ ...prev, [event.context]: event.reachability }));
      if (event.type === 'settings-changed') setSettings(event.settings);
      if (event.type === 'contexts-changed') void call(api, 'contexts.list', {}).then(setContexts, () => undefined);
    });
  }, [api, guard]);

  useEffect(() => {
    if (contexts && contexts.contexts.length) void probe();
    // Probe once the first list arrives; later probes are explicit.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [contexts === undefined]);

  useEffect(() => {
    if (settings && info) void setLanguage(effectiveLanguage(settings, info));
    const theme = settings?.theme ?? 'system';
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [settings, info]);

  const value = useMemo<AppState>(
    () => ({
      info,
      settings,
      contexts,
      reachability,
      probing,
      error,
      view,
      setView,
      refreshContexts,
      probe,
      clearError: () => setError(undefined),
      selectContext: (context, namespace) =>
        guard(async () => {
          const selected = await call(api, 'contexts.select', { context, ...(namespace ? { namespace } : {}) });
          setContexts((prev) => (prev ? { ...prev, selected } : prev));
        }),
      updateSettings: (patch) => guard(async () => setSettings(await call(api, 'settings.update', patch))),
      addKubeconfig: (path) =>
        guard(async () => {
          setContexts(await call(api, 'kubeconfig.add', { path }));
          await probe();
        }),
      removeKubeconfig: (path) => guard(async () => setContexts(await call(api, 'kubeconfig.remove', { path }))),
    }),
    [info, settings, contexts, reachability, probing, error, view, refreshContexts, probe, guard, api],
  );

  return <StateContext.Provider value={value}>{children}</StateContext.Provider>;
}
