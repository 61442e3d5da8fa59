'use client';

import { TicketLinks } from '@/app/_components/ticket-links';
import type { TicketGroup } from '@/app/_components/ticket-types';
import { useI18n } from '@/app/_i18n/provider';

/** Tickets a friend passed on, from one of their orders: no money of the fan's is in them, so no refund here. */
export function ReceivedCard({ group }: { group: TicketGroup }) {
  const { t, formatDateTime } = useI18n();
  const headingId = `received-${group.bookingCode}`;
  return (
    <li className="card ticket ticket-received" aria-labelledby={headingId}>
      <div>
        <h3 id={headingId} className="ticket-seat">
          {group.concertTitle}
        </h3>
        <span className="badge badge-received">{t('tickets.received.badge')}</span>
      </div>
      <div className="muted">
        <time dateTime={group.startsAt}>{formatDateTime(group.startsAt, true)}</time> · {group.venue}
      </div>
      <TicketLinks tickets={group.tickets} />
      <p className="muted small">{t('tickets.received.note')}</p>
    </li>
  );
}
