'use client';

import Link from 'next/link';
import { Countdown } from '../_components/countdown';
import { ErrorNotice, Loading } from '../_components/states';
import { useQueueGuard } from '../_components/use-queue-guard';
import { formatWon, useI18n } from '../_i18n/provider';
import type { MessageKey } from '../_i18n/messages';
import { trpc } from '../_trpc/client';

const GROUPS: { status: 'held' | 'confirmed' | 'expired' | 'cancelled'; title: MessageKey }[] = [
  { status: 'held', title: 'reservations.held' },
  { status: 'confirmed', title: 'reservations.confirmed' },
  { status: 'expired', title: 'reservations.expired' },
  { status: 'cancelled', title: 'reservations.cancelled' },
];

export default function ReservationsPage() {
  const { t, formatDateTime } = useI18n();
  const list = trpc.reservation.list.useQuery(undefined, { refetchInterval: 15_000 });
  if (useQueueGuard(list.error)) return <Loading />;

  return (
    <section aria-labelledby="reservations-title">
      <h1 id="reservations-title">{t('reservations.title')}</h1>
      {list.isPending && <Loading />}
      {list.error && <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />}
      {list.data?.length === 0 && <p className="empty">{t('reservations.empty')}</p>}
      {GROUPS.map(({ status, title }) => {
        const items = list.data?.filter((r) => r.status === status) ?? [];
        if (items.length === 0) return null;
        return (
          <section key={status} aria-labelledby={`group-${status}`} className="reservation-group">
            <h2 id={`group-${status}`}>{t(title)}</h2>
            <ul className="tickets">
              {items.map((r) => (
                <li key={r.reservationId} className={`card ticket ticket-${r.status}`}>
                  <div>
                    <strong className="ticket-seat">{r.label}</strong>
                    <span className={`badge badge-${r.status}`}>{t(`reservations.status.${r.status}`)}</span>
                  </div>
                  <div>{r.concertTitle}</div>
                  <div className="muted">
                    {formatDateTime(r.startsAt)} · {r.venue}
                  </div>
                  <div>{formatWon(r.price)}</div>
                  {r.status === 'held' && (
                    <div className="actions">
                      <Countdown until={r.heldUntil} label={t('checkout.timeLeft')} />
                      <Link className="button-primary" href={`/checkout/${r.reservationId}`}>
                        {t('reservations.payNow')}
                      </Link>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}
