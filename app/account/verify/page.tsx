'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { Suspense, useEffect } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { FormError } from '../_components/field';

/** The link of the verification mail: confirms the address once, on opening. */
function Verify() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const token = useSearchParams().get('token') ?? '';
  const utils = trpc.useUtils();
  const verify = trpc.account.verifyEmail.useMutation({ onSuccess: () => utils.session.me.invalidate() });
  useEffect(() => {
    if (verify.isIdle) verify.mutate({ token });
  }, [verify, token]);
  return (
    <section className="card account-card" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {t('account.verify.title')}
      </h1>
      {verify.isPending && <p aria-busy="true">{t('account.verify.working')}</p>}
      {verify.isSuccess && <p role="status">{t('account.verify.done')}</p>}
      <FormError text={verify.error && message(verify.error)} />
      <p className="account-links">
        <Link href="/account">{t('nav.account')}</Link>
      </p>
    </section>
  );
}

export default function VerifyPage() {
  return (
    <Suspense>
      <Verify />
    </Suspense>
  );
}
