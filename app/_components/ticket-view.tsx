'use client';

import Link from 'next/link';
import { formatWon, useI18n } from '@/app/_i18n/provider';
import { TicketLinks } from './ticket-links';
import type { TicketSummary } from './ticket-types';
import { waitingRoomFor } from './use-queue-guard';

export interface TicketFacts {
  bookingCode: string;
  concertTitle: string;
  venue: string;
  startsAt: string;
  seats: { seatId: number; label: string; price: number }[];
  total: number;
  status: string;
  /** One ticket a seat, each with its own page and QR code (order.get's `tickets`). */
  tickets?: TicketSummary[];
}

/**
 * A paid order: booking code, show, seats, amount, and its tickets, one a seat; each ticket's own page
 * has the QR code shown at the door (the order itself has none).
 */
export function TicketView({ ticket, headingLevel = 2 }: { ticket: TicketFacts; headingLevel?: 1 | 2 }) {
  const { t, formatDateTime } = useI18n();
  const Heading = headingLevel === 1 ? 'h1' : 'h2';
  const SubHeading = headingLevel === 1 ? 'h2' : 'h3';
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
        {ticket.tickets && ticket.tickets.length > 0 && (
          <div className="ticket-seats">
            <SubHeading className="eyebrow">{t('tickets.perSeat')}</SubHeading>
            <TicketLinks tickets={ticket.tickets} />
          </div>
        )}
      </div>
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
