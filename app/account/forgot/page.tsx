'use client';

import { useState, type FormEvent } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { Field, FormError } from '../_components/field';

export default function ForgotPage() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const [email, setEmail] = useState('');
  const request = trpc.account.requestPasswordReset.useMutation();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    request.mutate({ email });
  };
  return (
    <section className="card account-card" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('account.forgot.title')}
      </h1>
      <p className="muted">{t('account.forgot.intro')}</p>
      {request.isSuccess ? (
        <p role="status">{t('account.forgot.sent', { email })}</p>
      ) : (
        <form onSubmit={submit}>
          <Field
            id="email"
            label={t('account.field.email')}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <FormError text={request.error && message(request.error)} />
          <button type="submit" className="button-primary" disabled={request.isPending}>
            {t('account.forgot.submit')}
          </button>
        </form>
      )}
    </section>
  );
}
