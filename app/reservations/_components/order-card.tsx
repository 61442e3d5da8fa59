'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { inferRouterOutputs } from '@trpc/server';
import { Countdown } from '@/app/_components/countdown';
import { TicketLinks } from '@/app/_components/ticket-links';
import { stillHeld, type TicketSummary } from '@/app/_components/ticket-types';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useNow } from '@/app/_components/use-now';
import { formatWon, useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { useIntentKeys, moneyRetry } from '@/app/_trpc/money-retry';
import type { AppRouter } from '@/server/trpc/root';

/** REFUND_DEADLINE_HOURS' default: the server decides (REFUND_CLOSED); this only words the card. */
const REFUND_DEADLINE_HOURS = 24;
const HOUR_MS = 3_600_000;

export type Order = inferRouterOutputs<AppRouter>['order']['list'][number];
export type Outcome = { orderId: number; text: string; error?: boolean };

/**
 * One order as a card: status, show, its tickets (one a seat), total, and what can be done with it.
 * `tickets`: the order's tickets from ticket.mine (undefined while held, or not read yet).
 */
export function OrderCard({
  order,
  tickets,
  onOutcome,
}: {
  order: Order;
  tickets?: TicketSummary[];
  onOutcome: (outcome: Outcome) => void;
}) {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const now = useNow(30_000);
  const [confirming, setConfirming] = useState(false);
  const keys = useIntentKeys();
  const cancel = trpc.order.cancel.useMutation({
    ...moneyRetry,
    onSettled: (_data, error, { idempotencyKey }) => keys.settle(idempotencyKey, error),
    onSuccess: (result) => {
      onOutcome({
        orderId: order.orderId,
        text:
          result.refunded > 0
            ? t('orders.refunded', { amount: formatWon(result.refunded), balance: formatWon(result.balance) })
            : t('orders.releasedDone'),
      });
      return Promise.all([utils.order.invalidate(), utils.wallet.invalidate(), utils.ticket.invalidate()]);
    },
    onError: (error) => onOutcome({ orderId: order.orderId, text: message(error), error: true }),
  });
  const refundableUntil = Date.parse(order.startsAt) - REFUND_DEADLINE_HOURS * HOUR_MS;
  const labels = order.seats.map((s) => s.label).join(', ');
  // The refund covers only the tickets the buyer still holds (the server counts; this words it).
  const held = tickets && stillHeld(tickets);
  const passedOn = tickets !== undefined && held !== undefined && held.length < tickets.length;
  const refundAmount = held ? held.reduce((sum, ticket) => sum + ticket.price, 0) : order.total;
  const canAct = order.status === 'held' || (order.status === 'confirmed' && now < refundableUntil && refundAmount > 0);
  const headingId = `order-${order.orderId}`;

  return (
    <li className={`card ticket ticket-${order.status}`} aria-labelledby={headingId}>
      <div>
        <h2 id={headingId} className="ticket-seat">
          {order.concertTitle}
        </h2>
        <span className={`badge badge-${order.status}`}>{t(`orders.status.${order.status}`)}</span>
      </div>
      <div className="muted">
        <time dateTime={order.startsAt}>{formatDateTime(order.startsAt, true)}</time> · {order.venue}
      </div>
      <div>
        {!tickets && (
          <>
            <strong>{labels}</strong> ·{' '}
          </>
        )}
        {order.seats.length === 1 ? t('orders.seatCountOne') : t('orders.seatCount', { count: order.seats.length })} ·{' '}
        {formatWon(order.total)}
      </div>
      {order.bookingCode && (
        <div>
          {t('ticket.code')} <span className="booking-code">{order.bookingCode}</span>
        </div>
      )}
      {tickets && tickets.length > 0 && <TicketLinks tickets={tickets} />}
      {order.status === 'confirmed' && (
        <p className="muted small">
          {now < refundableUntil
            ? t('orders.refundUntil', { time: formatDateTime(new Date(refundableUntil).toISOString(), true) })
            : t('orders.refundClosed', { hours: REFUND_DEADLINE_HOURS })}
        </p>
      )}
      <div className="actions">
        {order.status === 'held' && (
          <>
            <span className="muted">
              {t('checkout.timeLeft')} <Countdown until={order.heldUntil} label={t('checkout.timeLeft')} />
            </span>
            <Link className="button-primary" href={`/checkout/order/${order.orderId}`}>
              {t('reservations.payNow')}
            </Link>
          </>
        )}
        {order.status === 'confirmed' && order.bookingCode && (
          <Link className={tickets ? undefined : 'button-primary'} href={`/tickets/${order.bookingCode}`}>
            {t('ticket.open', { code: order.bookingCode })}
          </Link>
        )}
        {canAct && !confirming && (
          <button type="button" className="link-button" onClick={() => setConfirming(true)}>
            {order.status === 'held' ? t('orders.release') : t('orders.refund')}
          </button>
        )}
      </div>
      {canAct && confirming && (
        <div className="confirm" role="group" aria-label={order.status === 'held' ? t('orders.release') : t('orders.refund')}>
          <p>
            {order.status === 'held'
              ? t('orders.confirmRelease', { labels })
              : passedOn
                ? t('tickets.confirmRefundHeld', {
                    code: order.bookingCode ?? '',
                    amount: formatWon(refundAmount),
                    seats: held.map((ticket) => ticket.seat).join(', '),
                  })
                : t('orders.confirmRefund', { code: order.bookingCode ?? '', amount: formatWon(refundAmount) })}
          </p>
          <div className="actions">
            <button
              type="button"
              className="button-danger"
              disabled={cancel.isPending}
              onClick={() => cancel.mutate({ orderId: order.orderId, idempotencyKey: keys.keyFor(`cancel ${order.orderId}`) })}
            >
              {order.status === 'held' ? t('orders.yesRelease') : t('orders.yesRefund')}
            </button>
            <button type="button" disabled={cancel.isPending} onClick={() => setConfirming(false)}>
              {t('orders.keep')}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}
