import { useTranslation } from 'react-i18next';
import { useAppState } from '../state';

export function SettingsView() {
  const { t } = useTranslation();
  const { settings, info, updateSettings } = useAppState();
  if (!settings) return <p className="view">{t('common.loading')}</p>;
  return (
    <section className="view" aria-labelledby="settings-title">
      <header className="view-header">
        <h1 id="settings-title">{t('settings.title')}</h1>
      </header>
      <div className="form-grid">
        <label htmlFor="language-select">{t('settings.language')}</label>
        <select
          id="language-select"
          value={settings.language}
          onChange={(e) => void updateSettings({ language: e.target.value as 'system' | 'es' | 'en' })}
        >
          <option value="system">{t('settings.languageSystem')}</option>
          <option value="es">Español</option>
          <option value="en">English</option>
        </select>

        <label htmlFor="theme-select">{t('settings.theme')}</label>
        <select id="theme-select" value={settings.theme} onChange={(e) => void updateSettings({ theme: e.target.value as 'system' | 'light' | 'dark' })}>
          <option value="system">{t('settings.themeSystem')}</option>
          <option value="light">{t('settings.themeLight')}</option>
          <option value="dark">{t('settings.themeDark')}</option>
        </select>

        <label htmlFor="timeout-input">{t('settings.probeTimeout')}</label>
        <input
          id="timeout-input"
          type="number"
          min={200}
          max={60000}
          step={100}
          defaultValue={settings.probeTimeoutMs}
          onBlur={(e) => {
            const n = Number(e.target.value);
            if (Number.isInteger(n) && n >= 200 && n <= 60000) void updateSettings({ probeTimeoutMs: n });
          }}
        />

        <span />
        <label className="checkbox">
          <input type="checkbox" checked={settings.readOnly} onChange={(e) => void updateSettings({ readOnly: e.target.checked })} />
          {t('settings.readOnly')}
        </label>

        <span>{t('settings.dataDir')}</span>
        <span className="mono">{info?.dataDir}</span>
        <span>{t('settings.version')}</span>
        <span className="mono">{info?.version}</span>
      </div>
    </section>
  );
}
