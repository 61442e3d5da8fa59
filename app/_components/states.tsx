'use client';

import { useI18n } from '../_i18n/provider';
import { useErrorMessage } from './use-error-message';

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="loading" aria-busy="true">
      <span className="spinner" aria-hidden="true" /> {t('loading')}
    </div>
  );
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  return (
    <div className="notice notice-error" role="alert">
      {message(error)}
      {onRetry && (
        <>
          {' '}
          <button type="button" className="link-button" onClick={onRetry}>
            {t('retry')}
          </button>
        </>
      )}
    </div>
  );
}
