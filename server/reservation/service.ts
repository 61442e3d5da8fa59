import { and, desc, eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { concerts, payments, reservations, schedules, seats } from '@/db/schema';
import { seatLabel } from '@/server/concert/service';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { cancelOrderIn, seatsBackOnSale } from '@/server/order/cancel';
import { holdSeats } from '@/server/order/hold';
import type { ActiveToken } from '@/server/queue/active-turn';
import { clockTime } from '@/server/clock';
import { effectiveStatus } from './rules';

const isoOf = (d: Date) => d.toISOString();

/**
 * Holds one seat: a one-seat order (server/order/hold.ts `holdSeats`, which documents the locks and
 * the limits), answered as before orders. Holding a seat the caller already holds returns that hold,
 * even inside a bigger order.
 */
export async function holdSeat(db: Db, config: Config, { userId, token, seatId }: { userId: string; token: ActiveToken; seatId: number }) {
  const order = await holdSeats(db, config, { userId, token, seatIds: [seatId], ownSeatInBiggerOrder: 'return' });
  const seat = order.seats.find((s) => s.seatId === seatId)!;
  return { reservationId: seat.reservationId, seatId, price: seat.price, heldUntil: order.heldUntil };
}

export type ReservationView = Awaited<ReturnType<typeof listReservations>>[number];

/** The user's reservations, newest first, with holds that ran out shown as expired. */
export async function listReservations(db: DbOrTx, { userId }: { userId: string }) {
  const rows = await db
    .select({
      reservationId: reservations.id,
      orderId: reservations.orderId,
      status: reservations.status,
      now: clockTime(),
      price: reservations.price,
      heldUntil: reservations.heldUntil,
      createdAt: reservations.createdAt,
      seatId: seats.id,
      section: seats.section,
      row: seats.row,
      number: seats.number,
      scheduleId: schedules.id,
      startsAt: schedules.startsAt,
      concertId: concerts.id,
      concertTitle: concerts.title,
      venue: concerts.venue,
      paymentId: payments.id,
    })
    .from(reservations)
    .innerJoin(seats, eq(seats.id, reservations.seatId))
    .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
    .innerJoin(concerts, eq(concerts.id, schedules.concertId))
    .leftJoin(payments, eq(payments.orderId, reservations.orderId))
    .where(eq(reservations.userId, userId))
    .orderBy(desc(reservations.id));
  return rows.map(({ now, section, row, number, startsAt, heldUntil, createdAt, ...r }) => ({
    ...r,
    status: effectiveStatus({ status: r.status, heldUntil }, now),
    section,
    row,
    number,
    label: seatLabel({ section, row, number }),
    startsAt: isoOf(startsAt),
    heldUntil: isoOf(heldUntil),
    createdAt: isoOf(createdAt),
  }));
}

/** The order a reservation of the caller's belongs to; anyone else's is NOT_FOUND. */
export async function orderOfReservation(
  db: DbOrTx,
  { userId, reservationId }: { userId: string; reservationId: number },
): Promise<number> {
  const [found] = await db
    .select({ orderId: reservations.orderId })
    .from(reservations)
    .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
    .where(and(eq(reservations.id, reservationId), eq(reservations.userId, userId)));
  if (!found) throw new DomainError('NOT_FOUND', 'There is no such reservation.');
  return found.orderId;
}

/**
 * Releases a hold: the order the reservation belongs to (all its seats; a reservation.hold order has
 * one). Cancelling again is harmless; a paid ticket can't be cancelled here (order.cancel refunds it).
 */
export async function cancelHold(db: Db, config: Config, { userId, reservationId }: { userId: string; reservationId: number }) {
  const { orderId, status } = await db.transaction(async (tx) => {
    const orderId = await orderOfReservation(tx, { userId, reservationId });
    const { status } = await cancelOrderIn(tx, config, { userId, orderId, refund: false });
    return { orderId, status };
  });
  // A released seat shows as free, and may let a line that stopped for want of seats admit again.
  if (status === 'cancelled') await seatsBackOnSale(db, { userId, orderId });
  // A refunded ticket's reservation reads as cancelled: reservation statuses are unchanged.
  return { reservationId, status: status === 'refunded' ? ('cancelled' as const) : status };
}
