import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Header } from './_components/header';
import { FocusOnNavigation, SkipLink } from './_components/page-focus';
import { SessionGate } from './_components/session-gate';
import { I18nProvider } from './_i18n/provider';
import { requestLocale } from './_i18n/request-locale';
import { TRPCProvider } from './_trpc/provider';
import './globals.css';

export const metadata: Metadata = {
  // Routes name themselves in their layout (pageMetadata: "Checkout · Concert Tickets"); this is the fallback.
  title: 'Concert Tickets · 콘서트 티켓',
  description: 'Wait your turn, pick a seat, hold it for five minutes and pay from your wallet.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

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
