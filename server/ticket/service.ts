import { eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { concerts, orders, reservations, schedules, seats, users } from '@/db/schema';
import { seatLabel } from '@/server/concert/service';
import type { Attribution } from '@/server/audit/actor';
import { recordAudit } from '@/server/audit/record';
import type { Config } from '@/server/env';
import { normalizeBookingCode } from '@/server/order/booking-code';
import { doorTicketOf, scannedTicket, type DoorTicket } from './door';
import { isTicketQr, normalizeTicketReference } from './qr';
import { readTickets } from './read';
import { verifyTicketReference } from './reference';

export type TicketCheck =
  | { status: 'unknown' }
  | {
      status: 'valid' | 'refunded';
      holderName: string;
      concertTitle: string;
      startsAt: string;
      seats: { seatId: number; label: string }[];
      /** The order's tickets, one per seat, each with its holder, state and entry. */
      tickets: DoorTicket[];
    };

/**
 * The booking code a typed code, an order's old QR (T1), a ticket's QR (T2) or a ticket reference
 * names, and the ticket's reference when it names one ticket.
 */
function namedBy(config: Config, code: string): { bookingCode: string; reference?: string } | null {
  const ofTicket = (reference: string) => ({ bookingCode: reference.replace(/-\d+$/, ''), reference });
  if (isTicketQr(code)) {
    const scanned = scannedTicket(config.SESSION_SECRET, { qr: code });
    return 'reference' in scanned ? ofTicket(scanned.reference!) : null;
  }
  if (code.includes('.')) {
    const bookingCode = verifyTicketReference(config.SESSION_SECRET, code);
    return bookingCode ? { bookingCode } : null;
  }
  const reference = normalizeTicketReference(code);
  if (reference) return ofTicket(reference);
  const bookingCode = normalizeBookingCode(code);
  return bookingCode ? { bookingCode } : null;
}

/**
 * `ticket.verify`, the door check: what a ticket is worth (checkTicket), and an audit entry of who
 * checked which code with what answer, in one transaction.
 */
export async function verifyTicket(db: Db, config: Config, { code }: { code: string }, by: Attribution): Promise<TicketCheck> {
  return db.transaction(async (tx) => {
    const { check, bookingCode, concertId } = await checkTicket(tx, config, { code });
    await recordAudit(tx, by, { action: 'ticket.verify', concertId, target: bookingCode ?? code, after: { status: check.status } });
    return check;
  });
}

/**
 * What an order's tickets are worth: `code` is a booking code as typed (any case, dashes optional),
 * a ticket reference, a ticket's QR payload, or the signed reference an order's old QR encodes. A paid order is `valid`, a refunded one
 * `refunded`; anything else (a forged reference, a code nobody was given) is `unknown`. Beside the
 * answer: the booking code it named and its concert, when known.
 */
export async function checkTicket(
  db: DbOrTx,
  config: Config,
  { code }: { code: string },
): Promise<{ check: TicketCheck; bookingCode: string | null; concertId: number | null }> {
  const named = namedBy(config, code);
  const bookingCode = named?.bookingCode;
  if (!bookingCode) return { check: { status: 'unknown' }, bookingCode: null, concertId: null };
  const [order] = await db
    .select({
      concertId: concerts.id,
      status: orders.status,
      holderName: users.name,
      concertTitle: concerts.title,
      startsAt: schedules.startsAt,
      seats: sql<{ seatId: number; section: string; row: string; number: number }[]>`(
        SELECT json_agg(json_build_object('seatId', ${seats.id}, 'section', ${seats.section}, 'row', ${seats.row}, 'number', ${seats.number})
          ORDER BY ${seats.id})
        FROM ${reservations} JOIN ${seats} ON ${seats.id} = ${reservations.seatId}
        WHERE ${reservations.orderId} = ${orders.id})`,
    })
    .from(orders)
    .innerJoin(users, eq(users.id, orders.userId))
    .innerJoin(schedules, eq(schedules.id, orders.scheduleId))
    .innerJoin(concerts, eq(concerts.id, schedules.concertId))
    .where(eq(orders.bookingCode, bookingCode));
  if (!order || (order.status !== 'confirmed' && order.status !== 'refunded')) {
    return { check: { status: 'unknown' }, bookingCode, concertId: order?.concertId ?? null };
  }
  const tickets = (await readTickets(db, sql`o.booking_code = ${bookingCode}`)).map(doorTicketOf);
  // A code naming one ticket is answered for that ticket: it may be live (passed on) in a refunded order.
  const ticket = tickets.find((t) => t.reference === named.reference);
  if (named.reference && !ticket) return { check: { status: 'unknown' }, bookingCode, concertId: order.concertId };
  return {
    check: {
      status: (ticket ? ticket.state !== 'refunded' : order.status === 'confirmed') ? 'valid' : 'refunded',
      holderName: ticket?.holderName ?? order.holderName,
      concertTitle: order.concertTitle,
      startsAt: order.startsAt.toISOString(),
      seats: (order.seats ?? []).map((s) => ({ seatId: s.seatId, label: seatLabel(s) })),
      tickets,
    },
    bookingCode,
    concertId: order.concertId,
  };
}
