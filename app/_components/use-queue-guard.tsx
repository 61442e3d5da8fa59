'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { useI18n } from '@/app/_i18n/provider';
import { NEEDS_QUEUE, reasonOf } from '@/app/_trpc/errors';
import { Loading } from './states';

/**
 * The waiting room of a concert's line, on the way to `next`. Without `concertId` the waiting room
 * takes it from `next` (`/concerts/<id>/…`) or from the visitor's current token.
 */
export const waitingRoomFor = (next: string, concertId?: number) =>
  `/queue?${concertId === undefined ? '' : `concert=${concertId}&`}next=${encodeURIComponent(next)}`;

/** The concert a page belongs to (`/concerts/<id>/…`), if any. */
const concertOfPath = (pathname: string) => {
  const match = /^\/concerts\/(\d+)(?:\/|$)/.exec(pathname);
  return match ? Number(match[1]) : undefined;
};

/**
 * The turn ended (a purchase ends it, and so does its time running out): joining the line again is a
 * choice the fan makes here, never a side effect of the back button or a reload.
 */
export function TurnEnded({ next }: { next: string }) {
  const { t } = useI18n();
  const concertId = concertOfPath(next);
  return (
    <section className="card checkout" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('turnEnded.title')}
      </h1>
      <p>{t('turnEnded.body')}</p>
      <div className="actions">
        <Link className="button-primary" href={waitingRoomFor(next, concertId)}>
          {concertId === undefined ? t('turnEnded.rejoin') : t('turnEnded.buyMore')}
        </Link>
        <Link href="/reservations">{t('nav.reservations')}</Link>
      </div>
    </section>
  );
}

/**
 * A page that needs an active turn sends a visitor without one (no token yet, still waiting, or a
 * token of another concert: TOKEN_WRONG_SALE) to the waiting room of this page's concert. A turn that
 * has ended (TOKEN_EXPIRED) is said instead, with the way back into the line. Returns what the page
 * shows instead of itself, or null when it may show itself.
 */
export function useQueueGuard(...errors: unknown[]): ReactNode {
  const router = useRouter();
  const pathname = usePathname();
  const reasons = errors.map((e) => reasonOf(e) ?? '');
  const ended = reasons.includes('TOKEN_EXPIRED');
  const redirect = !ended && reasons.some((r) => NEEDS_QUEUE.has(r));
  useEffect(() => {
    if (redirect) router.replace(waitingRoomFor(pathname));
  }, [redirect, router, pathname]);
  if (ended) return <TurnEnded next={pathname} />;
  return redirect ? <Loading /> : null;
}
