'use client';

import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import { SeatMap, type Seat } from '../../../../_components/seat-map';
import { ErrorNotice, Loading } from '../../../../_components/states';
import { useConcert } from '../../../../_components/use-concert';
import { useErrorMessage } from '../../../../_components/use-error-message';
import { useQueueGuard } from '../../../../_components/use-queue-guard';
import { formatWon, useI18n } from '../../../../_i18n/provider';
import { trpc } from '../../../../_trpc/client';
import { reasonOf } from '../../../../_trpc/errors';

/** Seats taken by others turn unavailable within this long. */
const SEATS_REFRESH_MS = 3_000;

export default function SeatsPage() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const router = useRouter();
  const params = useParams<{ concertId: string; scheduleId: string }>();
  const [concertId, scheduleId] = [Number(params.concertId), Number(params.scheduleId)];
  const concert = useConcert(concertId);
  const utils = trpc.useUtils();
  const seats = trpc.concert.seats.useQuery({ scheduleId }, { refetchInterval: SEATS_REFRESH_MS });
  const [lost, setLost] = useState<string | null>(null);
  const hold = trpc.reservation.hold.useMutation({
    onSuccess: (held) => router.push(`/checkout/${held.reservationId}`),
    onError: (error, { seatId }) => {
      const seat = seats.data?.find((s) => s.seatId === seatId);
      setLost(reasonOf(error) === 'SEAT_UNAVAILABLE' && seat ? t('seats.lostRace', { label: seat.label }) : message(error));
      void utils.concert.seats.invalidate({ scheduleId });
    },
  });
  if (useQueueGuard(seats.error, hold.error)) return <Loading />;

  const choose = (seat: Seat) => {
    setLost(null);
    hold.mutate({ seatId: seat.seatId });
  };
  const tiers = [...new Map(seats.data?.map((s) => [s.section, s.price])).entries()];

  return (
    <section aria-labelledby="seats-title">
      {concert && (
        <p className="eyebrow">
          {concert.title} · {concert.venue}
        </p>
      )}
      <h1 id="seats-title">{t('seats.title')}</h1>
      <p>
        <Link href={`/concerts/${concertId}`}>← {t('seats.back')}</Link>
      </p>
      {lost && (
        <div className="notice notice-error" role="alert">
          {lost}
        </div>
      )}
      {hold.isPending && (
        <p role="status" className="notice">
          {t('seats.holding', { label: seats.data?.find((s) => s.seatId === hold.variables?.seatId)?.label ?? '' })}
        </p>
      )}
      {seats.isPending && <Loading />}
      {seats.error && <ErrorNotice error={seats.error} onRetry={() => void seats.refetch()} />}
      {seats.data && (
        <>
          <div className="legend" aria-label={t('seats.legend')}>
            <span className="legend-item">
              <span className="swatch seat-available" /> {t('seats.available')}
            </span>
            <span className="legend-item">
              <span className="swatch seat-held" /> {t('seats.held')}
            </span>
            <span className="legend-item">
              <span className="swatch seat-sold" /> {t('seats.sold')}
            </span>
            <span className="legend-item">
              <span className="swatch seat-mine" /> {t('seats.mine')}
            </span>
            {tiers.map(([section, price]) => (
              <span key={section} className="legend-item tier">
                <span className={`tier-dot tier-${section.toLowerCase()}`} /> {section} {formatWon(price)}
              </span>
            ))}
          </div>
          <SeatMap seats={seats.data} onChoose={choose} busy={hold.isPending} />
          <p className="muted">{t('seats.refreshing')}</p>
        </>
      )}
    </section>
  );
}
