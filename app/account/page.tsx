'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { Field, FormError } from './_components/field';
import { createPasskey } from './_components/passkey-ceremony';
import { usePasskeyStep } from './_components/use-passkey-step';

/** After signing out or deleting the account, the browser starts over as a new guest. */
const startOver = () => location.assign('/');

function Devices() {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const devices = trpc.account.devices.useQuery();
  const signOutDevice = trpc.account.signOutDevice.useMutation({ onSuccess: () => devices.refetch() });
  if (!devices.data) return devices.error ? <FormError text={message(devices.error)} /> : null;
  return (
    <section className="account-section" aria-labelledby="devices-title">
      <h2 id="devices-title">{t('account.devices.title')}</h2>
      <ul className="device-list">
        {devices.data.map((d) => (
          <li key={d.sessionId}>
            <span>
              <strong>{d.current ? t('account.devices.this') : (d.userAgent ?? t('account.devices.unknown'))}</strong>
              <br />
              <span className="muted">{t('account.devices.since', { time: formatDateTime(d.signedInAt) })}</span>
            </span>
            {!d.current && (
              <button type="button" className="link-button" onClick={() => signOutDevice.mutate({ sessionId: d.sessionId })}>
                {t('account.devices.signOut')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {devices.data.length > 1 && (
        <p className="actions">
          <button type="button" onClick={() => signOutDevice.mutate({ sessionId: 'others' })} disabled={signOutDevice.isPending}>
            {t('account.devices.signOutOthers')}
          </button>
        </p>
      )}
      <FormError text={signOutDevice.error && message(signOutDevice.error)} />
    </section>
  );
}

function Passkeys() {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const list = trpc.account.passkeys.useQuery();
  const addOptions = trpc.account.passkeyAddOptions.useMutation();
  const add = trpc.account.passkeyAdd.useMutation({ onSuccess: () => list.refetch() });
  const remove = trpc.account.passkeyRemove.useMutation({ onSuccess: () => list.refetch() });
  const step = usePasskeyStep();
  const addPasskey = () =>
    step.run(async () => {
      const answer = await createPasskey(await addOptions.mutateAsync());
      if (answer) await add.mutateAsync({ response: answer });
    });
  return (
    <section className="account-section" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">{t('account.passkeys.title')}</h2>
      {list.data?.length === 0 && <p className="muted">{t('account.passkeys.none')}</p>}
      {list.data && list.data.length > 0 && (
        <ul className="device-list">
          {list.data.map((p) => (
            <li key={p.passkeyId}>
              <span>
                <strong>{p.name ?? t('account.passkeys.unnamed')}</strong>
                {p.createdAt && (
                  <>
                    <br />
                    <span className="muted">{t('account.passkeys.added', { time: formatDateTime(p.createdAt) })}</span>
                  </>
                )}
              </span>
              <button
                type="button"
                className="link-button"
                onClick={() => remove.mutate({ passkeyId: p.passkeyId })}
                disabled={remove.isPending}
              >
                {t('account.passkeys.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <p className="actions">
        <button type="button" onClick={() => void addPasskey()} disabled={step.busy}>
          {t('account.passkeys.add')}
        </button>
      </p>
      <FormError text={step.error ?? (remove.error && message(remove.error)) ?? (list.error && message(list.error))} />
    </section>
  );
}

function DeleteAccount() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const remove = trpc.account.delete.useMutation({ onSuccess: startOver });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('delete-password') ?? '');
    remove.mutate({ password: password || undefined });
  };
  return (
    <section className="account-section" aria-labelledby="delete-title">
      <h2 id="delete-title">{t('account.delete.title')}</h2>
      <p className="muted">{t('account.delete.intro')}</p>
      <form onSubmit={submit}>
        <Field
          id="delete-password"
          label={t('account.delete.password')}
          hint={t('account.delete.passwordHint')}
          type="password"
          autoComplete="current-password"
        />
        <FormError text={remove.error && message(remove.error)} />
        <button type="submit" className="button-danger" disabled={remove.isPending}>
          {t('account.delete.submit')}
        </button>
      </form>
    </section>
  );
}

export default function AccountPage() {
  const { t } = useI18n();
  const router = useRouter();
  const me = trpc.session.me.useQuery(undefined, { staleTime: Infinity });
  const resend = trpc.account.resendVerification.useMutation();
  const signOut = trpc.account.signOut.useMutation({ onSuccess: startOver });
  const [asked, setAsked] = useState(false);
  const account = me.data?.account;
  useEffect(() => {
    if (me.data && !me.data.account && !asked) {
      setAsked(true);
      router.replace('/account/sign-in?next=/account');
    }
  }, [me.data, asked, router]);
  if (!me.data || !account) return null;
  return (
    <section className="card account-card" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('account.title')}
      </h1>
      <dl className="facts">
        <div>
          <dt>{t('account.field.name')}</dt>
          <dd>{me.data.name}</dd>
        </div>
        <div>
          <dt>{t('account.field.email')}</dt>
          <dd>{account.email}</dd>
        </div>
      </dl>
      <p>{account.emailVerified ? t('account.email.verified') : t('account.email.unverified')}</p>
      {!account.emailVerified && (
        <p>
          <button type="button" className="link-button" onClick={() => resend.mutate()} disabled={resend.isPending || resend.isSuccess}>
            {t('account.email.resend')}
          </button>{' '}
          {resend.isSuccess && <span role="status">{t('account.email.resent')}</span>}
        </p>
      )}
      <p className="actions">
        <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          {t('account.signOut')}
        </button>
      </p>
      <Passkeys />
      <Devices />
      <DeleteAccount />
    </section>
  );
}
