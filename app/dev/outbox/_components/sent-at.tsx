'use client';

import { useI18n } from '@/app/_i18n/provider';

/**
 * When a message was written, to the second (codes sent a few seconds apart must be told apart), in
 * Korea's time zone as every time in the app, so the server's and the browser's renderings agree.
 */
export function SentAt({ iso }: { iso: string }) {
  const { locale } = useI18n();
  const text = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: 'Asia/Seoul',
  }).format(new Date(iso));
  return <time dateTime={iso}>{locale === 'en' ? `${text} KST` : text}</time>;
}
