'use client';

import type { FormEvent } from 'react';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';
import { useErrorMessage } from './use-error-message';

/**
 * The door's operator sign-in (admin.login) outside the console: an operator's email and password,
 * or the operator password alone.
 */
export function OperatorSignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const login = trpc.admin.login.useMutation({ onSuccess: onSignedIn });
  const signIn = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    login.mutate(email ? { email, password } : { password });
  };
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
