import type { Metadata } from 'next';
import { cookies, headers } from 'next/headers';
import { LOCALE_COOKIE, LOCALES, localeFromAcceptLanguage, MESSAGES, type Locale, type MessageKey } from './messages';

/** The visitor's choice (cookie) wins; otherwise the browser's language. */
export async function requestLocale(): Promise<Locale> {
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (chosen && (LOCALES as readonly string[]).includes(chosen)) return chosen as Locale;
  return localeFromAcceptLanguage((await headers()).get('accept-language'));
}

/** A route's own tab title in the visitor's language: "Checkout · Concert Tickets", "결제 · 콘서트 티켓". */
export async function pageMetadata(key: MessageKey): Promise<Metadata> {
  const messages = MESSAGES[await requestLocale()];
  return { title: `${messages[key]} · ${messages.brand}` };
}
