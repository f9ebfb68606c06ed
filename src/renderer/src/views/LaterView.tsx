import { useTranslation } from 'react-i18next';
import type { ViewId } from '../state';

/** Views whose features arrive in later versions say so plainly. */
export function LaterView({ view }: { view: ViewId }) {
  const { t } = useTranslation();
  return (
    <section className="view" aria-labelledby="later-title">
      <header className="view-header">
        <h1 id="later-title">{t('later.title', { view: t(`nav.${view}`) })}</h1>
      </header>
      <p className="empty">{t('later.body')}</p>
    </section>
  );
}
