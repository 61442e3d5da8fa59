'use client';

import { useParams, useSearchParams } from 'next/navigation';
import { Suspense, useSyncExternalStore } from 'react';
import { DrawView } from '@/app/_components/draw-view';
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
  const draw = trpc.sale.draw.useQuery({ concertId }, { refetchInterval: (query) => (query.state.data?.seed ? false : DRAW_REFRESH_MS) });
  return (
    <section aria-labelledby="draw-title" className="draw">
      {concert && (
        <p className="eyebrow">
          {concert.title} · {concert.venue}
        </p>
      )}
      <h1 id="draw-title">{t('draw.title')}</h1>
      <p>{t('draw.intro')}</p>
      {draw.isPending && <Loading />}
      {draw.error && <ErrorNotice error={draw.error} onRetry={() => void draw.refetch()} />}
      {draw.data && (
        <DrawView concertId={concertId} draw={draw.data} opensAt={concert?.sale?.opensAt} drawNumber={drawNumber} origin={origin} />
      )}
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
