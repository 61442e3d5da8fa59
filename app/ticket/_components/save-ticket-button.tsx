'use client';

import { useState } from 'react';
import type { TicketDetail } from '@/app/_components/ticket-types';
import { useI18n } from '@/app/_i18n/provider';
import { ticketImagePng } from './ticket-image';

/** "Save to phone": the ticket as a PNG (QR code, seat, show, holder, reference), downloaded by an `<a download>`. */
export function SaveTicketButton({ ticket, qr }: { ticket: TicketDetail; qr: string }) {
  const { t, formatDateTime } = useI18n();
  const [failed, setFailed] = useState(false);
  const save = async () => {
    setFailed(false);
    try {
      const png = await ticketImagePng(qr, {
        concert: ticket.concertTitle,
        when: formatDateTime(ticket.startsAt, true),
        venue: ticket.venue,
        seatLabel: t('tickets.seat'),
        seat: ticket.seat,
        holderLabel: t('tickets.holder'),
        holder: ticket.holderName,
        referenceLabel: t('tickets.reference'),
        reference: ticket.reference,
      });
      const url = URL.createObjectURL(png);
      const link = document.createElement('a');
      link.href = url;
      link.download = `ticket-${ticket.reference}.png`;
      document.body.append(link);
      link.click();
      link.remove();
      // The download has its own copy once it started; the next task is late enough.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch {
      setFailed(true);
    }
  };
  return (
    <div className="pass-save">
      <button type="button" onClick={() => void save()}>
        {t('tickets.save')}
      </button>
      <p className="muted small">{t('tickets.saveHint')}</p>
      {failed && (
        <p className="notice notice-error" role="alert">
          {t('tickets.saveFailed')}
        </p>
      )}
    </div>
  );
}
