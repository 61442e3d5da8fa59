'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useRef, type FormEvent } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { Field, FormError } from '../_components/field';
import { NewPasswordField } from '../_components/new-password-field';
import { createPasskey } from '../_components/passkey-ceremony';
import { useEntered } from '../_components/use-entered';
import { usePasskeyStep } from '../_components/use-passkey-step';

function SignUp() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const { next, entered } = useEntered();
  // A ticket offer's mail links here with the address it was offered to (server/ticket/offer-mail.ts).
  const offeredTo = useSearchParams().get('email')?.slice(0, 254) ?? undefined;
  const signUp = trpc.account.signUp.useMutation({ onSuccess: entered });
  const form = useRef<HTMLFormElement>(null);
  const passkeyOptions = trpc.account.passkeySignUpOptions.useMutation();
  const passkeySignUp = trpc.account.passkeySignUp.useMutation();
  const passkey = usePasskeyStep();
  /** The name and email of the form, without a password: the passkey replaces it. */
  const withPasskey = () => {
    const fields = ['name', 'email'].map((name) => form.current?.elements.namedItem(name) as HTMLInputElement);
    const invalid = fields.find((field) => !field.checkValidity());
    if (invalid) return invalid.reportValidity();
    const [name, email] = fields.map((field) => field.value);
    void passkey.run(async () => {
      const answer = await createPasskey(await passkeyOptions.mutateAsync({ name: name!, email: email! }));
      if (!answer) return;
      await passkeySignUp.mutateAsync({ response: answer });
      await entered();
    });
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    signUp.mutate({ name: String(form.get('name')), email: String(form.get('email')), password: String(form.get('password')) });
  };
  return (
    <section className="card account-card" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('account.signUp.title')}
      </h1>
      <p className="muted">{t('account.signUp.intro')}</p>
      <form onSubmit={submit} ref={form}>
        <Field id="name" label={t('account.field.name')} autoComplete="name" required maxLength={40} />
        <Field
          id="email"
          label={t('account.field.email')}
          type="email"
          autoComplete="email"
          required
          maxLength={254}
          defaultValue={offeredTo}
        />
        <NewPasswordField label={t('account.field.password')} />
        <FormError text={signUp.error && message(signUp.error)} />
        <button type="submit" className="button-primary" disabled={signUp.isPending || signUp.isSuccess}>
          {t('account.signUp.submit')}
        </button>
      </form>
      <div className="account-alternative">
        <p className="muted">{t('account.passkey.or')}</p>
        <button type="button" onClick={withPasskey} disabled={passkey.busy}>
          {t('account.passkey.signUp')}
        </button>
        <FormError text={passkey.error} />
      </div>
      <p className="account-links">
        <span>
          {t('account.signUp.haveAccount')}{' '}
          <Link href={next === '/' ? '/account/sign-in' : `/account/sign-in?next=${encodeURIComponent(next)}`}>
            {t('account.signUp.toSignIn')}
          </Link>
        </span>
      </p>
    </section>
  );
}

export default function SignUpPage() {
  return (
    <Suspense>
      <SignUp />
    </Suspense>
  );
}
