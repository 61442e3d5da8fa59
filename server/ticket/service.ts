import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { concerts, orders, reservations, schedules, seats, users } from '@/db/schema';
import { seatLabel } from '@/server/concert/service';
import type { Config } from '@/server/env';
import { normalizeBookingCode } from '@/server/order/booking-code';
import { verifyTicketReference } from './reference';

export type TicketCheck =
  | { status: 'unknown' }
  | {
      status: 'valid' | 'refunded';
      holderName: string;
      concertTitle: string;
      startsAt: string;
      seats: { seatId: number; label: string }[];
    };

/**
 * What a ticket is worth at the door: `code` is a booking code as typed (any case, dashes optional)
 * or the signed reference a ticket's QR code encodes. A paid order is `valid`, a refunded one
 * `refunded`; anything else (a forged reference, a code nobody was given) is `unknown`.
 */
export async function verifyTicket(db: DbOrTx, config: Config, { code }: { code: string }): Promise<TicketCheck> {
  const bookingCode = code.includes('.') ? verifyTicketReference(config.SESSION_SECRET, code) : normalizeBookingCode(code);
  if (!bookingCode) return { status: 'unknown' };
  const [order] = await db
    .select({
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
  if (!order || (order.status !== 'confirmed' && order.status !== 'refunded')) return { status: 'unknown' };
  return {
    status: order.status === 'confirmed' ? 'valid' : 'refunded',
    holderName: order.holderName,
    concertTitle: order.concertTitle,
    startsAt: order.startsAt.toISOString(),
    seats: (order.seats ?? []).map((s) => ({ seatId: s.seatId, label: seatLabel(s) })),
  };
}
