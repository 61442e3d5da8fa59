'use client';

import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';

function SignIn() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const [password, setPassword] = useState('');
  const login = trpc.admin.login.useMutation({ onSuccess: () => utils.admin.invalidate() });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password) login.mutate({ password });
  };
  return (
    <section aria-labelledby="sign-in-title" className="card operator-sign-in">
      <h1 id="sign-in-title">{t('admin.signIn.title')}</h1>
      <p className="muted">{t('admin.signIn.intro')}</p>
      <form onSubmit={submit}>
        <label htmlFor="operator-password">{t('admin.signIn.password')}</label>
        <input
          id="operator-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={login.isError}
          aria-describedby={login.isError ? 'sign-in-error' : undefined}
        />
        <button type="submit" className="button-primary" disabled={login.isPending}>
          {t('admin.signIn.submit')}
        </button>
      </form>
      {login.error && (
        <p id="sign-in-error" className="notice notice-error" role="alert">
          {message(login.error)}
        </p>
      )}
    </section>
  );
}

function SignOut() {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  const logout = trpc.admin.logout.useMutation({ onSuccess: () => utils.admin.invalidate() });
  return (
    <button type="button" className="link-button" onClick={() => logout.mutate()} disabled={logout.isPending}>
      {t('admin.signOut')}
    </button>
  );
}

/** Shows the sign-in form until the operator cookie lets `admin.sale.list` answer, then the console. */
export function OperatorGate({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const sales = trpc.admin.sale.list.useQuery();
  if (reasonOf(sales.error) === 'OPERATOR_REQUIRED') return <SignIn />;
  if (sales.isPending) return <Loading />;
  return (
    <div className="operator-console">
      <div className="operator-bar">
        <span className="eyebrow">{t('admin.title')}</span>
        <SignOut />
      </div>
      {sales.error ? <ErrorNotice error={sales.error} onRetry={() => void sales.refetch()} /> : children}
    </div>
  );
}
