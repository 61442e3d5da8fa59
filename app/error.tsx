'use client';

import Link from 'next/link';
import { usePageTitle } from './_components/use-page-title';
import { useI18n } from './_i18n/provider';

/** A page that crashed while rendering: what happened, and two ways on. */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const { t } = useI18n();
  usePageTitle(t('errorPage.title'));
  return (
    <section className="card checkout" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('errorPage.title')}
      </h1>
      <p>{t('errorPage.body')}</p>
      <div className="actions">
        <button type="button" className="button-primary" onClick={reset}>
          {t('errorPage.reload')}
        </button>
        <Link href="/">{t('notFound.home')}</Link>
        <Link href="/reservations">{t('nav.reservations')}</Link>
      </div>
    </section>
  );
}
