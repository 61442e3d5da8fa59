import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import { orders, queueTokens, reservations, schedules, seats, users } from '../../db/schema';
import type { Config } from '../env';
import { DomainError, PG, pgCode } from '../errors';
import { turnCap } from '../queue/rules';
import { extendTurn } from '../queue/admission';
import type { ActiveToken } from '../queue/service';
import { dbNow, effectiveStatus, liveHold, liveReservation, occupiesSeat } from '../reservation/rules';
import { isoOf, orderSeat, type HeldOrder } from './service';

/** Holding seats: an order of seats of one date, all or none (lock order: server/order/service.ts). */

const invalidSeats = (message: string) =>
  new DomainError('INVALID_INPUT', 'Some fields are not valid.', { fieldErrors: { seatIds: [message] } });

const seatsUnavailable = (seatIds: number[]) =>
  new DomainError(
    'SEAT_UNAVAILABLE',
    seatIds.length === 1 ? 'Someone else has just taken this seat. Please pick another.' : 'Some of these seats have just been taken.',
    { seatIds },
  );

/** Thrown inside the hold's transaction when a seat is locked by another; answered after the rollback. */
class SeatsLocked extends Error {}

/**
 * The caller's limits, counted under their users row lock so concurrent holds can't slip past one:
 * seats held at once (HOLD_MAX_PER_USER), and held and bought seats of one concert, all its dates
 * together (PURCHASE_MAX_PER_USER).
 */
export async function checkSeatLimits(
  tx: Tx,
  config: Config,
  { userId, concertId, adding }: { userId: string; concertId: number; adding: number },
) {
  const [{ holds, ofConcert } = { holds: 0, ofConcert: 0 }] = await tx
    .select({
      holds: sql<number>`(count(*) FILTER (WHERE ${liveHold}))::int`,
      ofConcert: sql<number>`(count(*) FILTER (WHERE ${eq(schedules.concertId, concertId)}))::int`,
    })
    .from(reservations)
    .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
    .where(and(eq(reservations.userId, userId), liveReservation));
  if (holds + adding > config.HOLD_MAX_PER_USER) {
    throw new DomainError('HOLD_LIMIT', `You can hold at most ${config.HOLD_MAX_PER_USER} seats at a time.`, {
      limit: config.HOLD_MAX_PER_USER,
    });
  }
  if (ofConcert + adding > config.PURCHASE_MAX_PER_USER) {
    throw new DomainError('PURCHASE_LIMIT', `You can buy at most ${config.PURCHASE_MAX_PER_USER} seats for this concert.`, {
      limit: config.PURCHASE_MAX_PER_USER,
    });
  }
}

export interface HoldRequest {
  userId: string;
  token: ActiveToken;
  seatIds: number[];
  /**
   * A seat the caller already holds in a bigger order: return that hold (reservation.hold, which
   * answers for the one seat) instead of refusing it (order.hold, which answers for the whole order).
   */
  ownSeatInBiggerOrder?: 'return' | 'refuse';
}

/**
 * Holds seats of one date together, all or none, for HOLD_TTL_SECONDS but never past the end of the
 * caller's turn's cap: one order, one hold clock. One transaction; locks users (the caller) → seats
 * (ascending ids, NOWAIT: a seat being taken right now is SEAT_UNAVAILABLE at once) → reservations (run-out
 * holds of these seats) → queue_tokens (the turn lasts until the hold runs out, up to its cap). The new
 * order row is inserted after the seat locks (nobody else can wait for a row that does not exist yet).
 * Any seat taken: nothing is held, SEAT_UNAVAILABLE with `seatIds` (the taken ones). Asking again for
 * exactly the seats of one's own live order returns that order.
 */
export async function holdSeats(db: Db, config: Config, request: HoldRequest): Promise<HeldOrder> {
  const { seatIds } = request;
  if (seatIds.length === 0) throw invalidSeats('must name at least one seat');
  if (seatIds.length > config.HOLD_MAX_PER_USER) throw invalidSeats(`at most ${config.HOLD_MAX_PER_USER} seats`);
  if (new Set(seatIds).size !== seatIds.length) throw invalidSeats('must not name a seat twice');
  const ids = [...seatIds].sort((a, b) => a - b);
  try {
    return await db.transaction((tx) => holdIn(tx, config, { ...request, seatIds: ids }));
  } catch (error) {
    if (!(error instanceof SeatsLocked)) throw error;
    const taken = await seatsTaken(db, { userId: request.userId, seatIds: ids });
    if (taken.length === 0) throw new DomainError('BUSY', 'Another request is changing the same seats right now. Please try again.');
    throw seatsUnavailable(taken);
  }
}

