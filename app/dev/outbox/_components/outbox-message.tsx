'use client';

import Link from 'next/link';
import { useI18n } from '@/app/_i18n/provider';
import type { OutboxMessage } from '@/server/mail/outbox-file';
import { LinkedText } from './linked-text';
import { SentAt } from './sent-at';

/** One message: its headers, then its text with the links clickable. The HTML version is not rendered. */
export function OutboxMessageView({ message }: { message: OutboxMessage }) {
  const { t } = useI18n();
  return (
    <article className="card outbox-message" aria-labelledby="page-title">
      <p>
        <Link href="/dev/outbox">
          <span aria-hidden="true">← </span>
          {t('outbox.back')}
        </Link>
      </p>
      <h1 id="page-title" tabIndex={-1}>
        {message.subject || t('outbox.noSubject')}
      </h1>
      <dl className="outbox-headers">
        <dt>{t('outbox.from')}</dt>
        <dd>{message.from}</dd>
        <dt>{t('outbox.to')}</dt>
        <dd>{message.to}</dd>
        <dt>{t('outbox.sentAt')}</dt>
        <dd>
          <SentAt iso={message.sentAt} />
        </dd>
      </dl>
      <LinkedText text={message.text} />
      {message.html !== undefined && <p className="muted small">{t('outbox.htmlNote')}</p>}
    </article>
  );
}
