'use client';

import { useId, useState, type FormEvent } from 'react';
import type { TransferResult } from '@/app/_components/ticket-types';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';

/**
 * "Pass to a friend": their email, then what happens (they hold it at once, this QR code stops working,
 * no money moves, no way back), then ticket.transfer. An email without an account is refused
 * (RECIPIENT_UNKNOWN: often a typo); the fan may then send an offer the friend claims by signing up.
 */
export function TransferForm({ reference, seat, onDone }: { reference: string; seat: string; onDone: (result: TransferResult) => void }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const emailId = useId();
  const [step, setStep] = useState<'closed' | 'email' | 'confirm'>('closed');
  const [email, setEmail] = useState('');
  const transfer = trpc.ticket.transfer.useMutation({
    onSuccess: (result) => {
      onDone(result);
      setStep('closed');
      return Promise.all([utils.ticket.invalidate(), utils.order.invalidate()]);
    },
  });
  const noAccount = reasonOf(transfer.error) === 'RECIPIENT_UNKNOWN';
  const toEmail = email.trim();

  if (step === 'closed') {
    return (
      <button type="button" className="button-primary" onClick={() => setStep('email')}>
        {t('tickets.transfer.start')}
      </button>
    );
  }
  const toConfirm = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    transfer.reset();
    setStep('confirm');
  };
  const change = () => {
    transfer.reset();
    setStep('email');
  };
  return (
    <>
      {step === 'email' && (
        <form className="transfer-form" onSubmit={toConfirm}>
          <label htmlFor={emailId}>{t('tickets.transfer.email')}</label>
          <input
            id={emailId}
            type="email"
            autoComplete="email"
            required
            maxLength={254}
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <div className="actions">
            <button type="submit" className="button-primary">
              {t('tickets.transfer.continue')}
            </button>
            <button type="button" onClick={() => setStep('closed')}>
              {t('tickets.transfer.back')}
            </button>
          </div>
        </form>
      )}
      {step === 'confirm' && !noAccount && (
        <div className="confirm" role="group" aria-label={t('tickets.transfer.confirmTitle', { seat, email: toEmail })}>
          <p>
            <strong>{t('tickets.transfer.confirmTitle', { seat, email: toEmail })}</strong>
          </p>
          <ul className="transfer-facts">
            <li>{t('tickets.transfer.factAtOnce')}</li>
            <li>{t('tickets.transfer.factQr')}</li>
            <li>{t('tickets.transfer.factMoney')}</li>
            <li>{t('tickets.transfer.factFinal')}</li>
          </ul>
          <div className="actions">
            <button
              type="button"
              className="button-primary"
              disabled={transfer.isPending}
              onClick={() => transfer.mutate({ reference, toEmail })}
            >
              {t('tickets.transfer.yes', { email: toEmail })}
            </button>
            <button type="button" disabled={transfer.isPending} onClick={change}>
              {t('tickets.transfer.change')}
            </button>
          </div>
        </div>
      )}
      {step === 'confirm' && noAccount && (
        <div className="confirm" role="group" aria-label={t('tickets.offer.askTitle', { email: toEmail })}>
          <p>
            <strong>{t('tickets.offer.askTitle', { email: toEmail })}</strong>
          </p>
          <p>{t('tickets.offer.ask')}</p>
          <div className="actions">
            <button
              type="button"
              className="button-primary"
              disabled={transfer.isPending}
              onClick={() => transfer.mutate({ reference, toEmail, offerIfNoAccount: true })}
            >
              {t('tickets.offer.send')}
            </button>
            <button type="button" disabled={transfer.isPending} onClick={change}>
              {t('tickets.transfer.change')}
            </button>
          </div>
        </div>
      )}
      {transfer.error && !noAccount && (
        <p className="notice notice-error" role="alert">
          {message(transfer.error)}
        </p>
      )}
    </>
  );
}
