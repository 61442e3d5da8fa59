import { poolOf, type Db } from '@/db/client';
import { seatCounts } from '@/server/sale/service';

/**
 * The seats a waiting fan is told of (`seatsLeft`, `seatsHeld`), counted now by the sale's rule
 * (server/sale/service.ts `seatCounts`: a hold that ran out stops counting at its `held_until`, with
 * nothing written by the hold, its payment, its release or its end) and kept per line and process
 * for SEAT_COUNT_REFRESH_MS. One count at a time per line however many polls ask, and on a clock of
 * its own: a line's notifications and joins (which make the line itself be read again) do not make
 * the seats be counted again, so a sale's opening does not count 15,000 seats per join.
 */

/** A waiting fan's seat counts are at most this old. */
export const SEAT_COUNT_REFRESH_MS = 1_000;

interface Counted {
  left: number;
  held: number;
  readAt: number;
}

interface Counts {
  entries: Map<number, Counted>;
  reading: Map<number, Promise<Counted>>;
}

const byPool = new WeakMap<object, Counts>();

function countsOf(db: Db): Counts {
  let counts = byPool.get(poolOf(db));
  if (!counts) byPool.set(poolOf(db), (counts = { entries: new Map(), reading: new Map() }));
  return counts;
}

function count(db: Db, counts: Counts, concertId: number): Promise<Counted> {
  const inFlight = counts.reading.get(concertId);
  if (inFlight) return inFlight;
  const reading = seatCounts(db, concertId)
    .then(({ left, held }) => {
      const counted = { left, held, readAt: performance.now() };
      counts.entries.set(concertId, counted);
      return counted;
    })
    .finally(() => counts.reading.delete(concertId));
  counts.reading.set(concertId, reading);
  return reading;
}

/** A line's seats neither held nor sold, and held, at most SEAT_COUNT_REFRESH_MS old. */
export async function liveSeatCounts(db: Db, concertId: number): Promise<{ seatsLeft: number; seatsHeld: number }> {
  const counts = countsOf(db);
  let counted = counts.entries.get(concertId);
  if (!counted || performance.now() - counted.readAt >= SEAT_COUNT_REFRESH_MS) counted = await count(db, counts, concertId);
  return { seatsLeft: counted.left, seatsHeld: counted.held };
}
