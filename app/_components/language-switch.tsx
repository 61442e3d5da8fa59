'use client';

import { useI18n } from '@/app/_i18n/provider';

/** The other language, named in that language; the fan's header and the operator's console both carry it. */
export function LanguageSwitch() {
  const { t, locale, setLocale } = useI18n();
  return (
    <button
      type="button"
      className="lang-switch"
      aria-label={t('lang.label')}
      lang={locale === 'ko' ? 'en' : 'ko'}
      onClick={() => setLocale(locale === 'ko' ? 'en' : 'ko')}
    >
      {t('lang.switch')}
    </button>
  );
}
