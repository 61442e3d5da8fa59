import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { concerts, orders, reservations, schedules, seats } from '../../db/schema';

/**
 * Which concert's line a call's resource belongs to, for the active-token rung (a token of concert X
 * unlocks X's dates, seats, holds and payments only). Undefined when there is no such resource (or,
 * for a reservation, it is not the caller's): the procedure then answers NOT_FOUND itself.
 */

export async function concertOfConcert(db: DbOrTx, concertId: number): Promise<number | undefined> {
  const [row] = await db.select({ id: concerts.id }).from(concerts).where(eq(concerts.id, concertId));
  return row?.id;
}

/**
 * A seat's and a date's concert never change (nothing updates seats.schedule_id or
 * schedules.concert_id), so each process remembers the answers it has read, per database handle, up to
 * IMMUTABLE_CACHE_SIZE of each: the rung of every hold then costs no query. Unknown ids are not
 * remembered (they may be created later).
 */
const IMMUTABLE_CACHE_SIZE = 50_000;

class BoundedCache {
  private readonly entries = new Map<number, number>();
  get(key: number) {
    return this.entries.get(key);
  }
  set(key: number, value: number) {
    // The oldest entry goes first (a Map keeps insertion order).
    if (this.entries.size >= IMMUTABLE_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }
}

function remembered(read: (db: DbOrTx, id: number) => Promise<number | undefined>) {
  const caches = new WeakMap<object, BoundedCache>();
  return async (db: DbOrTx, id: number): Promise<number | undefined> => {
    let cache = caches.get(db);
    if (!cache) caches.set(db, (cache = new BoundedCache()));
    const known = cache.get(id);
    if (known !== undefined) return known;
    const concertId = await read(db, id);
    if (concertId !== undefined) cache.set(id, concertId);
    return concertId;
  };
}

export const concertOfSchedule = remembered(async (db, scheduleId) => {
  const [row] = await db.select({ concertId: schedules.concertId }).from(schedules).where(eq(schedules.id, scheduleId));
  return row?.concertId;
});

export const concertOfSeat = remembered(async (db, seatId) => {
  const [row] = await db
    .select({ concertId: schedules.concertId })
    .from(seats)
    .innerJoin(schedules, eq(schedules.id, seats.scheduleId))
    .where(eq(seats.id, seatId));
  return row?.concertId;
});

export async function concertOfReservation(
  db: DbOrTx,
  { userId, reservationId }: { userId: string; reservationId: number },
): Promise<number | undefined> {
  const [row] = await db
    .select({ concertId: schedules.concertId })
    .from(reservations)
    .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
    .where(and(eq(reservations.id, reservationId), eq(reservations.userId, userId)));
  return row?.concertId;
}

export async function concertOfOrder(db: DbOrTx, { userId, orderId }: { userId: string; orderId: number }): Promise<number | undefined> {
  const [row] = await db
    .select({ concertId: schedules.concertId })
    .from(orders)
    .innerJoin(schedules, eq(schedules.id, orders.scheduleId))
    .where(and(eq(orders.id, orderId), eq(orders.userId, userId)));
  return row?.concertId;
}
