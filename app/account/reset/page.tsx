'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, type FormEvent } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { FormError } from '../_components/field';
import { NewPasswordField } from '../_components/new-password-field';

/** The link of the password-reset mail: a new password, once. */
function Reset() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const token = useSearchParams().get('token') ?? '';
  const reset = trpc.account.resetPassword.useMutation();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    reset.mutate({ token, password: String(new FormData(event.currentTarget).get('password')) });
  };
  return (
    <section className="card account-card" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('account.reset.title')}
      </h1>
      {reset.isSuccess ? (
        <>
          <p role="status">{t('account.reset.done')}</p>
          <p>
            <Link className="button-primary" href="/account/sign-in">
              {t('account.signIn.submit')}
            </Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit}>
          <NewPasswordField label={t('account.field.newPassword')} />
          <FormError text={reset.error && message(reset.error)} />
          <button type="submit" className="button-primary" disabled={reset.isPending}>
            {t('account.reset.submit')}
          </button>
        </form>
      )}
    </section>
  );
}

export default function ResetPage() {
  return (
    <Suspense>
      <Reset />
    </Suspense>
  );
}
