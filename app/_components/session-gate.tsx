'use client';

import { useEffect, type ReactNode } from 'react';
import { useI18n } from '../_i18n/provider';
import { trpc } from '../_trpc/client';
import { reasonOf } from '../_trpc/errors';
import { useErrorMessage } from './use-error-message';

/** Gives every visitor a guest session without a form, then shows the page. */
export function SessionGate({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const me = trpc.session.me.useQuery(undefined, { staleTime: Infinity });
  const start = trpc.session.start.useMutation({ onSuccess: (user) => utils.session.me.setData(undefined, user) });
  const needsSession = reasonOf(me.error) === 'SESSION_REQUIRED';

  useEffect(() => {
    if (needsSession && start.isIdle) start.mutate(undefined);
  }, [needsSession, start]);

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
