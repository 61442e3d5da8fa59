'use client';

import Link from 'next/link';
import { useI18n } from '@/app/_i18n/provider';
import { reasonOf } from '@/app/_trpc/errors';
import { useErrorMessage } from './use-error-message';

/** Asking again cannot help: the thing is not there (or never was). Offer the way on instead of "Try again". */
const MISSING = new Set(['NOT_FOUND', 'INVALID_INPUT']);

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
      {MISSING.has(reasonOf(error) ?? '') ? (
        <>
          {' '}
          <Link href="/">{t('notFound.home')}</Link>
        </>
      ) : (
        onRetry && (
          <>
            {' '}
            <button type="button" className="link-button" onClick={onRetry}>
              {t('retry')}
            </button>
          </>
        )
      )}
    </div>
  );
}
