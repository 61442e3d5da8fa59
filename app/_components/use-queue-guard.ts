'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { NEEDS_QUEUE, reasonOf } from '@/app/_trpc/errors';

/**
 * The waiting room of a concert's line, on the way to `next`. Without `concertId` the waiting room
 * takes it from `next` (`/concerts/<id>/…`) or from the visitor's current token.
 */
export const waitingRoomFor = (next: string, concertId?: number) =>
  `/queue?${concertId === undefined ? '' : `concert=${concertId}&`}next=${encodeURIComponent(next)}`;

/**
 * A page that needs an active turn sends a waiting or expired visitor to the waiting room; one whose
 * token is for another concert (TOKEN_WRONG_SALE) to the line of this page's concert.
 */
export function useQueueGuard(...errors: unknown[]): boolean {
  const router = useRouter();
  const pathname = usePathname();
  const redirect = errors.some((e) => NEEDS_QUEUE.has(reasonOf(e) ?? ''));
  useEffect(() => {
    if (redirect) router.replace(waitingRoomFor(pathname));
  }, [redirect, router, pathname]);
  return redirect;
}
