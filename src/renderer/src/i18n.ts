import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import es from './locales/es.json';

export type UiLanguage = 'es' | 'en';

export function languageFromLocale(locale: string | undefined): UiLanguage {
  return locale?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export async function initI18n(language: UiLanguage) {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, es: { translation: es } },
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
