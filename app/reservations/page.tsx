'use client';

import Link from 'next/link';
import { useState } from 'react';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { OrderCard, type Outcome } from './_components/order-card';
import { ReceivedCard } from './_components/received-card';

const REFRESH_MS = 15_000;

/**
 * My tickets: every order, newest first, each with its tickets (one a seat), then the tickets friends
 * passed on. The session alone is enough: a fan never queues to see what they bought.
 */
export default function MyTicketsPage() {
  const { t } = useI18n();
  const list = trpc.order.list.useQuery(undefined, { refetchInterval: REFRESH_MS });
  const mine = trpc.ticket.mine.useQuery(undefined, { refetchInterval: REFRESH_MS });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const groups = mine.data ?? [];
  const received = groups.filter((group) => group.orderId === null);
  const ticketsOf = (orderId: number) => groups.find((group) => group.orderId === orderId)?.tickets;
  const error = list.error ?? mine.error;

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('reservations.title')}
      </h1>
      <div aria-live="polite">
        {outcome && (
          <p className={`notice ${outcome.error ? 'notice-error' : 'notice-success'}`} role={outcome.error ? 'alert' : 'status'}>
            {outcome.text}
          </p>
        )}
      </div>
      {(list.isPending || mine.isPending) && !error && <Loading />}
      {error && <ErrorNotice error={error} onRetry={() => void Promise.all([list.refetch(), mine.refetch()])} />}
      {list.data?.length === 0 && mine.data && received.length === 0 && (
        <div className="empty">
          <p>{t('orders.empty')}</p>
          <Link className="button-primary" href="/">
            {t('orders.browse')}
          </Link>
        </div>
      )}
      {list.data && list.data.length > 0 && mine.data && (
        <ul className="tickets">
          {list.data.map((order) => (
            <OrderCard key={order.orderId} order={order} tickets={ticketsOf(order.orderId)} onOutcome={setOutcome} />
          ))}
        </ul>
      )}
      {received.length > 0 && (
        <section className="reservation-group" aria-labelledby="received-title">
          <h2 id="received-title">{t('tickets.received.title')}</h2>
          <ul className="tickets">
            {received.map((group) => (
              <ReceivedCard key={group.bookingCode} group={group} />
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
