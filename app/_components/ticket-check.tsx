'use client';

import { useState, type FormEvent } from 'react';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';
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
  const login = trpc.admin.login.useMutation({
    // Signed in: check the code that asked for it.
    onSuccess: () => {
      setNeedsSignIn(false);
      void verify(code);
    },
  });
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
  const signIn = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    login.mutate(email ? { email, password } : { password });
  };

  if (needsSignIn) {
    return (
      <form className="card ticket-check" onSubmit={signIn} aria-labelledby="signin-title">
        <h2 id="signin-title">{t('ticketcheck.signIn')}</h2>
        <label>
          {t('ticketcheck.email')}
          <input name="email" type="email" autoComplete="username" autoFocus />
        </label>
        <label>
          {t('ticketcheck.password')}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {login.error && (
          <p className="field-error" role="alert">
            {reasonOf(login.error) === 'OPERATOR_LOGIN_FAILED' ? t('ticketcheck.loginFailed') : message(login.error)}
          </p>
        )}
        <button type="submit" className="button-primary" disabled={login.isPending}>
          {t('ticketcheck.signInButton')}
        </button>
      </form>
    );
  }

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
