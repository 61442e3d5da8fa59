import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client';
import { concerts, payments, queueTokens, reservations, schedules, seats, users } from '../../db/schema';
import { seatLabel } from '../concert/service';
import type { Config } from '../env';
import { DomainError, PG, pgCode } from '../errors';
import { turnCap } from '../queue/rules';
import { extendTurn, type ActiveToken } from '../queue/service';
import { dbNow, effectiveStatus, liveHold, liveReservation, occupiesSeat } from './rules';

const isoOf = (d: Date) => d.toISOString();

const seatUnavailable = () => new DomainError('SEAT_UNAVAILABLE', 'Someone else has just taken this seat. Please pick another.');

/**
 * Holds a seat for HOLD_TTL_SECONDS, but never past the end of the caller's turn's cap. One
 * transaction; locks, in the documented order:
 *   users (the caller: serialises their holds for the hold and purchase limits) → seats (NOWAIT) →
 *   reservations → queue_tokens (the turn is kept alive until the hold runs out, up to its cap).
 * A seat that is sold, held, or locked by another transaction right now is SEAT_UNAVAILABLE at once.
 * Holding a seat the caller already holds returns that hold.
 */
export async function holdSeat(db: Db, config: Config, { userId, token, seatId }: { userId: string; token: ActiveToken; seatId: number }) {
  return db.transaction(async (tx) => {
    const [me] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
    if (!me) throw new DomainError('SESSION_REQUIRED', 'This session is no longer valid. Start a new one.');

    let seat;
    try {
      [seat] = await tx
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
        .where(eq(seats.id, seatId))
        .for('update', { of: seats, noWait: true });
    } catch (error) {
      if (pgCode(error) === PG.LOCK_NOT_AVAILABLE) throw seatUnavailable();
      throw error;
    }
    if (!seat) throw new DomainError('NOT_FOUND', 'There is no such seat, or its date has passed.');
    if (seat.concertId !== token.concertId) {
      throw new DomainError('TOKEN_WRONG_SALE', 'This queue token is for another concert. Join this concert’s line.');
    }

    const [occupant] = await tx
      .select({
        id: reservations.id,
        userId: reservations.userId,
        status: reservations.status,
        heldUntil: reservations.heldUntil,
        now: dbNow(),
      })
      .from(reservations)
      .where(and(eq(reservations.seatId, seatId), occupiesSeat));
    const occupantStatus = occupant && effectiveStatus(occupant, occupant.now);
    if (occupantStatus === 'confirmed') throw seatUnavailable();
    if (occupantStatus === 'held') {
      if (occupant!.userId !== userId) throw seatUnavailable();
      return { reservationId: occupant!.id, seatId, price: seat.price, heldUntil: isoOf(occupant!.heldUntil) };
    }
    if (occupant) {
      // The previous hold ran out: mark it so, which frees the seat's one live place.
      await tx
        .update(reservations)
        .set({ status: 'expired', updatedAt: sql`now()` })
        .where(eq(reservations.id, occupant.id));
    }

    // The caller's live seats, counted under their users row lock: concurrent holds can't slip past a limit.
    const [{ holds, ofConcert } = { holds: 0, ofConcert: 0 }] = await tx
      .select({
        holds: sql<number>`(count(*) FILTER (WHERE ${liveHold}))::int`,
        ofConcert: sql<number>`(count(*) FILTER (WHERE ${eq(schedules.concertId, seat.concertId)}))::int`,
      })
      .from(reservations)
      .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
      .where(and(eq(reservations.userId, userId), liveReservation));
    if (holds >= config.HOLD_MAX_PER_USER) {
      throw new DomainError('HOLD_LIMIT', `You can hold at most ${config.HOLD_MAX_PER_USER} seats at a time.`, {
        limit: config.HOLD_MAX_PER_USER,
      });
    }
    // Held and bought seats of this concert, all its dates together.
    if (ofConcert >= config.PURCHASE_MAX_PER_USER) {
      throw new DomainError('PURCHASE_LIMIT', `You can buy at most ${config.PURCHASE_MAX_PER_USER} seats for this concert.`, {
        limit: config.PURCHASE_MAX_PER_USER,
      });
    }

    const [created] = await tx
      .insert(reservations)
      .values({
        userId,
        seatId,
        scheduleId: seat.scheduleId,
        price: seat.price,
        status: 'held',
        // A hold never outlives the turn it was made in.
        heldUntil: sql`least(now() + make_interval(secs => ${config.HOLD_TTL_SECONDS}), (SELECT ${turnCap(config)} FROM ${queueTokens} WHERE ${queueTokens.id} = ${token.id}))`,
      })
      .returning({ id: reservations.id, heldUntil: reservations.heldUntil });
    await extendTurn(tx, config, { tokenId: token.id, until: created!.heldUntil });
    return { reservationId: created!.id, seatId, price: seat.price, heldUntil: isoOf(created!.heldUntil) };
  });
}

export type ReservationView = Awaited<ReturnType<typeof listReservations>>[number];

/** The user's reservations, newest first, with holds that ran out shown as expired. */
export async function listReservations(db: DbOrTx, { userId }: { userId: string }) {
  const rows = await db
    .select({
      reservationId: reservations.id,
      status: reservations.status,
      now: dbNow(),
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
    .leftJoin(payments, eq(payments.reservationId, reservations.id))
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

/**
 * Locks the caller's reservation for a change, in the documented order: its seat, then it.
 * The seat never changes, so it can be read before the locks are taken.
 */
export async function lockOwnReservation(tx: Tx, { userId, reservationId }: { userId: string; reservationId: number }) {
  const [found] = await tx
    .select({ seatId: reservations.seatId, concertId: schedules.concertId })
    .from(reservations)
    .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
    .where(and(eq(reservations.id, reservationId), eq(reservations.userId, userId)));
  if (!found) throw new DomainError('NOT_FOUND', 'There is no such reservation.');
  await tx.select({ id: seats.id }).from(seats).where(eq(seats.id, found.seatId)).for('update');
  const [locked] = await tx
    .select({ status: reservations.status, price: reservations.price, heldUntil: reservations.heldUntil, now: dbNow() })
    .from(reservations)
    .where(eq(reservations.id, reservationId))
    .for('update');
  return { status: effectiveStatus(locked!, locked!.now), storedStatus: locked!.status, price: locked!.price, concertId: found.concertId };
}

/** Releases a hold. Cancelling again is harmless; a paid ticket can't be cancelled here. */
export async function cancelHold(db: Db, { userId, reservationId }: { userId: string; reservationId: number }) {
  return db.transaction(async (tx) => {
    const r = await lockOwnReservation(tx, { userId, reservationId });
    if (r.status === 'confirmed') throw new DomainError('RESERVATION_CONFIRMED', 'This ticket is already paid for.');
    if (r.storedStatus === 'held') {
      // A live hold is released; one that ran out is marked as what it already is.
      const status = r.status === 'held' ? 'cancelled' : 'expired';
      await tx
        .update(reservations)
        .set({ status, updatedAt: sql`now()` })
        .where(eq(reservations.id, reservationId));
      return { reservationId, status };
    }
    return { reservationId, status: r.status };
  });
}
