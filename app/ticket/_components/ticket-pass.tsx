'use client';

import { QrCode } from '@/app/_components/qr-code';
import { TicketStateBadge } from '@/app/_components/ticket-state';
import type { TicketDetail } from '@/app/_components/ticket-types';
import { useI18n } from '@/app/_i18n/provider';
import { WhyNoQr } from './why-no-qr';

/** One seat's ticket as a fan shows it at the door: the QR code large, then what a steward reads. */
export function TicketPass({ ticket }: { ticket: TicketDetail }) {
  const { t, formatDateTime } = useI18n();
  return (
    <article className={`pass pass-${ticket.state}`} aria-labelledby="page-title">
      <p className="eyebrow">{t('tickets.eyebrow')}</p>
      <h1 id="page-title" tabIndex={-1} className="pass-concert">
        {ticket.concertTitle}
      </h1>
      <p className="pass-seat">
        <span className="visually-hidden">{t('tickets.seat')} </span>
        <span data-testid="ticket-seat">{ticket.seat}</span> <TicketStateBadge ticket={ticket} />
      </p>
      {ticket.qr ? (
        <div className="pass-qr">
          <QrCode className="qr-large" text={ticket.qr} alt={t('tickets.qrAlt', { seat: ticket.seat, reference: ticket.reference })} />
          <p className="small">{t('tickets.brightness')}</p>
        </div>
      ) : (
        <WhyNoQr ticket={ticket} />
      )}
      <dl className="ticket-facts pass-facts">
        <div>
          <dt>{t('tickets.seat')}</dt>
          <dd>{ticket.seat}</dd>
        </div>
        <div>
          <dt>{t('tickets.holder')}</dt>
          <dd data-testid="ticket-holder">{ticket.holderName}</dd>
        </div>
        <div>
          <dt>{t('ticket.when')}</dt>
          <dd>
            <time dateTime={ticket.startsAt}>{formatDateTime(ticket.startsAt, true)}</time>
          </dd>
        </div>
        <div>
          <dt>{t('ticket.venue')}</dt>
          <dd>{ticket.venue}</dd>
        </div>
        <div>
          <dt>{t('tickets.reference')}</dt>
          <dd className="booking-code" data-testid="ticket-reference">
            {ticket.reference}
          </dd>
        </div>
      </dl>
    </article>
  );
}
