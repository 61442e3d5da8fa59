'use client';

import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { Header } from './header';
import { FocusOnNavigation } from './page-focus';
import { SessionGate } from './session-gate';

/** What the server saw of the request's cookies (HttpOnly, so the page cannot read them itself). */
export interface CookieHints {
  /** A session cookie came with the request: ask who it is; without one, start a session at once. */
  hasSession: boolean;
  /** A queue token cookie came with the request: the turn banner has something to ask about. */
  hasQueueToken: boolean;
}

/**
 * The fan's frame (header with their name, tickets and wallet; a guest session for every visitor)
 * around every page but the operator's console, which has a frame of its own (app/admin/layout.tsx)
 * and nothing of a fan's session.
 */
export function SiteChrome({ hints, children }: { hints: CookieHints; children: ReactNode }) {
  const pathname = usePathname();
  if (pathname === '/admin' || pathname.startsWith('/admin/')) return <>{children}</>;
  return (
    <>
      <Header hasQueueToken={hints.hasQueueToken} />
      <FocusOnNavigation />
      <main className="page" id="main" tabIndex={-1}>
        <SessionGate hasSession={hints.hasSession}>{children}</SessionGate>
      </main>
    </>
  );
}