async function holdIn(
  tx: Tx,
  config: Config,
  { userId, token, seatIds: ids, ownSeatInBiggerOrder = 'refuse' }: HoldRequest,
): Promise<HeldOrder> {
  const [me] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
  if (!me) throw new DomainError('SESSION_REQUIRED', 'This session is no longer valid. Start a new one.');

  let locked;
  try {
    locked = await tx
      .select({
        id: seats.id,
        scheduleId: seats.scheduleId,
        concertId: schedules.concertId,
        price: seats.price,
        section: seats.section,
        row: seats.row,
        number: seats.number,
      })
      .from(seats)
      .innerJoin(schedules, and(eq(schedules.id, seats.scheduleId), gt(schedules.startsAt, sql`now()`)))
      .where(inArray(seats.id, ids))
      .orderBy(asc(seats.id))
      .for('update', { of: seats, noWait: true });
  } catch (error) {
    if (pgCode(error) === PG.LOCK_NOT_AVAILABLE) throw new SeatsLocked();
    throw error;
  }
  if (locked.length !== ids.length) {
    throw new DomainError(
      'NOT_FOUND',
      ids.length === 1 ? 'There is no such seat, or its date has passed.' : 'Some of these seats do not exist, or their date has passed.',
    );
  }
  const scheduleId = locked[0]!.scheduleId;
  if (locked.some((s) => s.scheduleId !== scheduleId)) throw invalidSeats('must all be seats of one date');

  const occupants = await tx
    .select({
      id: reservations.id,
      seatId: reservations.seatId,
      userId: reservations.userId,
      orderId: reservations.orderId,
      status: reservations.status,
      heldUntil: reservations.heldUntil,
      now: dbNow(),
    })
    .from(reservations)
    .where(and(inArray(reservations.seatId, ids), occupiesSeat));
  const taken: number[] = [];
  const mine: typeof occupants = [];
  const ranOut: number[] = [];
  for (const o of occupants) {
    const status = effectiveStatus(o, o.now);
    if (status === 'expired') ranOut.push(o.id);
    else if (status === 'held' && o.userId === userId) mine.push(o);
    else taken.push(o.seatId);
  }
  if (taken.length === 0 && mine.length === ids.length && mine.every((o) => o.orderId === mine[0]!.orderId)) {
    // Asked again (a double click, a retry): the caller's own live order.
    const existing = await heldOrderView(tx, mine[0]!.orderId);
    const sameSeats = existing.seats.length === ids.length;
    if (sameSeats || ownSeatInBiggerOrder === 'return') return existing;
  }
  taken.push(...mine.map((o) => o.seatId));
  if (taken.length > 0) throw seatsUnavailable(taken.sort((a, b) => a - b));
  if (ranOut.length > 0) {
    // Holds that ran out: marked so, which frees each seat's one live place.
    await tx
      .update(reservations)
      .set({ status: 'expired', updatedAt: sql`now()` })
      .where(inArray(reservations.id, ranOut));
  }

  await checkSeatLimits(tx, config, { userId, concertId: locked[0]!.concertId, adding: ids.length });

  const total = locked.reduce((sum, s) => sum + s.price, 0);
  const [order] = await tx
    .insert(orders)
    .values({
      userId,
      scheduleId,
      total,
      status: 'held',
      // A hold never outlives the turn it was made in.
      heldUntil: sql`least(now() + make_interval(secs => ${config.HOLD_TTL_SECONDS}), (SELECT ${turnCap(config)} FROM ${queueTokens} WHERE ${queueTokens.id} = ${token.id}))`,
    })
    .returning({ id: orders.id, heldUntil: orders.heldUntil });
  const created = await tx
    .insert(reservations)
    .values(
      locked.map((s) => ({
        userId,
        orderId: order!.id,
        seatId: s.id,
        scheduleId,
        price: s.price,
        status: 'held' as const,
        heldUntil: order!.heldUntil,
      })),
    )
    .returning({ id: reservations.id, seatId: reservations.seatId });
  await extendTurn(tx, config, { tokenId: token.id, until: order!.heldUntil });
  const reservationOf = new Map(created.map((r) => [r.seatId, r.id]));
  return {
    orderId: order!.id,
    status: 'held',
    seats: locked.map((s) => ({ ...orderSeat({ seatId: s.id, ...s }), reservationId: reservationOf.get(s.id)! })),
    total,
    heldUntil: isoOf(order!.heldUntil),
  };
}

/** A live held order as order.hold answers it (read inside the hold's transaction). */
async function heldOrderView(tx: Tx, orderId: number): Promise<HeldOrder> {
  const rows = await tx
    .select({
      total: orders.total,
      heldUntil: orders.heldUntil,
      reservationId: reservations.id,
      seatId: seats.id,
      section: seats.section,
      row: seats.row,
      number: seats.number,
      price: reservations.price,
    })
    .from(orders)
    .innerJoin(reservations, eq(reservations.orderId, orders.id))
    .innerJoin(seats, eq(seats.id, reservations.seatId))
    .where(eq(orders.id, orderId))
    .orderBy(asc(seats.id));
  return {
    orderId,
    status: 'held',
    seats: rows.map((r) => ({ ...orderSeat(r), reservationId: r.reservationId })),
    total: rows[0]!.total,
    heldUntil: isoOf(rows[0]!.heldUntil),
  };
}

/**
 * Which of these seats are taken, after a hold met a seat lock: those another transaction has locked
 * right now (not lockable with SKIP LOCKED) and those with a live reservation.
 */
async function seatsTaken(db: Db, { seatIds }: { userId: string; seatIds: number[] }): Promise<number[]> {
  return db.transaction(async (tx) => {
    const lockable = await tx.select({ id: seats.id }).from(seats).where(inArray(seats.id, seatIds)).for('update', { skipLocked: true });
    const occupied = await tx
      .select({ seatId: reservations.seatId })
      .from(reservations)
      .where(and(inArray(reservations.seatId, seatIds), liveReservation));
    const free = new Set(lockable.map((s) => s.id));
    const taken = new Set([...seatIds.filter((id) => !free.has(id)), ...occupied.map((r) => r.seatId)]);
    return [...taken].sort((a, b) => a - b);
  });
}
