'use client';

import { useParams, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useMemo, useSyncExternalStore } from 'react';
import { DrawView } from '@/app/_components/draw-view';
import type { SaleDraw } from '@/app/_components/sale-contract';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useConcert } from '@/app/_components/use-concert';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';

/** Until the opening the seed is secret: read again now and then, so the page shows the draw when it happens. */
const DRAW_REFRESH_MS = 10_000;

const noSubscription = () => () => {};

function Draw() {
  const { t } = useI18n();
  const concertId = Number(useParams<{ concertId: string }>().concertId);
  // `?ticket=`: the draw number, under the name links have carried since before "draw number".
  const drawNumberParam = useSearchParams().get('ticket');
  const drawNumber = drawNumberParam && /^\d+$/.test(drawNumberParam) ? Number(drawNumberParam) : undefined;
  const concert = useConcert(concertId);
  const origin = useSyncExternalStore(
    noSubscription,
    () => window.location.origin,
    () => '<baseUrl>',
  );
  // `sale.draw` is paged (up to 10,000 entries a page): the first page has the rows shown; the pages
  // after it are read only to find the visitor's own draw number, until it is found.
  const pages = trpc.sale.draw.useInfiniteQuery(
    { concertId },
    {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      refetchInterval: (query) => (query.state.data?.pages[0]?.seed ? false : DRAW_REFRESH_MS),
    },
  );
  const draw = useMemo<SaleDraw | undefined>(() => {
    const [first, ...rest] = pages.data?.pages ?? [];
    if (!first) return undefined;
    const last = rest.at(-1) ?? first;
    return { ...first, entries: first.entries && [...first.entries, ...rest.flatMap((p) => p.entries ?? [])], nextCursor: last.nextCursor };
  }, [pages.data]);
  const found = drawNumber === undefined || !!draw?.entries?.some((e) => e.ticket === drawNumber);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  useEffect(() => {
    if (!found && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [found, hasNextPage, isFetchingNextPage, fetchNextPage]);
  return (
    <section aria-labelledby="draw-title" className="draw">
      {concert && (
        <p className="eyebrow">
          {concert.title} · {concert.venue}
        </p>
      )}
      <h1 id="draw-title">{t('draw.title')}</h1>
      <p>{t('draw.intro')}</p>
      {pages.isPending && <Loading />}
      {pages.error && <ErrorNotice error={pages.error} onRetry={() => void pages.refetch()} />}
      {draw && <DrawView concertId={concertId} draw={draw} opensAt={concert?.sale?.opensAt} drawNumber={drawNumber} origin={origin} />}
    </section>
  );
}

export default function DrawPage() {
  return (
    <Suspense fallback={<Loading />}>
      <Draw />
    </Suspense>
  );
}
