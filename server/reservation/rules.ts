import { and, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { reservations, type OrderStatus, type ReservationStatus } from '../../db/schema';

/**
 * What makes a reservation take its seat, in one place: in SQL for queries and in TypeScript for
 * rows already read (with the database's `now()` read alongside, so both use one clock).
 *
 * A reservation is live when it is `confirmed` (sold), or `held` with `held_until` still ahead. A
 * hold that ran out frees its seat without a sweeper: every reader applies this rule, and the next
 * hold of the seat marks it `expired`.
 *
 * Copies live outside this file: the hot paths are database functions so that each costs one round
 * trip — the hold (`hold_seats`, db/migrations/0007_hold_seats_function.sql), the payment
 * (`pay_order`) and the admission pass's free-seat search (`admit_line`, both in
 * 0006_line_admission.sql) — and a function in a migration cannot import these fragments.
 * server/order/hold.test.ts holds `hold_seats` to the same answers; a change of this rule changes
 * those functions too (a new migration).
 */

/**
 * The statuses that occupy a seat's one place (partial unique index reservations_one_live_per_seat):
 * live reservations, and holds that ran out until they are marked.
 */
export const SEAT_OCCUPYING_STATUSES = ['held', 'confirmed'] as const satisfies readonly ReservationStatus[];

/** SQL: the reservation occupies its seat's one place (it may be a hold that ran out). */
export const occupiesSeat: SQL = inArray(reservations.status, SEAT_OCCUPYING_STATUSES);

/** SQL: a hold that has not run out. */
export const liveHold: SQL = and(eq(reservations.status, 'held'), gt(reservations.heldUntil, sql`now()`))!;

/** SQL: the reservation takes its seat. It starts with `occupiesSeat` so the partial indexes serve it. */
export const liveReservation: SQL = and(occupiesSeat, or(eq(reservations.status, 'confirmed'), liveHold))!;

/**
 * A reservation's or an order's status as everyone sees it: a hold that ran out is expired, marked or
 * not. One rule for both (an order's reservations share its `held_until`, the order's one hold clock).
 */
export function effectiveStatus<S extends ReservationStatus | OrderStatus>(r: { status: S; heldUntil: Date }, now: Date): S | 'expired' {
  return r.status === 'held' && r.heldUntil <= now ? 'expired' : r.status;
}

/** The reservation takes its seat (the TypeScript form of `liveReservation`). */
export function isLiveReservation(r: { status: ReservationStatus; heldUntil: Date }, now: Date): boolean {
  const status = effectiveStatus(r, now);
  return status === 'held' || status === 'confirmed';
}
