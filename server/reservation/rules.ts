import { and, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { reservations, type OrderStatus, type ReservationStatus } from '@/db/schema';
import type { Config } from '@/server/env';

/**
 * What makes a reservation take its seat, in one place: in SQL for queries and in TypeScript for
 * rows already read (with the database's `now()` read alongside, so both use one clock).
 *
 * A reservation is live when it is `confirmed` (sold), or `held` with `held_until` still ahead. A
 * hold that ran out frees its seat without a sweeper: every reader applies this rule, and the next
 * hold of the seat marks it `expired`.
 *
 * The hot paths are database functions so that each costs one round trip — the hold (`hold_seats`),
 * the payment (`pay_order`) and the admission pass's free-seat search (`admit_line`) — and SQL cannot
 * import these fragments: there the rules are written once each as SQL helper functions that the
 * planner inlines (db/functions/is_live_reservation.sql, is_live_hold.sql, hold_limit_refusal.sql).
 * server/rules-agreement.test.ts holds the helpers and the three functions to the same cases as
 * this file (server/testing/rule-cases.ts); a change of a rule here changes its helper's file too.
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

/** A hold that has not run out: what can still be paid (the TypeScript form of `liveHold`). */
export function isLiveHold(r: { status: ReservationStatus | OrderStatus; heldUntil: Date }, now: Date): boolean {
  return effectiveStatus(r, now) === 'held';
}

export type HoldLimitRefusal = 'HOLD_LIMIT' | 'PURCHASE_LIMIT';

/**
 * Whether a user may hold `wanted` more seats: `HOLD_LIMIT` when their live holds (`holds`, every
 * concert) would pass HOLD_MAX_PER_USER, `PURCHASE_LIMIT` when their live reservations of the concert
 * (`ofConcert`, held and bought, all its dates) would pass PURCHASE_MAX_PER_USER, else null. The hold
 * counts and applies it in SQL (`hold_seats`, with db/functions/hold_limit_refusal.sql).
 */
export function holdLimitRefusal(
  counts: { holds: number; ofConcert: number; wanted: number },
  limits: Pick<Config, 'HOLD_MAX_PER_USER' | 'PURCHASE_MAX_PER_USER'>,
): HoldLimitRefusal | null {
  if (counts.holds + counts.wanted > limits.HOLD_MAX_PER_USER) return 'HOLD_LIMIT';
  if (counts.ofConcert + counts.wanted > limits.PURCHASE_MAX_PER_USER) return 'PURCHASE_LIMIT';
  return null;
}
