'use client';

import { trpc } from '@/app/_trpc/client';

/** A concert's title, artist and venue, from the list every visitor can read. */
export function useConcert(concertId: number) {
  const list = trpc.concert.list.useQuery(undefined, { staleTime: 60_000 });
  return list.data?.find((c) => c.concertId === concertId);
}
