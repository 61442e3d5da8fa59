'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { createContext, useContext, useState, type FormEvent, type ReactNode } from 'react';
import { LanguageSwitch } from '@/app/_components/language-switch';
import { FocusOnNavigation } from '@/app/_components/page-focus';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import type { inferRouterOutputs } from '@trpc/server';
import { trpc } from '@/app/_trpc/client';
import type { AppRouter } from '@/server/trpc/root';
import { reasonOf, retryAfterSecondsOf } from '@/app/_trpc/errors';
import { useNow } from '@/app/_components/use-now';

/** 14:03:27 on the operator's own clock. */
const clockTime = (at: number) => new Date(at).toLocaleTimeString('en-GB', { hour12: false });

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // After the sign-in rate limit: when trying again can succeed (ms since the epoch), counted down on the page.
  const [retry, setRetry] = useState<{ at: number; seconds: number } | null>(null);
  const now = useNow();
  const login = trpc.admin.login.useMutation({
    onMutate: () => setRetry(null),
    onSuccess: () => {
      onSignedIn();
      return utils.admin.invalidate();
    },
    onError: (error) => {
      const seconds = retryAfterSecondsOf(error);
      if (seconds !== undefined) setRetry({ at: Date.now() + seconds * 1000, seconds });
    },
  });
  // The alert changes twice (the wait, then "now"), not every second: a screen reader reads each change.
  const waiting = retry !== null && now < retry.at;
  const errorText =
    retry === null
      ? login.error && message(login.error)
      : waiting
        ? t('error.TOO_MANY_REQUESTS_wait', { seconds: retry.seconds, time: clockTime(retry.at) })
        : t('error.TOO_MANY_REQUESTS_now');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password) login.mutate(email.trim() ? { email: email.trim(), password } : { password });
  };
  return (
    <section aria-labelledby="sign-in-title" className="card operator-sign-in">
      <h1 id="sign-in-title">{t('admin.signIn.title')}</h1>
      <p className="muted">{t('admin.signIn.intro')}</p>
      <form onSubmit={submit}>
        <label htmlFor="operator-email">{t('admin.signIn.email')}</label>
        <input
          id="operator-email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-describedby="operator-email-hint"
        />
        <p id="operator-email-hint" className="muted field-hint">
          {t('admin.signIn.emailHint')}
        </p>
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
        <button type="submit" className="button-primary" disabled={login.isPending || waiting}>
          {t('admin.signIn.submit')}
        </button>
      </form>
      {login.error && (
        <p id="sign-in-error" className="notice notice-error" role="alert">
          {errorText}
        </p>
      )}
    </section>
  );
}

function SignOut({ onSignedOut }: { onSignedOut: () => void }) {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  const logout = trpc.admin.logout.useMutation({
    onSuccess: () => {
      onSignedOut();
      void utils.admin.me.reset();
      void utils.admin.sale.list.reset();
    },
  });
  return (
    <button type="button" className="link-button" onClick={() => logout.mutate()} disabled={logout.isPending}>
      {t('admin.signOut')}
    </button>
  );
}

type Operator = inferRouterOutputs<AppRouter>['admin']['me'];
const OperatorContext = createContext<Operator | null>(null);

/** Who is signed in to the console (inside OperatorConsole's signed-in pages). */
export function useOperator(): Operator {
  const operator = useContext(OperatorContext);
  if (!operator) throw new Error('useOperator outside a signed-in console');
  return operator;
}

const RANK = { owner: 0, manager: 1, door: 2 } as const;
/** The id of the OPERATOR_PASSWORD sign-in (server/admin/roles.ts BUILT_IN_OWNER). */
export const BUILT_IN_OWNER_ID = 'owner';
/** Whether `operator` may use what needs `role` (the server's rule, server/admin/roles.ts, decides; this only hides). */
export const mayUse = (operator: Operator, role: Operator['role']) => RANK[operator.role] <= RANK[role];

/** Pages of the console that need no sign-in: the invitation. */
const OPEN_PAGES = ['/admin/invite'];

/**
 * The operator's console: its own header (the console, who is signed in and their role, sign-out and
 * the language; nothing of a fan's session) and the sign-in form until the operator cookie lets
 * `admin.me` answer. `signedInHint`: the request came with an operator cookie; without one the form
 * shows at once, without a call that could only be refused. Links a role cannot use are not shown.
 */
export function OperatorConsole({ signedInHint, children }: { signedInHint: boolean; children: ReactNode }) {
  const { t } = useI18n();
  const pathname = usePathname();
  const open = OPEN_PAGES.some((page) => pathname.startsWith(page));
  const [signedIn, setSignedIn] = useState(signedInHint);
  const me = trpc.admin.me.useQuery(undefined, { enabled: signedIn && !open });
  const showSignIn = !open && (!signedIn || reasonOf(me.error) === 'OPERATOR_REQUIRED');
  const operator = !showSignIn && !open && me.isSuccess ? me.data : null;
  return (
    <>
      <header className="site-header console-header">
        <div className="site-header-inner">
          <Link href="/admin" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            {t('admin.title')}
          </Link>
          {operator && (
            <nav aria-label={t('admin.nav')}>
              {mayUse(operator, 'manager') && <Link href="/admin">{t('admin.sales.title')}</Link>}
              {/* A page load, not a client-side move: the door's page alone may use the camera (next.config.mjs). */}
              <a href="/operator/tickets">{t('ticketcheck.title')}</a>
              {mayUse(operator, 'owner') && <Link href="/admin/audit">{t('admin.audit.title')}</Link>}
              {mayUse(operator, 'owner') && <Link href="/admin/operators">{t('admin.operators.title')}</Link>}
            </nav>
          )}
          <div className="header-tools">
            {operator && (
              <>
                <span className="whoami">
                  {operator.id === BUILT_IN_OWNER_ID
                    ? t('admin.builtInOwner')
                    : t('admin.signedInAs', { name: operator.name, role: t(`admin.role.${operator.role}`) })}
                </span>
                <SignOut onSignedOut={() => setSignedIn(false)} />
              </>
            )}
            <LanguageSwitch />
          </div>
        </div>
      </header>
      <FocusOnNavigation />
      <main className="page operator-console" id="main" tabIndex={-1}>
        {open ? (
          children
        ) : showSignIn ? (
          <SignIn onSignedIn={() => setSignedIn(true)} />
        ) : me.isPending ? (
          <Loading />
        ) : me.error ? (
          <ErrorNotice error={me.error} onRetry={() => void me.refetch()} />
        ) : (
          <OperatorContext.Provider value={me.data}>{children}</OperatorContext.Provider>
        )}
      </main>
    </>
  );
}
