'use client';

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { LOCALE_COOKIE, MESSAGES, type Locale, type MessageKey } from './messages';

const won = new Intl.NumberFormat('ko-KR', { style: 'currency', currency: 'KRW' });
/** Korean won, as ₩150,000 in both languages. */
export const formatWon = (amount: number) => won.format(amount);

/** 4:59, or 1:02:03 past an hour. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** A show time in Korea's time zone; English always names it (KST), Korean when `withZone` (a ticket, a checkout). */
  formatDateTime: (iso: string, withZone?: boolean) => string;
  formatDuration: (seconds: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

const ONE_YEAR_SECONDS = 60 * 60 * 24 * 365;
/** Concerts are in Korea: show their times in Korea's time zone, whoever looks. */
const SHOW_TIME_ZONE = 'Asia/Seoul';

export function I18nProvider({ initialLocale, children }: { initialLocale: Locale; children: ReactNode }) {
  const [locale, setLocaleState] = useState(initialLocale);
  const setLocale = useCallback((next: Locale) => {
    document.cookie = `${LOCALE_COOKIE}=${next}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax`;
    document.documentElement.lang = next;
    setLocaleState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = MESSAGES[locale];
    const dateTime = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', {
      dateStyle: 'full',
      timeStyle: 'short',
      timeZone: SHOW_TIME_ZONE,
    });
    return {
      locale,
      setLocale,
      t: (key, params) => dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params?.[name] ?? `{${name}}`)),
      // English readers may be anywhere: name the zone. (Intl would say "GMT+9".)
      formatDateTime: (iso, withZone = false) => {
        const text = dateTime.format(new Date(iso));
        if (locale === 'en') return `${text} KST`;
        return withZone ? `${text} (한국 시간)` : text;
      },
      formatDuration: (seconds) => {
        const minutes = Math.ceil(seconds / 60);
        if (locale === 'ko') return minutes <= 1 ? '1분 이내' : `약 ${minutes}분`;
        return minutes <= 1 ? 'under a minute' : `about ${minutes} minutes`;
      },
    };
  }, [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
