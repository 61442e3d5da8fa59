'use client';

import { useState } from 'react';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useI18n } from '@/app/_i18n/provider';
import type { MessageKey } from '@/app/_i18n/messages';
import { trpc } from '@/app/_trpc/client';
import { AuditEntries } from '@/app/admin/_components/audit-entries';
import { AUDIT_ACTIONS, BUILT_IN_OPERATOR_ID, type AuditAction } from '@/server/shared/audit-actions';

const PAGE_SIZE = 50;

/** The whole audit log, newest first, filtered by operator and by action, a page at a time. */
export default function AuditLogPage() {
  const { t } = useI18n();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState<AuditAction | ''>('');
  const actors = trpc.admin.audit.actors.useQuery();
  const log = trpc.admin.audit.list.useInfiniteQuery(
    { limit: PAGE_SIZE, ...(actor && { actor }), ...(action && { action }) },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? [];
  const filtered = actor !== '' || action !== '';

  return (
    <section aria-labelledby="audit-title" className="audit-page">
      <h1 id="audit-title">{t('admin.audit.title')}</h1>
      <p className="muted">{t('admin.audit.intro')}</p>
      <form className="card audit-filters" aria-label={t('admin.audit.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="audit-operator">{t('admin.audit.operator')}</label>
          <select id="audit-operator" value={actor} onChange={(e) => setActor(e.target.value)}>
            <option value="">{t('admin.audit.anyOperator')}</option>
            {actors.data?.map((a) => (
              <option key={a.id} value={a.id}>
                {a.id === BUILT_IN_OPERATOR_ID ? t('admin.audit.builtInOperator') : a.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-action">{t('admin.audit.action')}</label>
          <select id="audit-action" value={action} onChange={(e) => setAction(e.target.value as AuditAction | '')}>
            <option value="">{t('admin.audit.anyAction')}</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`admin.audit.action.${a}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
      </form>
      {log.isPending ? (
        <Loading />
      ) : log.error ? (
        <ErrorNotice error={log.error} onRetry={() => void log.refetch()} />
      ) : entries.length === 0 ? (
        <p className="empty">{t(filtered ? 'admin.audit.emptyFiltered' : 'admin.audit.empty')}</p>
      ) : (
        <div className="card">
          <AuditEntries entries={entries} />
          {log.hasNextPage && (
            <button type="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
              {t('admin.audit.more')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
