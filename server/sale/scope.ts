import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { concerts, reservations, schedules, seats } from '../../db/schema';

/**
 * Which concert's line a call's resource belongs to, for the active-token rung (a token of concert X
 * unlocks X's dates, seats, holds and payments only). Undefined when there is no such resource (or,
 * for a reservation, it is not the caller's): the procedure then answers NOT_FOUND itself.
 */

export async function concertOfConcert(db: DbOrTx, concertId: number): Promise<number | undefined> {
  const [row] = await db.select({ id: concerts.id }).from(concerts).where(eq(concerts.id, concertId));
  return row?.id;
}

export async function concertOfSchedule(db: DbOrTx, scheduleId: number): Promise<number | undefined> {
  const [row] = await db.select({ concertId: schedules.concertId }).from(schedules).where(eq(schedules.id, scheduleId));
  return row?.concertId;
}

export async function concertOfSeat(db: DbOrTx, seatId: number): Promise<number | undefined> {
  const [row] = await db
    .select({ concertId: schedules.concertId })
    .from(seats)
    .innerJoin(schedules, eq(schedules.id, seats.scheduleId))
    .where(eq(seats.id, seatId));
  return row?.concertId;
}

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
