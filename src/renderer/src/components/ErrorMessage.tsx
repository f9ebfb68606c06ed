import { Component, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoadsideErrorShape } from '../../../shared/result';

export function ErrorMessage({ error, onClose }: { error: RoadsideErrorShape; onClose?: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="error-banner" role="alert">
      <strong>{t('errors.title')}</strong>
      <span className="error-code">
        {t('errors.code')}: {error.code}
      </span>
      <span className="error-text">{error.message}</span>
      {onClose && (
        <button type="button" className="link-button" onClick={onClose}>
          {t('common.close')}
        </button>
      )}
    </div>
  );
}

/** Keeps a rendering bug from leaving the engineer with a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) {
      return (
        <div className="view">
          <ErrorMessage error={{ code: 'internal', message: this.state.error.message }} onClose={() => this.setState({ error: undefined })} />
        </div>
      );
    }
    return this.props.children;
  }
}
