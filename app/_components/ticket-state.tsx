'use client';

import { useI18n } from '@/app/_i18n/provider';
import './ticket-state.css';
import type { TicketSummary } from './ticket-types';

/** A ticket's state in a few words: "Valid", "Offered to mina@example.com", "Used 19:02, gate A"… */
export function useTicketStateText() {
  const { t, formatDateTime } = useI18n();
  return (ticket: TicketSummary): string => {
    switch (ticket.state) {
      case 'valid':
        return t('tickets.state.valid');
      case 'offered':
        return ticket.transfer ? t('tickets.state.offeredTo', { email: ticket.transfer.toEmail }) : t('tickets.state.offered');
      case 'used':
        return ticket.entry
          ? t('tickets.state.usedAt', { time: formatDateTime(ticket.entry.at), gate: ticket.entry.gate })
          : t('tickets.state.used');
      case 'transferred':
        // The new holder's name: what the giver knows them by.
        return t('tickets.state.given', { name: ticket.holderName });
      case 'refunded':
        return t('tickets.state.refunded');
    }
  };
}

/** The state as a badge (its colour says the same as its words). */
export function TicketStateBadge({ ticket }: { ticket: TicketSummary }) {
  const text = useTicketStateText();
  return <span className={`badge ticket-state ticket-state-${ticket.state}`}>{text(ticket)}</span>;
}
