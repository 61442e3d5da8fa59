'use client';

import { useEffect } from 'react';
import { useI18n } from '../_i18n/provider';

/** The tab's title for a page: "Checkout · Concert Tickets". */
export function usePageTitle(title: string | undefined) {
  const { t } = useI18n();
  const brand = t('brand');
  useEffect(() => {
    if (title) document.title = `${title} · ${brand}`;
  }, [title, brand]);
}
