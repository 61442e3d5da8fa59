'use client';

import { useRouter } from 'next/navigation';
import { ErrorNotice, Loading } from './_components/states';
import { waitingRoomFor } from './_components/use-queue-guard';
import { useI18n } from './_i18n/provider';
import { trpc } from './_trpc/client';

export default function HomePage() {
  const { t, formatDateTime } = useI18n();
  const router = useRouter();
  const concerts = trpc.concert.list.useQuery();
  const issue = trpc.queue.issue.useMutation();

  const getTickets = (concertId: number) =>
    issue.mutate({ concertId }, { onSuccess: () => router.push(waitingRoomFor(`/concerts/${concertId}`)) });

  return (
    <>
      <section className="hero">
        <h1>{t('home.title')}</h1>
        <p>{t('home.subtitle')}</p>
      </section>
      {concerts.isPending && <Loading />}
      {concerts.error && <ErrorNotice error={concerts.error} onRetry={() => void concerts.refetch()} />}
      {issue.error && <ErrorNotice error={issue.error} />}
      {concerts.data?.length === 0 && <p className="empty">{t('home.empty')}</p>}
      <ul className="concert-grid">
        {concerts.data?.map((concert) => (
          <li key={concert.concertId} className="card concert-card">
            <h2>{concert.title}</h2>
            <p className="artist">{concert.artist}</p>
            <p className="venue">{concert.venue}</p>
            <p className="muted">{concert.dates.length ? t('home.dates', { count: concert.dates.length }) : t('home.noDates')}</p>
            <ul className="date-list">
              {concert.dates.map((d) => (
                <li key={d.scheduleId}>{formatDateTime(d.startsAt)}</li>
              ))}
            </ul>
            <button
              type="button"
              className="button-primary"
              disabled={concert.dates.length === 0 || issue.isPending}
              onClick={() => getTickets(concert.concertId)}
              aria-label={`${t('home.getTickets')}: ${concert.title}`}
            >
              {t('home.getTickets')}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
