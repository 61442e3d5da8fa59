'use client';

import { useState, type FormEvent } from 'react';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useQueueGuard } from '@/app/_components/use-queue-guard';
import { formatWon, useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { moneyRetry, useIntentKeys, wasRefused } from '@/app/_trpc/money-retry';
import { parseChargeAmount } from '@/server/shared/limits';

const PRESETS = [10_000, 50_000, 100_000, 200_000];
const HISTORY_PAGE = 10;

export default function WalletPage() {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const balance = trpc.wallet.balance.useQuery();
  const history = trpc.wallet.history.useInfiniteQuery(
    { limit: HISTORY_PAGE },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const [custom, setCustom] = useState('');
  const [invalid, setInvalid] = useState(false);
  const chargeKeys = useIntentKeys();
  const charge = trpc.wallet.charge.useMutation({
    ...moneyRetry,
    onSuccess: (data) => {
      utils.wallet.balance.setData(undefined, data);
      void utils.wallet.history.invalidate();
    },
    // Retries used up without an answer: the charge may have landed, so show the wallet as it is now.
    onError: (error) => {
      if (!wasRefused(error)) void utils.wallet.invalidate();
    },
    onSettled: (_data, error, { idempotencyKey }) => chargeKeys.settle(idempotencyKey, error),
  });
  const chargeOnce = (amount: number, onSuccess?: () => void) =>
    charge.mutate({ amount, idempotencyKey: chargeKeys.keyFor(`charge ${amount}`) }, { onSuccess });
  const guard = useQueueGuard(balance.error, history.error);
  if (guard) return guard;

  const submitCustom = (event: FormEvent) => {
    event.preventDefault();
    // Checked as the API checks it, so a person hears about a bad amount before it is sent.
    const amount = parseChargeAmount(custom);
    setInvalid(amount === null);
    if (amount !== null) chargeOnce(amount, () => setCustom(''));
  };
  const entries = history.data?.pages.flatMap((p) => p.entries) ?? [];

  return (
    <section aria-labelledby="wallet-title">
      <h1 id="wallet-title">{t('wallet.title')}</h1>
      <div className="card balance-card">
        <span className="muted">{t('wallet.balance')}</span>
        <strong className="balance" data-testid="wallet-balance">
          {balance.data ? formatWon(balance.data.balance) : '…'}
        </strong>
      </div>

      <div className="card">
        <h2>{t('wallet.charge')}</h2>
        <div className="presets">
          {PRESETS.map((amount) => (
            <button key={amount} type="button" disabled={charge.isPending} onClick={() => chargeOnce(amount)}>
              {t('wallet.chargeButton', { amount: formatWon(amount) })}
            </button>
          ))}
        </div>
        <form className="charge-form" onSubmit={submitCustom} noValidate>
          <label htmlFor="amount">{t('wallet.amount')}</label>
          <input
            id="amount"
            inputMode="numeric"
            value={custom}
            onChange={(e) => {
              setCustom(e.target.value);
              setInvalid(false);
            }}
            aria-invalid={invalid}
            aria-describedby={invalid ? 'amount-error' : undefined}
          />
          <button type="submit" disabled={charge.isPending}>
            {t('wallet.chargeCustom')}
          </button>
          {invalid && (
            <p id="amount-error" className="field-error" role="alert">
              {t('wallet.invalidAmount')}
            </p>
          )}
        </form>
        {charge.isPending && charge.failureCount > 0 && (
          <p className="notice" role="status">
            {t('money.retrying')}
          </p>
        )}
        {charge.isSuccess && (
          <p className="notice notice-success" role="status">
            {t('wallet.charged', { amount: formatWon(charge.variables.amount) })}
          </p>
        )}
        {charge.error && (
          <p className="notice notice-error" role="alert">
            {message(charge.error)}
          </p>
        )}
      </div>

      <div className="card">
        <h2>{t('wallet.history')}</h2>
        {history.isPending && <Loading />}
        {history.error && <ErrorNotice error={history.error} onRetry={() => void history.refetch()} />}
        {history.data && entries.length === 0 && <p className="empty">{t('wallet.empty')}</p>}
        <ul className="ledger">
          {entries.map((e) => (
            <li key={e.entryId}>
              <div>
                <span>{t(`wallet.kind.${e.kind}`)}</span>
                <span className="muted">{formatDateTime(e.createdAt)}</span>
              </div>
              <div className="ledger-amounts">
                <span className={e.amount > 0 ? 'amount-in' : 'amount-out'}>
                  {e.amount > 0 ? '+' : '−'}
                  {formatWon(Math.abs(e.amount))}
                </span>
                <span className="muted">{t('wallet.after', { amount: formatWon(e.balanceAfter) })}</span>
              </div>
            </li>
          ))}
        </ul>
        {history.hasNextPage && (
          <button type="button" disabled={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
            {t('wallet.more')}
          </button>
        )}
      </div>
    </section>
  );
}
