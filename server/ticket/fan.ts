import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { authUsers } from '@/db/schema';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { isPendingOffer, transferDeadline, type TicketState } from './rules';
import { readTickets, type TicketFacts } from './read';
import { ticketQr } from './qr';
import { ticketSigningKey } from './signing';
import { claimOffers } from './transfer';

/** A fan's tickets as their pages show them (docs/tickets-and-door.md "Procedures"). */

export interface TicketSummary {
  reference: string;
  seatId: number;
  seat: string;
  price: number;
  /** As the caller sees it: `transferred` when they gave it away. */
  state: TicketState | 'transferred';
  holderName: string;
  transfer: { toEmail: string; expiresAt: string } | null;
  entry: { at: string; gate: string } | null;
}

export interface TicketDetail extends TicketSummary {
  bookingCode: string;
  /** Null for a ticket someone passed to the caller: the order is the buyer's. */
  orderId: number | null;
  concertTitle: string;
  venue: string;
  startsAt: string;
  scheduleId: number;
  /** The QR payload to draw, while the caller holds the ticket and it can be let in. */
  qr: string | null;
  canTransfer: boolean;
  /** Until when it can be passed on. */
  transferUntil: string;
}

export interface TicketGroup {
  orderId: number | null;
  bookingCode: string;
  concertTitle: string;
  venue: string;
  startsAt: string;
  tickets: TicketSummary[];
}

type FanConfig = Pick<Config, 'SESSION_SECRET' | 'TRANSFER_CUTOFF_HOURS'>;

export function summaryOf(t: TicketFacts, userId: string): TicketSummary {
  const offer = isPendingOffer(t.offer, t.now) ? t.offer : null;
  return {
    reference: t.reference,
    seatId: t.seatId,
    seat: t.seat,
    price: t.price,
    state: t.holderId === userId ? t.state : 'transferred',
    holderName: t.holderName,
    transfer: t.holderId === userId && offer ? { toEmail: offer.toEmail, expiresAt: offer.expiresAt.toISOString() } : null,
    entry: t.entry ? { at: t.entry.at.toISOString(), gate: t.entry.gate } : null,
  };
}

function detailOf(config: FanConfig, t: TicketFacts, { userId, hasAccount }: { userId: string; hasAccount: boolean }): TicketDetail {
  const summary = summaryOf(t, userId);
  const transferUntil = transferDeadline(t.startsAt, config.TRANSFER_CUTOFF_HOURS);
  return {
    ...summary,
    bookingCode: t.bookingCode,
    orderId: t.buyerId === userId ? t.orderId : null,
    concertTitle: t.concertTitle,
    venue: t.venue,
    startsAt: t.startsAt.toISOString(),
    scheduleId: t.scheduleId,
    qr:
      summary.state === 'valid'
        ? ticketQr(ticketSigningKey(config.SESSION_SECRET), {
            reference: t.reference,
            serial: t.serial,
            scheduleId: t.scheduleId,
            seatId: t.seatId,
          })
        : null,
    canTransfer: hasAccount && summary.state === 'valid' && t.now < transferUntil,
    transferUntil: transferUntil.toISOString(),
  };
}

/** The tickets the caller holds, and those of their own orders they gave away, grouped by order (newest first). */
export async function myTickets(db: Db, { userId }: { userId: string }): Promise<TicketGroup[]> {
  await claimOffers(db, { userId });
  const rows = await readTickets(db, sql`(t.holder_id = ${userId} OR o.user_id = ${userId})`);
  const groups = new Map<number, TicketGroup>();
  for (const t of rows) {
    let group = groups.get(t.orderId);
    if (!group) {
      group = {
        orderId: t.buyerId === userId ? t.orderId : null,
        bookingCode: t.bookingCode,
        concertTitle: t.concertTitle,
        venue: t.venue,
        startsAt: t.startsAt.toISOString(),
        tickets: [],
      };
      groups.set(t.orderId, group);
    }
    group.tickets.push(summaryOf(t, userId));
  }
  return [...groups.values()];
}

/** One ticket the caller holds or gave away; anyone else's is NOT_FOUND. */
export async function myTicket(
  db: Db,
  config: FanConfig,
  { userId, reference }: { userId: string; reference: string },
): Promise<TicketDetail> {
  const [t] = await readTickets(db, sql`t.reference = ${reference} AND (t.holder_id = ${userId} OR o.user_id = ${userId})`);
  if (!t) throw new DomainError('NOT_FOUND', 'There is no such ticket among yours.');
  const [account] = await db.select({ id: authUsers.id }).from(authUsers).where(eq(authUsers.id, userId));
  return detailOf(config, t, { userId, hasAccount: account !== undefined });
}
