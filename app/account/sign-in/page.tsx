'use client';

import Link from 'next/link';
import { Suspense, type FormEvent } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { Field, FormError } from '../_components/field';
import { signWithPasskey } from '../_components/passkey-ceremony';
import { useEntered } from '../_components/use-entered';
import { usePasskeyStep } from '../_components/use-passkey-step';

function SignIn() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const { next, entered } = useEntered();
  const signIn = trpc.account.signIn.useMutation({ onSuccess: entered });
  const passkeyOptions = trpc.account.passkeySignInOptions.useMutation();
  const passkeySignIn = trpc.account.passkeySignIn.useMutation();
  const passkey = usePasskeyStep();
  const withPasskey = () =>
    passkey.run(async () => {
      const answer = await signWithPasskey(await passkeyOptions.mutateAsync());
      if (!answer) return;
      await passkeySignIn.mutateAsync({ response: answer });
      await entered();
    });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    signIn.mutate({ email: String(form.get('email')), password: String(form.get('password')) });
  };
  const withNext = (path: string) => (next === '/' ? path : `${path}?next=${encodeURIComponent(next)}`);
  return (
    <section className="card account-card" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('account.signIn.title')}
      </h1>
      <p className="muted">{t('account.signIn.intro')}</p>
      <form onSubmit={submit}>
        <Field id="email" label={t('account.field.email')} type="email" autoComplete="username" required maxLength={254} />
        <Field id="password" label={t('account.field.password')} type="password" autoComplete="current-password" required />
        <FormError text={signIn.error && message(signIn.error)} />
        <button type="submit" className="button-primary" disabled={signIn.isPending || signIn.isSuccess}>
          {t('account.signIn.submit')}
        </button>
      </form>
      <div className="account-alternative">
        <p className="muted">{t('account.passkey.or')}</p>
        <button type="button" onClick={() => void withPasskey()} disabled={passkey.busy}>
          {t('account.passkey.signIn')}
        </button>
        <FormError text={passkey.error} />
      </div>
      <p className="account-links">
        <span>
          {t('account.signIn.noAccount')} <Link href={withNext('/account/sign-up')}>{t('account.signIn.toSignUp')}</Link>
        </span>
        <Link href="/account/forgot">{t('account.signIn.forgot')}</Link>
      </p>
    </section>
  );
}

export default function SignInPage() {
  return (
    <Suspense>
      <SignIn />
    </Suspense>
  );
}
