'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useConcert } from '@/app/_components/use-concert';
import { useQueueGuard } from '@/app/_components/use-queue-guard';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';

const DATES_REFRESH_MS = 10_000;

export default function DatesPage() {
  const { t, formatDateTime } = useI18n();
  const concertId = Number(useParams<{ concertId: string }>().concertId);
  const concert = useConcert(concertId);
  const dates = trpc.concert.dates.useQuery({ concertId }, { refetchInterval: DATES_REFRESH_MS });
  const guard = useQueueGuard(dates.error);
  if (guard) return guard;

  return (
    <section aria-labelledby="dates-title">
      {concert && (
        <p className="eyebrow">
          {concert.title} · {concert.artist} · {concert.venue}
        </p>
      )}
      <h1 id="dates-title">{t('dates.title')}</h1>
      {dates.isPending && <Loading />}
      {dates.error && <ErrorNotice error={dates.error} onRetry={() => void dates.refetch()} />}
      {dates.data?.length === 0 && <p className="empty">{t('dates.empty')}</p>}
      <ul className="date-cards">
        {dates.data?.map((d) => {
          const soldOut = d.availableSeats === 0;
          return (
            <li key={d.scheduleId} className={`card date-card${soldOut ? ' date-card-sold-out' : ''}`}>
              <h2>{formatDateTime(d.startsAt)}</h2>
              <p className={soldOut ? 'badge badge-sold' : 'muted'}>
                {soldOut ? t('dates.soldOut') : t('dates.free', { count: d.availableSeats, total: d.totalSeats })}
              </p>
              {soldOut ? (
                <button type="button" className="button-primary" disabled>
                  {t('dates.choose')}
                </button>
              ) : (
                <Link
                  className="button-primary"
                  href={`/concerts/${concertId}/dates/${d.scheduleId}`}
                  aria-label={`${t('dates.choose')}: ${formatDateTime(d.startsAt)}`}
                >
                  {t('dates.choose')}
                </Link>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
