'use client';

import { useMemo } from 'react';
import { useI18n } from '@/app/_i18n/provider';
import type { MessageKey } from '@/app/_i18n/messages';
import type { AuditEntry } from '@/server/audit/list';
import { BUILT_IN_OPERATOR_ID } from '@/server/shared/audit-actions';

const SHOW_TIME_ZONE = 'Asia/Seoul';
/** The values an entry shows as a change, in this order; a created concert shows these of its `after`. */
const FIELDS = [
  'state',
  'paused',
  'maxActive',
  'turnSeconds',
  'audience',
  'joinDifficulty',
  'joinSurgePerSecond',
  'prequeueOpensAt',
  'opensAt',
  'closedReason',
  'status',
  'role',
  'ended',
] as const;
type Field = (typeof FIELDS)[number];
const CREATED_FIELDS = ['artist', 'venue', 'dates', 'prequeueOpensAt', 'opensAt', 'maxActive', 'turnSeconds', 'audience'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function useFormat() {
  const { t, locale, formatDateTime } = useI18n();
  return useMemo(() => {
    const stamp = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'medium',
      hourCycle: 'h23',
      timeZone: SHOW_TIME_ZONE,
    });
    const value = (field: string, v: unknown): string => {
      if (field === 'closedReason' && v === null) return t('admin.audit.no');
      if (field === 'joinSurgePerSecond' && v === null) return t('admin.audit.noRise');
      if (v === null || v === undefined) return t('admin.audit.none');
      if (field === 'state') return t(`admin.state.${v as 'open'}`);
      if (field === 'closedReason') return t(`admin.audit.closed.${v as 'closed'}`);
      if (field === 'status') return t(`admin.audit.status.${v as 'valid'}`);
      if (field === 'audience') return t(`admin.audience.${v as 'everyone'}`);
      if (field === 'turnSeconds') return t('admin.audit.seconds', { seconds: Number(v) });
      if (field === 'prequeueOpensAt' || field === 'opensAt') return formatDateTime(String(v));
      if (field === 'dates' && Array.isArray(v)) return v.map((d) => formatDateTime(String(d))).join('; ');
      if (typeof v === 'boolean') return t(v ? 'admin.audit.yes' : 'admin.audit.no');
      if (typeof v === 'number') return v.toLocaleString();
      return typeof v === 'string' ? v : JSON.stringify(v);
    };
    return {
      when: (iso: string) => (locale === 'en' ? `${stamp.format(new Date(iso))} KST` : stamp.format(new Date(iso))),
      who: (entry: AuditEntry) => (entry.actor.id === BUILT_IN_OPERATOR_ID ? t('admin.audit.builtInOperator') : entry.actor.name),
      what: (entry: AuditEntry) => t(`admin.audit.action.${entry.action}` as MessageKey),
      label: (field: string) => t(`admin.audit.field.${field}` as MessageKey),
      value,
    };
  }, [t, locale, formatDateTime]);
}

/** What an entry changed, as field: before → after lines (a created concert: its values; a door check: its answer). */
function Changes({ entry }: { entry: AuditEntry }) {
  const { t } = useI18n();
  const f = useFormat();
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  if (entry.action === 'admin.concert.create') {
    return (
      <ul className="audit-changes">
        {CREATED_FIELDS.filter((k) => k in after).map((k) => (
          <li key={k}>
            {f.label(k)}: {f.value(k, after[k])}
          </li>
        ))}
      </ul>
    );
  }
  if (entry.before === null) {
    const shown = FIELDS.filter((k) => k in after);
    return shown.length === 0 ? null : (
      <ul className="audit-changes">
        {shown.map((k) => (
          <li key={k}>
            {f.label(k)}: {f.value(k, after[k])}
          </li>
        ))}
      </ul>
    );
  }
  const changed = FIELDS.filter((k: Field) => (k in before || k in after) && !same(before[k], after[k]));
  if (changed.length === 0) return <p className="audit-changes muted">{t('admin.audit.noChange')}</p>;
  return (
    <ul className="audit-changes">
      {changed.map((k) => (
        <li key={k}>
          {f.label(k)}: {f.value(k, before[k])} → <strong>{f.value(k, after[k])}</strong>
        </li>
      ))}
    </ul>
  );
}

/** Audit entries as a list: who did what to what, when, and what it changed. */
export function AuditEntries({ entries, showTarget = true }: { entries: AuditEntry[]; showTarget?: boolean }) {
  const { t } = useI18n();
  const f = useFormat();
  return (
    <ol className="audit-list">
      {entries.map((entry) => (
        <li key={entry.id} className="audit-entry">
          <p className="audit-head">
            <strong>{t('admin.audit.entry', { who: f.who(entry), what: f.what(entry) })}</strong>
            {showTarget && entry.action !== 'admin.login' && entry.action !== 'admin.logout' && (
              <span className="audit-target"> · {entry.target}</span>
            )}
          </p>
          <p className="muted audit-when">
            <time dateTime={entry.at}>{f.when(entry.at)}</time>
          </p>
          <Changes entry={entry} />
        </li>
      ))}
    </ol>
  );
}
