import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from './client';
import { concerts, schedules, seats } from './schema';

/** A section of the hall: its rows, seats per row and price in won. */
interface SectionPlan {
  section: string;
  rows: string[];
  seatsPerRow: number;
  price: number;
}

export const SEAT_PLAN: SectionPlan[] = [
  { section: 'VIP', rows: ['A', 'B'], seatsPerRow: 10, price: 165_000 },
  { section: 'R', rows: ['C', 'D', 'E'], seatsPerRow: 10, price: 132_000 },
  { section: 'S', rows: ['F', 'G', 'H'], seatsPerRow: 10, price: 99_000 },
];

export const SEATS_PER_DATE = SEAT_PLAN.reduce((n, s) => n + s.rows.length * s.seatsPerRow, 0);

export interface ConcertPlan {
  title: string;
  artist: string;
  venue: string;
  /** Days from the seed day; a negative one is a past date that must not be offered. */
  dayOffsets: number[];
}

export const DEMO_CONCERTS: ConcertPlan[] = [
  { title: 'Seoul Lights Live', artist: 'Haneul', venue: 'KSPO Dome, Seoul', dayOffsets: [-7, 14, 15, 16] },
  { title: 'Midnight Frequencies', artist: 'The Blue Hour', venue: 'Olympic Hall, Seoul', dayOffsets: [21, 22, 28] },
  { title: 'Busan Summer Waves', artist: 'Moonstone', venue: 'BEXCO Auditorium, Busan', dayOffsets: [30, 31, 35] },
];

/** Shows start at 19:00 Korea time (10:00 UTC). */
const SHOW_HOUR_UTC = 10;
const DAY_MS = 86_400_000;

function showTime(today: Date, dayOffset: number): Date {
  const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), SHOW_HOUR_UTC));
  return new Date(d.getTime() + dayOffset * DAY_MS);
}

export function seatRows(scheduleId: number) {
  return SEAT_PLAN.flatMap(({ section, rows, seatsPerRow, price }) =>
    rows.flatMap((row) => Array.from({ length: seatsPerRow }, (_, i) => ({ scheduleId, section, row, number: i + 1, price }))),
  );
}

/**
 * Demo concerts, their dates and seat maps. Idempotent: a concert whose title exists is left as it
 * is, so running it again (or from two processes at once) adds nothing.
 */
/** One concert with its dates and a full seat map for each. */
export async function createConcert(tx: DbOrTx, plan: ConcertPlan, today = new Date()) {
  const [concert] = await tx
    .insert(concerts)
    .values({ title: plan.title, artist: plan.artist, venue: plan.venue })
    .returning({ id: concerts.id });
  const dates = await tx
    .insert(schedules)
    .values(plan.dayOffsets.map((offset) => ({ concertId: concert!.id, startsAt: showTime(today, offset) })))
    .returning({ id: schedules.id });
  await tx.insert(seats).values(dates.flatMap((d) => seatRows(d.id)));
  return { concertId: concert!.id, scheduleIds: dates.map((d) => d.id) };
}

export async function seedDemoData(db: Db, today = new Date()): Promise<{ created: number }> {
  return db.transaction(async (tx) => {
    // Two seeds at once (two app instances starting) wait for each other instead of racing.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('seed-demo-data'))`);
    let created = 0;
    for (const plan of DEMO_CONCERTS) {
      const existing = await tx.execute(sql`SELECT 1 FROM concerts WHERE title = ${plan.title}`);
      if (existing.length > 0) continue;
      await createConcert(tx, plan, today);
      created++;
    }
    return { created };
  });
}
