import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { concerts, reservations, sales, schedules, seats, type SaleAudience } from '@/db/schema';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { clockTime } from '@/server/clock';
import { liveReservation } from '@/server/reservation/rules';
import { saleStateOf, type SaleState } from '@/server/sale/service';
import { bestAvailable } from './best-available';
import { invalidateSeatMap, publicViews, seatLabel, seatMapSnapshot, type SeatStatus, type SeatView } from './seat-map';

/**
 * Browsing. A seat is sold when its live reservation is confirmed, held while its live hold has
 * not run out, and available otherwise: a hold that ran out frees its seat without any sweeper.
 */

/** Joins a seat to the reservation that takes it. */
const liveReservationOf = (seatId: typeof seats.id) => and(eq(reservations.seatId, seatId), liveReservation);

export interface ConcertSummary {
  concertId: number;
  title: string;
  artist: string;
  venue: string;
  dates: { scheduleId: number; startsAt: string }[];
  /** `audience`: who may join its line (`accounts`: signed-in fans only). */
  sale: { state: SaleState; prequeueOpensAt: string; opensAt: string; commitment: string; audience: SaleAudience } | null;
  /** The cheapest and dearest seat of its future dates (null without any). */
  priceRange: { min: number; max: number } | null;
}

/** Every concert (closed and sold-out ones too) with its future dates, its sale and its price range. */
export async function listConcerts(db: DbOrTx): Promise<ConcertSummary[]> {
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
  const saleRows = await db
    .select({
      concertId: sales.concertId,
      prequeueOpensAt: sales.prequeueOpensAt,
      opensAt: sales.opensAt,
      paused: sales.paused,
      closedReason: sales.closedReason,
      commitment: sales.commitment,
      audience: sales.audience,
      now: clockTime(),
    })
    .from(sales);
  const prices = await db
    .select({ concertId: schedules.concertId, min: sql<number>`min(${seats.price})::int`, max: sql<number>`max(${seats.price})::int` })
    .from(seats)
    .innerJoin(schedules, and(eq(schedules.id, seats.scheduleId), gt(schedules.startsAt, sql`now()`)))
    .groupBy(schedules.concertId);
  const saleOf = new Map(saleRows.map((s) => [s.concertId, s]));
  const priceOf = new Map(prices.map((p) => [p.concertId, { min: p.min, max: p.max }]));
  const byId = new Map<number, ConcertSummary>();
  for (const r of rows) {
    let concert = byId.get(r.concertId);
    if (!concert) {
      const sale = saleOf.get(r.concertId);
      concert = {
        concertId: r.concertId,
        title: r.title,
        artist: r.artist,
        venue: r.venue,
        dates: [],
        sale: sale
          ? {
              state: saleStateOf(sale, sale.now),
              prequeueOpensAt: sale.prequeueOpensAt.toISOString(),
              opensAt: sale.opensAt.toISOString(),
              commitment: sale.commitment,
              audience: sale.audience,
            }
          : null,
        priceRange: priceOf.get(r.concertId) ?? null,
      };
      byId.set(r.concertId, concert);
    }
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

export { seatLabel, type SeatStatus };

export type { SeatView };

/** The caller's own live reservations of a date, read fresh: one indexed read of a few rows. */
async function ownSeats(db: DbOrTx, { scheduleId, userId }: { scheduleId: number; userId: string }) {
  const rows = await db
    .select({ seatId: reservations.seatId, status: reservations.status })
    .from(reservations)
    .where(and(eq(reservations.userId, userId), eq(reservations.scheduleId, scheduleId), liveReservation));
  return new Map(rows.map((r) => [r.seatId, r.status === 'confirmed' ? ('sold' as const) : ('held' as const)]));
}

/**
 * Every seat of a future date, with its state as this user sees it: others' seats from the date's
 * snapshot (server/concert/seat-map.ts, at most SEAT_MAP_MAX_AGE_MS old), the caller's own exactly.
 */
export async function listSeats(db: DbOrTx, { scheduleId, userId }: { scheduleId: number; userId: string }): Promise<SeatView[]> {
  const [snapshot, own] = await Promise.all([seatMapSnapshot(db, scheduleId), ownSeats(db, { scheduleId, userId })]);
  const now = Date.now() + (snapshot?.clockOffsetMs ?? 0);
  if (!snapshot || snapshot.startsAt <= now) throw new DomainError('NOT_FOUND', 'There is no such date, or it has passed.');
  const views = publicViews(snapshot, now);
  const heldInSnapshot = snapshot.heldBy.get(userId) ?? [];
  if (own.size === 0 && heldInSnapshot.length === 0) return views;
  // The caller's own seats, exactly. Where the snapshot disagrees with them it is older than a change
  // of theirs (made in another process, or by code that did not drop it): the next reader in this
  // process reads the date again.
  const map = views.slice();
  let stale = false;
  for (const i of heldInSnapshot) {
    const view = views[i]!;
    if (view.status !== 'available' && !own.has(view.seatId)) {
      stale = true;
      map[i] = { ...view, status: 'available' };
    }
  }
  for (const [seatId, status] of own) {
    const i = snapshot.indexOf.get(seatId);
    if (i === undefined) continue;
    const view = views[i]!;
    if (snapshot.seats[i]!.reservation?.holderId !== userId || view.status !== status) stale = true;
    map[i] = { ...view, status, mine: true };
  }
  if (stale) invalidateSeatMap(scheduleId);
  return map;
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
