'use client';

import { useEffect } from 'react';
import { useI18n } from '@/app/_i18n/provider';

/**
 * The tab's title where only the client knows it: a checkout that has become a ticket, the 404 and error
 * pages. Routes name themselves through their layout's metadata (pageMetadata); Next writes that title
 * after a client navigation, so this is for titles that change later, or pages without metadata.
 */
export function usePageTitle(title: string | undefined) {
  const { t } = useI18n();
  const brand = t('brand');
  useEffect(() => {
    if (title) document.title = `${title} · ${brand}`;
  }, [title, brand]);
}
