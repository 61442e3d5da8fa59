import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { concerts, reservations, schedules, seats } from '../../db/schema';
import type { Config } from '../env';
import { DomainError } from '../errors';
import { liveReservation } from '../reservation/rules';
import { bestAvailable } from './best-available';

/**
 * Browsing. A seat is sold when its live reservation is confirmed, held while its live hold has
 * not run out, and available otherwise: a hold that ran out frees its seat without any sweeper.
 */

/** Joins a seat to the reservation that takes it. */
const liveReservationOf = (seatId: typeof seats.id) => and(eq(reservations.seatId, seatId), liveReservation);

export async function listConcerts(db: DbOrTx) {
  const rows = await db
    .select({
      concertId: concerts.id,
      title: concerts.title,
      artist: concerts.artist,
      venue: concerts.venue,
      scheduleId: schedules.id,
      startsAt: schedules.startsAt,
    })
    .from(concerts)
    .leftJoin(schedules, and(eq(schedules.concertId, concerts.id), gt(schedules.startsAt, sql`now()`)))
    .orderBy(asc(concerts.id), asc(schedules.startsAt));
  const byId = new Map<
    number,
    { concertId: number; title: string; artist: string; venue: string; dates: { scheduleId: number; startsAt: string }[] }
  >();
  for (const r of rows) {
    const concert = byId.get(r.concertId) ?? { concertId: r.concertId, title: r.title, artist: r.artist, venue: r.venue, dates: [] };
    byId.set(r.concertId, concert);
    if (r.scheduleId !== null && r.startsAt) concert.dates.push({ scheduleId: r.scheduleId, startsAt: r.startsAt.toISOString() });
  }
  return [...byId.values()];
}

/** A concert's future dates with how many seats are still free. */
export async function listDates(db: DbOrTx, { concertId }: { concertId: number }) {
  const [concert] = await db.select({ id: concerts.id }).from(concerts).where(eq(concerts.id, concertId));
  if (!concert) throw new DomainError('NOT_FOUND', 'There is no such concert.');
  const rows = await db
    .select({
      scheduleId: schedules.id,
      startsAt: schedules.startsAt,
      totalSeats: sql<number>`count(${seats.id})::int`,
      takenSeats: sql<number>`count(${reservations.id})::int`,
    })
    .from(schedules)
    .innerJoin(seats, eq(seats.scheduleId, schedules.id))
    .leftJoin(reservations, liveReservationOf(seats.id))
    .where(and(eq(schedules.concertId, concertId), gt(schedules.startsAt, sql`now()`)))
    .groupBy(schedules.id)
    .orderBy(asc(schedules.startsAt));
  return rows.map((r) => ({
    scheduleId: r.scheduleId,
    startsAt: r.startsAt.toISOString(),
    availableSeats: r.totalSeats - r.takenSeats,
    totalSeats: r.totalSeats,
  }));
}

export type SeatStatus = 'available' | 'held' | 'sold';

export const seatLabel = (s: { section: string; row: string; number: number }) => `${s.section} ${s.row}-${s.number}`;

/** Every seat of a future date, with its state as this user sees it. */
export async function listSeats(db: DbOrTx, { scheduleId, userId }: { scheduleId: number; userId: string }) {
  const [schedule] = await db
    .select({ id: schedules.id })
    .from(schedules)
    .where(and(eq(schedules.id, scheduleId), gt(schedules.startsAt, sql`now()`)));
  if (!schedule) throw new DomainError('NOT_FOUND', 'There is no such date, or it has passed.');
  const rows = await db
    .select({
      seatId: seats.id,
      section: seats.section,
      row: seats.row,
      number: seats.number,
      price: seats.price,
      reservationStatus: reservations.status,
      holderId: reservations.userId,
    })
    .from(seats)
    .leftJoin(reservations, liveReservationOf(seats.id))
    .where(eq(seats.scheduleId, scheduleId))
    .orderBy(asc(seats.id));
  return rows.map((r) => ({
    seatId: r.seatId,
    section: r.section,
    row: r.row,
    number: r.number,
    label: seatLabel(r),
    price: r.price,
    status: (r.reservationStatus === 'confirmed' ? 'sold' : r.reservationStatus === 'held' ? 'held' : 'available') as SeatStatus,
    mine: r.holderId === userId,
  }));
}

/**
 * "Best available × quantity" on a future date (server/concert/best-available.ts): a suggestion only,
 * nothing is held. One read of the date's seat map, as concert.seats reads it.
 */
export async function suggestBestAvailable(
  db: DbOrTx,
  config: Pick<Config, 'HOLD_MAX_PER_USER'>,
  { scheduleId, quantity, section, userId }: { scheduleId: number; quantity: number; section?: string; userId: string },
) {
  if (quantity > config.HOLD_MAX_PER_USER) {
    throw new DomainError('INVALID_INPUT', 'Some fields are not valid.', {
      fieldErrors: { quantity: [`at most ${config.HOLD_MAX_PER_USER} seats`] },
    });
  }
  const map = await listSeats(db, { scheduleId, userId });
  return {
    seatIds: bestAvailable(
      map.map((s) => ({ ...s, free: s.status === 'available' })),
      { quantity, section },
    ),
  };
}
