'use client';

import { useSearchParams } from 'next/navigation';
import { Suspense, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@/server/shared/limits';

/**
 * The link of an invitation mail: the invitee names themself and chooses a password (or gives the
 * password of the account the email has), becomes an operator with the invited role, and is signed in.
 */
function Invitation() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const token = useSearchParams().get('token') ?? '';
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const view = trpc.admin.invitation.view.useQuery({ token }, { enabled: token !== '', retry: false });
  const accept = trpc.admin.invitation.accept.useMutation({
    // A full load: the console's layout reads the new cookie.
    onSuccess: () => window.location.assign('/admin'),
  });
  const refusal = (text: string) => (
    <p className="notice notice-error" role="alert">
      {text}
    </p>
  );
  let content: ReactNode;
  if (!token) content = refusal(t('admin.accept.noToken'));
  else if (view.isPending) content = <Loading />;
  // A link that will never work (unknown, used, run out) says why, with nothing to try again.
  else if (view.error && reasonOf(view.error)?.startsWith('INVITATION_')) content = refusal(message(view.error));
  else if (view.error) content = <ErrorNotice error={view.error} onRetry={() => void view.refetch()} />;
  else if (accept.isSuccess) content = <p role="status">{t('admin.accept.done', { name: accept.data.operator.name })}</p>;
  else {
    const { email, role, hasAccount } = view.data;
    const submit = (event: FormEvent) => {
      event.preventDefault();
      accept.mutate(hasAccount ? { token, password } : { token, name: name.trim(), password });
    };
    content = (
      <>
        <p>{t('admin.accept.intro', { role: t(`admin.role.${role}`), email })}</p>
        <form onSubmit={submit}>
          {hasAccount ? (
            <p className="muted">{t('admin.accept.hasAccount')}</p>
          ) : (
            <>
              <label htmlFor="invite-name">{t('admin.accept.name')}</label>
              <input id="invite-name" autoComplete="name" required maxLength={40} value={name} onChange={(e) => setName(e.target.value)} />
            </>
          )}
          <input type="email" autoComplete="username" value={email} readOnly hidden />
          <label htmlFor="invite-password">
            {hasAccount ? t('admin.accept.password') : t('admin.accept.newPassword', { min: MIN_PASSWORD_LENGTH })}
          </label>
          <input
            id="invite-password"
            type="password"
            autoComplete={hasAccount ? 'current-password' : 'new-password'}
            required
            minLength={hasAccount ? 1 : MIN_PASSWORD_LENGTH}
            maxLength={MAX_PASSWORD_LENGTH}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={accept.isError}
            aria-describedby={accept.isError ? 'invite-error' : undefined}
          />
          <button type="submit" className="button-primary" disabled={accept.isPending}>
            {t('admin.accept.submit')}
          </button>
        </form>
        {accept.error && (
          <p id="invite-error" className="notice notice-error" role="alert">
            {message(accept.error)}
          </p>
        )}
      </>
    );
  }
  return (
    <section className="card operator-sign-in" aria-labelledby="invite-title">
      <h1 id="invite-title" tabIndex={-1}>
        {t('admin.accept.title')}
      </h1>
      {content}
    </section>
  );
}

export default function InvitationPage() {
  return (
    <Suspense>
      <Invitation />
    </Suspense>
  );
}
