import type { Metadata, Viewport } from 'next';
import { cookies, headers } from 'next/headers';
import type { ReactNode } from 'react';
import { Header } from './_components/header';
import { FocusOnNavigation, SkipLink } from './_components/page-focus';
import { SessionGate } from './_components/session-gate';
import { LOCALE_COOKIE, LOCALES, localeFromAcceptLanguage, type Locale } from './_i18n/messages';
import { I18nProvider } from './_i18n/provider';
import { TRPCProvider } from './_trpc/provider';
import './globals.css';

export const metadata: Metadata = {
  // Pages name themselves ("Checkout · Concert Tickets", usePageTitle); this is the fallback.
  title: 'Concert Tickets · 콘서트 티켓',
  description: 'Wait your turn, pick a seat, hold it for five minutes and pay from your wallet.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

/** The visitor's choice (cookie) wins; otherwise the browser's language. */
async function requestLocale(): Promise<Locale> {
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (chosen && (LOCALES as readonly string[]).includes(chosen)) return chosen as Locale;
  return localeFromAcceptLanguage((await headers()).get('accept-language'));
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await requestLocale();
  return (
    <html lang={locale}>
      <body>
        <I18nProvider initialLocale={locale}>
          <TRPCProvider>
            <SkipLink />
            <Header />
            <FocusOnNavigation />
            <main className="page" id="main" tabIndex={-1}>
              <SessionGate>{children}</SessionGate>
            </main>
          </TRPCProvider>
        </I18nProvider>
      </body>
    </html>
  );
}
