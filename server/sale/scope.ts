import { and, between, eq } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { concerts, orders, reservations, schedules, seats } from '@/db/schema';

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
 * IMMUTABLE_CACHE_SIZE of each: the rung of a hold then costs no query. Unknown ids are not remembered
 * (they may be created later).
 */
const IMMUTABLE_CACHE_SIZE = 50_000;
/**
 * A seat not yet known is read with the seats whose ids lie this close to it (whatever their date:
 * each row is a fact on its own), so a date's map is learnt in one read, not one read per seat.
 */
const SEAT_NEIGHBOURHOOD = 1_000;
const MAX_INT_ID = 2_147_483_647;

class BoundedCache {
  private readonly entries = new Map<number, number>();
  get(key: number) {
    return this.entries.get(key);
  }
  set(key: number, value: number) {
    if (this.entries.has(key)) return;
    // The oldest entry goes first (a Map keeps insertion order).
    if (this.entries.size >= IMMUTABLE_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }
}

/** `read` answers [id, concertId] pairs: the id asked for (when it exists) and any others worth keeping. */
function remembered(read: (db: DbOrTx, id: number) => Promise<{ id: number; concertId: number }[]>) {
  const caches = new WeakMap<object, BoundedCache>();
  return async (db: DbOrTx, id: number): Promise<number | undefined> => {
    let cache = caches.get(db);
    if (!cache) caches.set(db, (cache = new BoundedCache()));
    const known = cache.get(id);
    if (known !== undefined) return known;
    const rows = await read(db, id);
    for (const row of rows) cache.set(row.id, row.concertId);
    return rows.find((row) => row.id === id)?.concertId;
  };
}

export const concertOfSchedule = remembered((db, scheduleId) =>
  db.select({ id: schedules.id, concertId: schedules.concertId }).from(schedules).where(eq(schedules.id, scheduleId)),
);

export const concertOfSeat = remembered((db, seatId) =>
  db
    .select({ id: seats.id, concertId: schedules.concertId })
    .from(seats)
    .innerJoin(schedules, eq(schedules.id, seats.scheduleId))
    .where(between(seats.id, Math.max(seatId - SEAT_NEIGHBOURHOOD, 1), Math.min(seatId + SEAT_NEIGHBOURHOOD, MAX_INT_ID))),
);

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

/** The date and concert of the caller's order; undefined for an unknown or another user's one. */
export async function dateOfOrder(
  db: DbOrTx,
  { userId, orderId }: { userId: string; orderId: number },
): Promise<{ concertId: number; scheduleId: number } | undefined> {
  const [row] = await db
    .select({ concertId: schedules.concertId, scheduleId: schedules.id })
    .from(orders)
    .innerJoin(schedules, eq(schedules.id, orders.scheduleId))
    .where(and(eq(orders.id, orderId), eq(orders.userId, userId)));
  return row;
}
