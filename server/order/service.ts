import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '@/db/client';
import { concerts, orders, reservations, schedules, seats, type OrderStatus } from '@/db/schema';
import { seatLabel } from '@/server/concert/service';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { clockTime } from '@/server/clock';
import { effectiveStatus } from '@/server/reservation/rules';
import { summaryOf, type TicketSummary } from '@/server/ticket/fan';
import { readTickets } from '@/server/ticket/read';
import { ticketReference } from '@/server/ticket/reference';

/**
 * Orders: seats of one date held together (all or none), paid together (one payment, one ledger
 * entry, one booking code), refunded together. Every reservation belongs to an order; the single-seat
 * API (reservation.hold, payment.pay, reservation.cancel) is a one-seat order.
 *
 * hold.ts holds, pay.ts pays, cancel.ts releases and refunds; this module holds what they share (the
 * order and seat locks) and the order reads.
 *
 * Locks, in the documented order (db/schema.ts): users → orders → seats → reservations → wallets →
 * queue_tokens, after the idempotency key when one is sent.
 */

export const isoOf = (d: Date) => d.toISOString();

export interface OrderSeat {
  seatId: number;
  label: string;
  section: string;
  row: string;
  number: number;
  price: number;
}

export interface HeldOrder {
  orderId: number;
  status: 'held';
  seats: (OrderSeat & { reservationId: number })[];
  total: number;
  heldUntil: string;
}

export const orderSeat = (s: { seatId: number; section: string; row: string; number: number; price: number }): OrderSeat => ({
  seatId: s.seatId,
  label: seatLabel(s),
  section: s.section,
  row: s.row,
  number: s.number,
  price: s.price,
});

/** Locks the caller's order (NOT_FOUND for anyone else's) and reads it with its date's times. */
export async function lockOwnOrder(tx: Tx, config: Config, { userId, orderId }: { userId: string; orderId: number }) {
  const [order] = await tx
    .select({
      status: orders.status,
      heldUntil: orders.heldUntil,
      total: orders.total,
      bookingCode: orders.bookingCode,
      concertId: schedules.concertId,
      now: clockTime(),
      refundDeadline: sql<Date>`${schedules.startsAt} - make_interval(hours => ${config.REFUND_DEADLINE_HOURS})`.mapWith(
        (v: string | Date) => new Date(v),
      ),
    })
    .from(orders)
    .innerJoin(schedules, eq(schedules.id, orders.scheduleId))
    .where(and(eq(orders.id, orderId), eq(orders.userId, userId)))
    .for('update', { of: orders });
  if (!order) throw new DomainError('NOT_FOUND', 'There is no such order.');
  return { ...order, effective: effectiveStatus(order, order.now) };
}

/** Locks an order's seats (ascending) and then its reservations, in the documented order. */
export async function lockOrderSeats(tx: Tx, orderId: number) {
  await tx
    .select({ id: seats.id })
    .from(seats)
    .where(inArray(seats.id, tx.select({ id: reservations.seatId }).from(reservations).where(eq(reservations.orderId, orderId))))
    .orderBy(asc(seats.id))
    .for('update');
  return tx
    .select({ id: reservations.id, status: reservations.status, heldUntil: reservations.heldUntil, now: clockTime() })
    .from(reservations)
    .where(eq(reservations.orderId, orderId))
    .orderBy(asc(reservations.id))
    .for('update');
}

export interface OrderView {
  orderId: number;
  status: OrderStatus;
  bookingCode: string | null;
  /** The signed reference a confirmed order's QR code encodes (ticket.verify reads it); else null. */
  ticketRef: string | null;
  concertId: number;
  concertTitle: string;
  venue: string;
  scheduleId: number;
  startsAt: string;
  seats: OrderSeat[];
  /** A paid order's tickets, one per seat, as the buyer sees them (`transferred` once passed on). */
  tickets: TicketSummary[];
  total: number;
  heldUntil: string;
  createdAt: string;
}

/** Orders with their seats in one indexed query (orders_by_user, then reservations_by_order per order). */
async function readOrders(db: DbOrTx, config: Config, where: SQL) {
  const rows = await db
    .select({
      orderId: orders.id,
      userId: orders.userId,
      status: orders.status,
      heldUntil: orders.heldUntil,
      now: clockTime(),
      bookingCode: orders.bookingCode,
      total: orders.total,
      createdAt: orders.createdAt,
      scheduleId: schedules.id,
      startsAt: schedules.startsAt,
      concertId: concerts.id,
      concertTitle: concerts.title,
      venue: concerts.venue,
      seats: sql<{ seatId: number; section: string; row: string; number: number; price: number }[]>`(
        SELECT json_agg(json_build_object('seatId', ${seats.id}, 'section', ${seats.section}, 'row', ${seats.row},
          'number', ${seats.number}, 'price', ${reservations.price}) ORDER BY ${seats.id})
        FROM ${reservations} JOIN ${seats} ON ${seats.id} = ${reservations.seatId}
        WHERE ${reservations.orderId} = ${orders.id})`,
    })
    .from(orders)
    .innerJoin(schedules, eq(schedules.id, orders.scheduleId))
    .innerJoin(concerts, eq(concerts.id, schedules.concertId))
    .where(where)
    .orderBy(desc(orders.id));
  const paid = rows.filter((r) => r.bookingCode !== null).map((r) => r.orderId);
  const ticketsOf = new Map<number, TicketSummary[]>();
  const userId = rows[0]?.userId;
  if (paid.length > 0 && userId) {
    for (const t of await readTickets(db, sql`t.order_id IN (${sql.join(paid, sql`, `)})`)) {
      ticketsOf.set(t.orderId, [...(ticketsOf.get(t.orderId) ?? []), summaryOf(t, userId)]);
    }
  }
  return rows.map((r): OrderView => {
    const status = effectiveStatus(r, r.now);
    return {
      orderId: r.orderId,
      status,
      bookingCode: r.bookingCode,
      ticketRef: status === 'confirmed' && r.bookingCode ? ticketReference(config.SESSION_SECRET, r.bookingCode) : null,
      concertId: r.concertId,
      concertTitle: r.concertTitle,
      venue: r.venue,
      scheduleId: r.scheduleId,
      startsAt: isoOf(r.startsAt),
      seats: (r.seats ?? []).map(orderSeat),
      tickets: ticketsOf.get(r.orderId) ?? [],
      total: r.total,
      heldUntil: isoOf(r.heldUntil),
      createdAt: isoOf(r.createdAt),
    };
  });
}

/** The caller's orders, newest first. */
export function listOrders(db: DbOrTx, config: Config, { userId }: { userId: string }) {
  return readOrders(db, config, eq(orders.userId, userId));
}

/** One of the caller's orders; anyone else's is NOT_FOUND. */
export async function getOrder(db: DbOrTx, config: Config, { userId, orderId }: { userId: string; orderId: number }) {
  const [order] = await readOrders(db, config, and(eq(orders.userId, userId), eq(orders.id, orderId))!);
  if (!order) throw new DomainError('NOT_FOUND', 'There is no such order.');
  return order;
}
