'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useI18n } from '@/app/_i18n/provider';
import type { OutboxSummary } from '@/server/mail/outbox-reader';
import { SentAt } from './sent-at';

/** The outbox's messages, newest first: subject (opens it), recipient, time. */
export function OutboxList({ messages }: { messages: OutboxSummary[] }) {
  const { t } = useI18n();
  const router = useRouter();
  return (
    <section aria-labelledby="page-title">
      <div className="hero">
        <p className="eyebrow">{t('outbox.eyebrow')}</p>
        <h1 id="page-title" tabIndex={-1}>
          {t('outbox.title')}
        </h1>
        <p>{t('outbox.intro')}</p>
      </div>
      <div className="actions outbox-actions">
        <button type="button" onClick={() => router.refresh()}>
          {t('outbox.refresh')}
        </button>
        <span className="muted small" aria-live="polite">
          {messages.length === 1 ? t('outbox.countOne') : t('outbox.count', { count: messages.length })}
        </span>
      </div>
      {messages.length === 0 ? (
        <p className="empty">{t('outbox.empty')}</p>
      ) : (
        <ol className="outbox-list">
          {messages.map((m) => (
            <li key={m.id} className="card outbox-item">
              <Link className="outbox-subject" href={`/dev/outbox/${m.id}`}>
                {m.subject || t('outbox.noSubject')}
              </Link>
              <span className="outbox-meta muted small">
                <span>
                  {t('outbox.to')} {m.to}
                </span>
                <SentAt iso={m.sentAt} />
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
