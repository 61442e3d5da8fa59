'use client';

import QRCode from 'qrcode';
import Link from 'next/link';
import { formatWon, useI18n } from '@/app/_i18n/provider';
import { waitingRoomFor } from './use-queue-guard';

export interface TicketFacts {
  bookingCode: string;
  concertTitle: string;
  venue: string;
  startsAt: string;
  seats: { seatId: number; label: string; price: number }[];
  total: number;
  ticketRef: string | null;
  status: string;
}

/** A QR code drawn as one SVG path (no image URL, so the page's CSP stays strict). */
function QrCode({ text, alt }: { text: string; alt: string }) {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const quiet = 4;
  let path = '';
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (data[y * size + x]) path += `M${x + quiet} ${y + quiet}h1v1h-1z`;
  const side = size + quiet * 2;
  return (
    <svg className="qr" role="img" aria-label={alt} viewBox={`0 0 ${side} ${side}`} shapeRendering="crispEdges">
      <rect width={side} height={side} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

/** The ticket as a fan shows it at the door: booking code, show, seats, amount and the QR code. */
export function TicketView({ ticket, headingLevel = 2 }: { ticket: TicketFacts; headingLevel?: 1 | 2 }) {
  const { t, formatDateTime } = useI18n();
  const Heading = headingLevel === 1 ? 'h1' : 'h2';
  const refunded = ticket.status === 'refunded';
  return (
    <article className={`ticket-card${refunded ? ' ticket-card-void' : ''}`} aria-labelledby="ticket-heading">
      <div className="ticket-body">
        <p className="eyebrow">{t('ticket.title')}</p>
        <Heading id="ticket-heading" tabIndex={-1} className="ticket-concert">
          {ticket.concertTitle}
        </Heading>
        <dl className="ticket-facts">
          <div>
            <dt>{t('ticket.code')}</dt>
            <dd className="booking-code" data-testid="booking-code">
              {ticket.bookingCode}
            </dd>
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
            <dt>{t('order.seats')}</dt>
            <dd>{ticket.seats.map((s) => s.label).join(', ')}</dd>
          </div>
          <div>
            <dt>{t('ticket.amount')}</dt>
            <dd>{formatWon(ticket.total)}</dd>
          </div>
        </dl>
        {refunded && (
          <p className="notice notice-warning" role="status">
            {t('ticket.refunded')}
          </p>
        )}
      </div>
      {ticket.ticketRef && !refunded && (
        <div className="ticket-stub">
          <QrCode text={ticket.ticketRef} alt={t('ticket.qrAlt', { code: ticket.bookingCode })} />
          <p className="muted">{t('ticket.qrHint')}</p>
        </div>
      )}
    </article>
  );
}

/**
 * Where to go after seeing a ticket. `concertId`: the concert just bought for, whose line the fan may
 * join again on purpose (the purchase ended the turn).
 */
export function TicketNextSteps({ concertId }: { concertId?: number }) {
  const { t } = useI18n();
  return (
    <div className="actions">
      <Link className="button-primary" href="/reservations">
        {t('ticket.all')}
      </Link>
      {concertId !== undefined && <Link href={waitingRoomFor(`/concerts/${concertId}`, concertId)}>{t('turnEnded.buyMore')}</Link>}
      <Link href="/">{t('ticket.more')}</Link>
    </div>
  );
}
