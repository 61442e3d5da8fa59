'use client';

import { useRef, useState, type FormEvent } from 'react';
import type { inferRouterOutputs } from '@trpc/server';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import type { AppRouter } from '@/server/trpc/root';
import { mayUse, useOperator } from '../_components/operator-console';

type Entry = inferRouterOutputs<AppRouter>['admin']['operator']['list']['operators'][number];
type Role = Entry['role'];
const ROLES: Role[] = ['owner', 'manager', 'door'];

/** The owner's page: who may use the console, their roles and sessions, and invitations. */
export default function OperatorsPage() {
  const { t } = useI18n();
  const operator = useOperator();
  if (!mayUse(operator, 'owner')) {
    return (
      <p className="notice notice-error" role="alert">
        {t('error.OPERATOR_ROLE_REQUIRED')}
      </p>
    );
  }
  return (
    <section aria-labelledby="operators-title" className="operators">
      <div className="admin-heading">
        <h1 id="operators-title">{t('admin.operators.title')}</h1>
      </div>
      <p className="muted">{t('admin.operators.intro')}</p>
      <OperatorList />
      <InviteForm />
    </section>
  );
}

function OperatorList() {
  const { t, formatDateTime } = useI18n();
  const list = trpc.admin.operator.list.useQuery();
  if (list.isPending) return <Loading />;
  if (list.error) return <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <>
      <ul className="operator-list">
        {list.data.operators.map((entry) => (
          <OperatorItem key={entry.operatorId} entry={entry} />
        ))}
      </ul>
      {list.data.invitations.length > 0 && (
        <>
          <h2>{t('admin.invite.pending')}</h2>
          <ul className="pending-invitations">
            {list.data.invitations.map((i) => (
              <li key={i.invitationId}>
                {t('admin.invite.pendingItem', { email: i.email, role: t(`admin.role.${i.role}`), time: formatDateTime(i.expiresAt) })}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function OperatorItem({ entry }: { entry: Entry }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const refresh = () => void utils.admin.operator.list.invalidate();
  const [role, setRole] = useState<Role>(entry.role);
  const [status, setStatus] = useState<string | null>(null);
  const setRoleOf = trpc.admin.operator.setRole.useMutation({ onSuccess: () => (setStatus(t('admin.operators.saved')), refresh()) });
  const endSessions = trpc.admin.operator.endSessions.useMutation({
    onSuccess: ({ ended }) => (setStatus(t('admin.operators.ended', { count: ended })), refresh()),
  });
  const remove = trpc.admin.operator.remove.useMutation({ onSuccess: refresh });
  const dialog = useRef<HTMLDialogElement>(null);
  const error = setRoleOf.error ?? endSessions.error ?? remove.error;
  const id = `operator-${entry.operatorId}`;
  return (
    <li className="card operator-item" aria-labelledby={`${id}-name`}>
      <div>
        <h2 id={`${id}-name`}>
          {entry.builtIn ? t('admin.builtInOwner') : entry.name} <span className="badge">{t(`admin.role.${entry.role}`)}</span>
        </h2>
        <p className="muted">{entry.builtIn ? t('admin.operators.builtIn') : entry.email}</p>
        <p className="muted">{t('admin.operators.sessions', { count: entry.sessions })}</p>
      </div>
      <div className="operator-actions">
        {!entry.builtIn && (
          <form
            className="field-row"
            onSubmit={(event) => {
              event.preventDefault();
              setRoleOf.mutate({ operatorId: entry.operatorId, role });
            }}
          >
            <div className="field">
              <label htmlFor={`${id}-role`}>{t('admin.operators.roleOf', { name: entry.name })}</label>
              <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`admin.role.${r}`)}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="submit"
              disabled={setRoleOf.isPending || role === entry.role}
              aria-label={t('admin.operators.saveRoleOf', { name: entry.name })}
            >
              {t('admin.operators.saveRole')}
            </button>
          </form>
        )}
        <div className="actions">
          <button
            type="button"
            disabled={endSessions.isPending || entry.sessions === 0}
            onClick={() => endSessions.mutate({ operatorId: entry.operatorId })}
            aria-label={t('admin.operators.endSessionsOf', { name: entry.name })}
          >
            {t('admin.operators.endSessions')}
          </button>
          {!entry.builtIn && (
            <button
              type="button"
              className="button-danger"
              onClick={() => dialog.current?.showModal()}
              aria-label={t('admin.operators.removeOf', { name: entry.name })}
            >
              {t('admin.operators.remove')}
            </button>
          )}
        </div>
        {status && !error && (
          <p role="status" className="notice">
            {status}
          </p>
        )}
        {error && (
          <p role="alert" className="notice notice-error">
            {message(error)}
          </p>
        )}
      </div>
      {!entry.builtIn && (
        <dialog ref={dialog} aria-labelledby={`${id}-remove-title`} className="confirm-dialog">
          <h2 id={`${id}-remove-title`}>{t('admin.operators.removeConfirm', { name: entry.name })}</h2>
          <div className="actions">
            <button
              type="button"
              className="button-danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate({ operatorId: entry.operatorId }, { onSettled: () => dialog.current?.close() })}
            >
              {t('admin.operators.removeYes')}
            </button>
            <button type="button" autoFocus onClick={() => dialog.current?.close()}>
              {t('admin.operators.removeNo')}
            </button>
          </div>
        </dialog>
      )}
    </li>
  );
}

function InviteForm() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('door');
  const invite = trpc.admin.operator.invite.useMutation({
    onSuccess: () => {
      setEmail('');
      void utils.admin.operator.list.invalidate();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate({ email: email.trim(), role });
  };
  return (
    <form className="card invite-form" onSubmit={submit} aria-labelledby="invite-title">
      <h2 id="invite-title">{t('admin.invite.title')}</h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor="invite-email">{t('admin.invite.email')}</label>
          <input id="invite-email" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="invite-role">{t('admin.invite.role')}</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby="invite-role-desc">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`admin.role.${r}`)}
              </option>
            ))}
          </select>
          <p id="invite-role-desc" className="muted field-hint">
            {t(`admin.role.${role}Desc`)}
          </p>
        </div>
        <button type="submit" className="button-primary" disabled={invite.isPending}>
          {t('admin.invite.submit')}
        </button>
      </div>
      {invite.isSuccess && (
        <p role="status" className="notice">
          {t('admin.invite.sent', { email: invite.data.email })}
        </p>
      )}
      {invite.error && (
        <p role="alert" className="notice notice-error">
          {message(invite.error)}
        </p>
      )}
    </form>
  );
}
