'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Countdown } from '@/app/_components/countdown';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { TicketNextSteps, TicketView } from '@/app/_components/ticket-view';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { secondsUntil, useNow } from '@/app/_components/use-now';
import { usePageTitle } from '@/app/_components/use-page-title';
import { useQueueGuard } from '@/app/_components/use-queue-guard';
import { formatWon, useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { errorData, reasonOf } from '@/app/_trpc/errors';
import { moneyRetry, useIntentKeys, wasRefused } from '@/app/_trpc/money-retry';

/** Checkout for an order of one or more seats: one countdown, one payment, then the ticket at once. */
export default function OrderCheckoutPage() {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const orderId = Number(useParams<{ orderId: string }>().orderId);
  const utils = trpc.useUtils();
  const order = trpc.order.get.useQuery({ orderId }, { retry: false });
  const status = order.data?.status;
  const payKeys = useIntentKeys();
  const pay = trpc.order.pay.useMutation({
    ...moneyRetry,
    // The ticket (booking code, signed reference) comes with the confirmed order. The wallet is not
    // read again: the payment ended the turn, and its answer carries the new balance.
    onSuccess: ({ balance }) => {
      utils.wallet.balance.setData(undefined, { balance });
      return Promise.all([utils.order.invalidate(), utils.queue.status.invalidate()]);
    },
    onSettled: (_data, error, { idempotencyKey }) => payKeys.settle(idempotencyKey, error),
  });
  // Paying ends the turn, so nothing behind the active-token rung is asked for once the order is paid.
  const balance = trpc.wallet.balance.useQuery(undefined, { enabled: status === 'held' && !pay.isSuccess });
  const chargeKeys = useIntentKeys();
  const charge = trpc.wallet.charge.useMutation({
    ...moneyRetry,
    onSuccess: (data) => utils.wallet.balance.setData(undefined, data),
    // Retries used up without an answer: the charge may have landed, so read the balance again.
    onError: (error) => {
      if (!wasRefused(error)) void utils.wallet.balance.invalidate();
    },
    onSettled: (_data, error, { idempotencyKey }) => chargeKeys.settle(idempotencyKey, error),
  });
  const cancel = trpc.order.cancel.useMutation({ onSuccess: () => utils.order.invalidate() });
  const now = useNow();
  const paidNow = pay.isSuccess || status === 'confirmed';
  // The route's metadata says Checkout; once paid, the page is the ticket.
  usePageTitle(paidNow ? t('ticket.title') : undefined);
  const guard = useQueueGuard(paidNow ? null : balance.error);
  if (guard) return guard;

  if (order.isPending) return <Loading />;
  if (order.error) {
    const missing = reasonOf(order.error) === 'NOT_FOUND' || reasonOf(order.error) === 'INVALID_INPUT';
    return (
      <section className="card checkout" aria-labelledby="page-title">
        <h1 id="page-title" tabIndex={-1}>
          {t('checkout.title')}
        </h1>
        {missing ? (
          <p className="notice notice-error" role="alert">
            {t('order.notFound')}
          </p>
        ) : (
          <ErrorNotice error={order.error} onRetry={() => void order.refetch()} />
        )}
        <TicketNextSteps />
      </section>
    );
  }
  const o = order.data;

  if (paidNow) {
    return (
      <section className="checkout-done" aria-labelledby="ticket-heading">
        <p className="notice notice-success" role="status">
          {t('ticket.paid')} {pay.data && t('ticket.balance', { amount: formatWon(pay.data.balance) })}
        </p>
        {o.bookingCode ? <TicketView headingLevel={1} ticket={{ ...o, bookingCode: o.bookingCode }} /> : <Loading />}
        <TicketNextSteps concertId={o.concertId} />
      </section>
    );
  }

  const seatMap = `/concerts/${o.concertId}/dates/${o.scheduleId}`;
  const expired =
    o.status === 'expired' ||
    reasonOf(pay.error) === 'RESERVATION_EXPIRED' ||
    (o.status === 'held' && secondsUntil(o.heldUntil, now) === 0);
  // The heading above the seats says what is true of them now.
  const seatsHeading =
    o.status === 'cancelled'
      ? 'order.seatsReleased'
      : o.status === 'refunded'
        ? 'order.seatsRefunded'
        : expired
          ? 'order.heldExpired'
          : 'order.heldFor';
  const wallet = balance.data?.balance ?? 0;
  const shortfall = errorData(pay.error)?.shortfall ?? Math.max(0, o.total - wallet);

  return (
    <section className="card checkout" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('checkout.title')}
      </h1>
      <p>
        <strong>{o.concertTitle}</strong>
        <br />
        <time dateTime={o.startsAt}>{formatDateTime(o.startsAt, true)}</time> · {o.venue}
      </p>
      <h2 className="eyebrow">{t(seatsHeading)}</h2>
      <ul className="order-seats" aria-label={t('order.seats')}>
        {o.seats.map((s) => (
          <li key={s.seatId}>
            <span className="order-seat-label">{s.label}</span>
            <span className="muted">{t('seatmap.tier', { section: s.section })}</span>
            <span>{formatWon(s.price)}</span>
          </li>
        ))}
      </ul>
      <dl className="facts">
        <div>
          <dt>{t('order.total')}</dt>
          <dd data-testid="order-total">{formatWon(o.total)}</dd>
        </div>
        {o.status === 'held' && !expired && (
          <>
            <div>
              <dt>{t('checkout.balance')}</dt>
              <dd data-testid="balance">{balance.isPending ? '…' : formatWon(wallet)}</dd>
            </div>
            <div>
              <dt>{t('checkout.timeLeft')}</dt>
              <dd>
                <Countdown until={o.heldUntil} label={t('checkout.timeLeft')} />
              </dd>
            </div>
          </>
        )}
      </dl>

      {o.status === 'cancelled' && (
        <div className="notice" role="status">
          {t('order.released')} <Link href={seatMap}>{t('checkout.pickAgain')}</Link>
        </div>
      )}
      {o.status === 'refunded' && (
        <div className="notice" role="status">
          {t('order.refundedState')} <Link href="/reservations">{t('ticket.all')}</Link>
        </div>
      )}
      {expired && (
        <div className="notice notice-error" role="alert">
          {t('order.expired')} <Link href={seatMap}>{t('checkout.pickAgain')}</Link>
        </div>
      )}
      {o.status === 'held' && !expired && !balance.isPending && (
        <>
          {shortfall > 0 && (
            <div className="notice notice-warning" role="status">
              <p>{t(o.seats.length === 1 ? 'order.shortOne' : 'order.short', { amount: formatWon(shortfall) })}</p>
              <button
                type="button"
                disabled={charge.isPending}
                onClick={() =>
                  charge.mutate(
                    { amount: shortfall, idempotencyKey: chargeKeys.keyFor(`charge ${shortfall}`) },
                    { onSuccess: () => pay.reset() },
                  )
                }
              >
                {t(o.seats.length === 1 ? 'order.chargeOne' : 'order.charge', { amount: formatWon(shortfall) })}
              </button>
              {charge.isPending && charge.failureCount > 0 && <p role="status">{t('money.retrying')}</p>}
              {charge.error && <p role="alert">{message(charge.error)}</p>}
            </div>
          )}
          {pay.isPending && pay.failureCount > 0 && (
            <p className="notice" role="status">
              {t('money.retrying')}
            </p>
          )}
          {pay.error && reasonOf(pay.error) !== 'INSUFFICIENT_BALANCE' && <ErrorNotice error={pay.error} />}
          <div className="actions">
            <button
              type="button"
              className="button-primary"
              disabled={pay.isPending || shortfall > 0}
              onClick={() => pay.mutate({ orderId, idempotencyKey: payKeys.keyFor(`pay order ${orderId}`) })}
            >
              {pay.isPending ? t('checkout.paying') : t('checkout.pay', { price: formatWon(o.total) })}
            </button>
            <button type="button" className="link-button" disabled={cancel.isPending} onClick={() => cancel.mutate({ orderId })}>
              {t('order.release')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
