'use client';

import { useEffect, useState, type ReactNode } from 'react';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';
import { useErrorMessage } from './use-error-message';

/** Cookies are off: say so once, instead of starting a session that can never stick. */
function CookiesNeeded() {
  const { t } = useI18n();
  return (
    <section className="card checkout" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('cookies.title')}
      </h1>
      <p>{t('cookies.body')}</p>
      <button type="button" className="button-primary" onClick={() => location.reload()}>
        {t('cookies.reload')}
      </button>
    </section>
  );
}

/**
 * Gives every visitor a guest session without a form, then shows the page. The new session is read
 * back once: when the browser dropped its cookie (cookies blocked), the page says cookies are needed.
 * `hasSession`: the request came with a session cookie. Without one, asking who it is could only be
 * refused, so a session is started at once instead.
 */
export function SessionGate({ hasSession, children }: { hasSession: boolean; children: ReactNode }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const me = trpc.session.me.useQuery(undefined, {
    enabled: hasSession,
    staleTime: Infinity,
    retry: (count, error) => reasonOf(error) !== 'SESSION_REQUIRED' && count < 2,
  });
  const [cookiesOff, setCookiesOff] = useState(false);
  const start = trpc.session.start.useMutation({
    onSuccess: async (user) => {
      try {
        await utils.client.session.me.query();
        utils.session.me.setData(undefined, user);
      } catch (error) {
        if (reasonOf(error) === 'SESSION_REQUIRED') setCookiesOff(true);
        else utils.session.me.setData(undefined, user);
      }
    },
  });
  const needsSession = !hasSession ? !me.data : reasonOf(me.error) === 'SESSION_REQUIRED';

  useEffect(() => {
    if (!navigator.cookieEnabled) setCookiesOff(true);
    else if (needsSession && start.isIdle) start.mutate(undefined);
  }, [needsSession, start]);

  if (cookiesOff) return <CookiesNeeded />;
  if (me.data) return <>{children}</>;
  const error = start.error ?? (needsSession ? null : me.error);
  if (error) {
    return (
      <div className="notice notice-error" role="alert">
        {message(error)}{' '}
        <button type="button" className="link-button" onClick={() => location.reload()}>
          {t('retry')}
        </button>
      </div>
    );
  }
  return (
    <p className="muted" aria-busy="true">
      {t('loading')}
    </p>
  );
}
