'use client';

import Link from 'next/link';
import './ticket-links.css';
import { useI18n } from '@/app/_i18n/provider';
import { TicketStateBadge } from './ticket-state';
import { ticketPath, type TicketSummary } from './ticket-types';

/** An order's tickets, one a seat: the seat, its state and the way to its own page (and QR code). */
export function TicketLinks({ tickets }: { tickets: TicketSummary[] }) {
  const { t } = useI18n();
  return (
    <ul className="ticket-links" aria-label={t('tickets.list')}>
      {tickets.map((ticket) => (
        <li key={ticket.reference}>
          <Link href={ticketPath(ticket.reference)} aria-label={t('tickets.openSeat', { seat: ticket.seat })}>
            <span className="ticket-links-seat">{ticket.seat}</span>
          </Link>
          <TicketStateBadge ticket={ticket} />
        </li>
      ))}
    </ul>
  );
}
