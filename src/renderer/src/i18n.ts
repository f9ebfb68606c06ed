import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

export type UiLanguage = 'es' | 'en';

// One JSON file per area and language (locales/<lang>/<area>.json), merged into one
// namespace: each file's top-level keys are its own (e.g. "diagnose.*").
const files = import.meta.glob<Record<string, unknown>>('./locales/*/*.json', { eager: true, import: 'default' });

function resources() {
  const out: Record<UiLanguage, { translation: Record<string, unknown> }> = { en: { translation: {} }, es: { translation: {} } };
  for (const [path, content] of Object.entries(files)) {
    const lang = path.split('/')[2] as UiLanguage;
    if (out[lang]) Object.assign(out[lang].translation, content);
  }
  return out;
}

export function languageFromLocale(locale: string | undefined): UiLanguage {
  return locale?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export async function initI18n(language: UiLanguage) {
  await i18next.use(initReactI18next).init({
    resources: resources(),
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = language;
  return i18next;
}

export async function setLanguage(language: UiLanguage) {
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}
