'use client';

import Link from 'next/link';
import { usePageTitle } from './_components/use-page-title';
import { useI18n } from './_i18n/provider';

/** Any address without a page, in the visitor's language, with the way back. */
export default function NotFound() {
  const { t } = useI18n();
  usePageTitle(t('notFound.title'));
  return (
    <section className="card checkout" aria-labelledby="page-title">
      <p className="eyebrow">404</p>
      <h1 id="page-title" tabIndex={-1}>
        {t('notFound.title')}
      </h1>
      <p>{t('notFound.body')}</p>
      <div className="actions">
        <Link className="button-primary" href="/">
          {t('notFound.home')}
        </Link>
        <Link href="/reservations">{t('nav.reservations')}</Link>
      </div>
    </section>
  );
}
