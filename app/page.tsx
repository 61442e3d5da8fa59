'use client';

import { useRouter } from 'next/navigation';
import { ConcertCard } from './_components/concert-card';
import { ErrorNotice, Loading } from './_components/states';
import { useNow } from './_components/use-now';
import { waitingRoomFor } from './_components/use-queue-guard';
import { useI18n } from './_i18n/provider';
import { trpc } from './_trpc/client';

/** Sales change state by themselves (and by the operator's hand): read the list again now and then. */
const LIST_REFRESH_MS = 15_000;
const CLOCK_TICK_MS = 5_000;

export default function HomePage() {
  const { t } = useI18n();
  const router = useRouter();
  const now = useNow(CLOCK_TICK_MS);
  const concerts = trpc.concert.list.useQuery(undefined, { refetchInterval: LIST_REFRESH_MS });
  // The waiting room joins (it solves the join challenge first, and says why a line is shut).
  const join = (concertId: number) => router.push(waitingRoomFor(`/concerts/${concertId}`, concertId));

  return (
    <>
      <section className="hero">
        <h1>{t('home.title')}</h1>
        <p>{t('home.subtitle')}</p>
      </section>
      {concerts.isPending && <Loading />}
      {concerts.error && <ErrorNotice error={concerts.error} onRetry={() => void concerts.refetch()} />}
      {concerts.data?.length === 0 && <p className="empty">{t('home.empty')}</p>}
      <ul className="concert-grid">
        {concerts.data?.map((concert) => (
          <ConcertCard key={concert.concertId} concert={concert} now={now} onJoin={join} />
        ))}
      </ul>
    </>
  );
}
