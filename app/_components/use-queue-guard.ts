'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { NEEDS_QUEUE, reasonOf } from '../_trpc/errors';

export const waitingRoomFor = (next: string) => `/queue?next=${encodeURIComponent(next)}`;

/** A page that needs an active turn sends a waiting or expired visitor to the waiting room. */
export function useQueueGuard(...errors: unknown[]): boolean {
  const router = useRouter();
  const pathname = usePathname();
  const redirect = errors.some((e) => NEEDS_QUEUE.has(reasonOf(e) ?? ''));
  useEffect(() => {
    if (redirect) router.replace(waitingRoomFor(pathname));
  }, [redirect, router, pathname]);
  return redirect;
}
