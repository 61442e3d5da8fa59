'use client';

import type { TicketDetail } from '@/app/_components/ticket-types';
import { useI18n } from '@/app/_i18n/provider';

/** Why a ticket shows no QR code: refunded, given away, offered, used, or (the server's word) not now. */
export function WhyNoQr({ ticket }: { ticket: TicketDetail }) {
  const { t, formatDateTime } = useI18n();
  let text: string;
  if (ticket.state === 'refunded') text = t('tickets.noQr.refunded');
  else if (ticket.state === 'transferred') text = t('tickets.noQr.given', { name: ticket.holderName });
  else if (ticket.state === 'offered' && ticket.transfer)
    text = t('tickets.noQr.offered', { email: ticket.transfer.toEmail, time: formatDateTime(ticket.transfer.expiresAt) });
  else if (ticket.state === 'used' && ticket.entry)
    text = t('tickets.noQr.usedAt', { time: formatDateTime(ticket.entry.at), gate: ticket.entry.gate });
  else if (ticket.state === 'used') text = t('tickets.noQr.used');
  else text = t('tickets.noQr.other');
  return (
    <p className={`notice${ticket.state === 'offered' ? ' notice-warning' : ''} pass-no-qr`} role="status">
      {text}
    </p>
  );
}
