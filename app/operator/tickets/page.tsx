'use client';

import { OperatorSignIn } from '@/app/_components/operator-sign-in';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';
import { Door } from './_components/door';

/** Roles that may undo an entry (the server's rule decides; this only hides the button from the door role). */
const UNDOES = new Set(['owner', 'manager']);

/** The door's page: operators (door role and up) sign in here, then let fans in. */
export default function DoorPage() {
  const { t } = useI18n();
  const utils = trpc.useUtils();
  const me = trpc.admin.me.useQuery(undefined, { retry: false });
  const reason = reasonOf(me.error);
  return (
    <section aria-labelledby="page-title" className="door-page">
      <h1 id="page-title" tabIndex={-1}>
        {t('door.title')}
      </h1>
      <p className="muted">{t('door.intro')}</p>
      {me.isPending ? (
        <Loading />
      ) : reason === 'OPERATOR_REQUIRED' || reason === 'FORBIDDEN' ? (
        <OperatorSignIn onSignedIn={() => void utils.admin.me.invalidate()} />
      ) : me.error ? (
        <ErrorNotice error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        <Door canUndo={UNDOES.has(me.data.role)} />
      )}
    </section>
  );
}
