import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { cookies } from 'next/headers';
import { SkipLink } from './_components/page-focus';
import { SiteChrome } from './_components/site-chrome';
import { MESSAGES } from './_i18n/messages';
import { I18nProvider } from './_i18n/provider';
import { requestLocale } from './_i18n/request-locale';
import { TRPCProvider } from './_trpc/provider';
import './globals.css';

/** Routes name themselves in their layout (pageMetadata: "Checkout · Concert Tickets"); this is the home page's and the fallback. */
export async function generateMetadata(): Promise<Metadata> {
  const messages = MESSAGES[await requestLocale()];
  return { title: messages.brand, description: messages['home.subtitle'] };
}

/**
 * The cookies the API sets: a guest's (server/session/service.ts SESSION_COOKIE), an account's
 * session (server/account/session-cookies.ts, `__Secure-` in production), a line's (QUEUE_TOKEN_COOKIE).
 */
const SESSION_COOKIES = ['sid', 'account.session_token', '__Secure-account.session_token'];
const QUEUE_TOKEN_COOKIE = 'queue_token';

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await requestLocale();
  const jar = await cookies();
  const hints = {
    hasSession: SESSION_COOKIES.some((name) => jar.has(name)),
    hasQueueToken: jar.getAll().some((c) => c.name === QUEUE_TOKEN_COOKIE || c.name.startsWith(`${QUEUE_TOKEN_COOKIE}_`)),
  };
  return (
    <html lang={locale}>
      <body>
        <I18nProvider initialLocale={locale}>
          <TRPCProvider>
            <SkipLink />
            <SiteChrome hints={hints}>{children}</SiteChrome>
          </TRPCProvider>
        </I18nProvider>
      </body>
    </html>
  );
}
