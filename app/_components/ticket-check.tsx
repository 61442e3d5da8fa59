'use client';

import { useState } from 'react';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';
import { OperatorSignIn } from './operator-sign-in';
import { useErrorMessage } from './use-error-message';

/**
 * The operator's "check a ticket": type or paste a booking code (or a scanned ticket reference) and
 * see whether it admits. Signs in with the operator password (admin.login) when the console's cookie is
 * missing (an operator's email and password, or the operator password alone). Self-contained, so the operator console can mount it wherever it likes.
 */
export function TicketCheck() {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const [code, setCode] = useState('');
  const [needsSignIn, setNeedsSignIn] = useState(false);
  const [result, setResult] = useState<Awaited<ReturnType<typeof utils.client.ticket.verify.query>> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  const verify = async (raw: string) => {
    const value = raw.trim();
    if (!value) return;
    setPending(true);
    setError(null);
    setResult(null);
    try {
      setResult(await utils.client.ticket.verify.query({ code: value }));
    } catch (e) {
      if (reasonOf(e) === 'OPERATOR_REQUIRED' || reasonOf(e) === 'FORBIDDEN') setNeedsSignIn(true);
      else setError(e);
    } finally {
      setPending(false);
    }
  };
  if (needsSignIn)
    return (
      <OperatorSignIn
        onSignedIn={() => {
          // Signed in: check the code that asked for it.
          setNeedsSignIn(false);
          void verify(code);
        }}
      />
    );

  return (
    <div className="ticket-check">
      <form
        className="card check-form"
        onSubmit={(event) => {
          event.preventDefault();
          void verify(code);
        }}
      >
        <label>
          {t('ticketcheck.code')}
          <input value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" spellCheck={false} required />
        </label>
        <button type="submit" className="button-primary" disabled={pending}>
          {t('ticketcheck.check')}
        </button>
      </form>
      <div aria-live="polite">
        {error !== null && (
          <p className="notice notice-error" role="alert">
            {message(error)}
          </p>
        )}
        {result && (
          <div className={`card check-result check-${result.status}`} role="status">
            <h2>{t(`ticketcheck.${result.status}`)}</h2>
            {result.status !== 'unknown' && (
              <dl className="ticket-facts">
                <div>
                  <dt>{t('ticketcheck.holder')}</dt>
                  <dd>{result.holderName}</dd>
                </div>
                <div>
                  <dt>{t('ticketcheck.concert')}</dt>
                  <dd>{result.concertTitle}</dd>
                </div>
                {result.startsAt && (
                  <div>
                    <dt>{t('ticketcheck.when')}</dt>
                    <dd>{formatDateTime(result.startsAt)}</dd>
                  </div>
                )}
                <div>
                  <dt>{t('ticketcheck.seats')}</dt>
                  <dd>{result.seats?.map((s) => s.label).join(', ')}</dd>
                </div>
              </dl>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
