'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Countdown } from '../../_components/countdown';
import { ErrorNotice, Loading } from '../../_components/states';
import { useErrorMessage } from '../../_components/use-error-message';
import { secondsUntil, useNow } from '../../_components/use-now';
import { useQueueGuard } from '../../_components/use-queue-guard';
import { formatWon, useI18n } from '../../_i18n/provider';
import { trpc } from '../../_trpc/client';
import { errorData, reasonOf } from '../../_trpc/errors';
import { moneyRetry, useIntentKeys, wasRefused } from '../../_trpc/money-retry';

export default function CheckoutPage() {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const reservationId = Number(useParams<{ reservationId: string }>().reservationId);
  const utils = trpc.useUtils();
  const payKeys = useIntentKeys();
  const pay = trpc.payment.pay.useMutation({
    ...moneyRetry,
    // A payment changes the tickets, the wallet and (it ends) the turn.
    onSuccess: () => Promise.all([utils.reservation.list.invalidate(), utils.wallet.invalidate(), utils.queue.status.invalidate()]),
    onSettled: (_data, error, { idempotencyKey }) => payKeys.settle(idempotencyKey, error),
  });
  const paid = pay.isSuccess;
  // Paying ends the turn, so nothing behind the active-token rung is asked for afterwards.
  const reservations = trpc.reservation.list.useQuery(undefined, { enabled: !paid });
  const balance = trpc.wallet.balance.useQuery(undefined, { enabled: !paid });
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
  const cancel = trpc.reservation.cancel.useMutation({ onSuccess: () => utils.reservation.list.invalidate() });
  const now = useNow();
  const redirecting = useQueueGuard(paid ? null : reservations.error, paid ? null : balance.error);
  if (redirecting) return <Loading />;

  if (paid) {
    return (
      <section className="card checkout" aria-labelledby="checkout-title">
        <h1 id="checkout-title">{t('checkout.title')}</h1>
        <p className="notice notice-success" role="status">
          {t('checkout.paid')}
        </p>
        <p>{t('wallet.after', { amount: formatWon(pay.data.balance) })}</p>
        <Link className="button-primary" href="/reservations">
          {t('checkout.viewTickets')}
        </Link>
      </section>
    );
  }
  if (reservations.isPending || balance.isPending) return <Loading />;
  if (reservations.error) return <ErrorNotice error={reservations.error} onRetry={() => void reservations.refetch()} />;
  const r = reservations.data.find((x) => x.reservationId === reservationId);
  if (!r)
    return (
      <p className="notice notice-error" role="alert">
        {t('checkout.notFound')}
      </p>
    );

  const seatMap = `/concerts/${r.concertId}/dates/${r.scheduleId}`;
  const expired =
    r.status === 'expired' ||
    reasonOf(pay.error) === 'RESERVATION_EXPIRED' ||
    (r.status === 'held' && secondsUntil(r.heldUntil, now) === 0);
  const wallet = balance.data?.balance ?? 0;
  const shortfall = errorData(pay.error)?.shortfall ?? Math.max(0, r.price - wallet);

  return (
    <section className="card checkout" aria-labelledby="checkout-title">
      <h1 id="checkout-title">{t('checkout.title')}</h1>
      <p className="eyebrow">{t('checkout.heldFor')}</p>
      <h2 className="seat-title">{r.label}</h2>
      <p>
        {r.concertTitle} · {formatDateTime(r.startsAt)} · {r.venue}
      </p>
      <dl className="facts">
        <div>
          <dt>{t('checkout.price')}</dt>
          <dd>{formatWon(r.price)}</dd>
        </div>
        <div>
          <dt>{t('checkout.balance')}</dt>
          <dd data-testid="balance">{formatWon(wallet)}</dd>
        </div>
        {r.status === 'held' && !expired && (
          <div>
            <dt>{t('checkout.timeLeft')}</dt>
            <dd>
              <Countdown until={r.heldUntil} label={t('checkout.timeLeft')} />
            </dd>
          </div>
        )}
      </dl>

      {r.status === 'confirmed' && (
        <p className="notice notice-success" role="status">
          {t('checkout.paid')}
        </p>
      )}
      {r.status === 'cancelled' && (
        <p className="notice" role="status">
          {t('checkout.cancelled')}
        </p>
      )}
      {expired && (
        <div className="notice notice-error" role="alert">
          {t('checkout.expired')} <Link href={seatMap}>{t('checkout.pickAgain')}</Link>
        </div>
      )}
      {r.status === 'held' && !expired && (
        <>
          {shortfall > 0 && (
            <div className="notice notice-warning" role="status">
              <p>{t('checkout.short', { amount: formatWon(shortfall) })}</p>
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
                {t('checkout.charge', { amount: formatWon(shortfall) })}
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
              onClick={() => pay.mutate({ reservationId, idempotencyKey: payKeys.keyFor(`pay ${reservationId}`) })}
            >
              {pay.isPending ? t('checkout.paying') : t('checkout.pay', { price: formatWon(r.price) })}
            </button>
            <button type="button" className="link-button" disabled={cancel.isPending} onClick={() => cancel.mutate({ reservationId })}>
              {t('checkout.cancel')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
