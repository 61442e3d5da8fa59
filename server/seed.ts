import { eq, sql } from 'drizzle-orm';
import { createSale, type NewSale } from './sale/service';
import type { Db, DbOrTx } from '@/db/client';
import { concerts, ledgerEntries, orders, payments, reservations, sales, schedules, seats, tickets, users, wallets } from '@/db/schema';
import { newBookingCode } from './order/booking-code';
import { ticketReferenceOf } from './ticket/qr';

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
  /** Its sale, in minutes from now; default: on sale now (pre-queue an hour ago, opened a minute ago). */
  sale?: { prequeueInMinutes?: number; opensInMinutes?: number } & Pick<NewSale, 'maxActive' | 'turnSeconds' | 'audience'>;
  /** Demo fans buy every seat (the sold-out demo). */
  soldOut?: boolean;
}

export const DEMO_CONCERTS: ConcertPlan[] = [
  { title: 'Seoul Lights Live', artist: 'Haneul', venue: 'KSPO Dome, Seoul', dayOffsets: [-7, 14, 15, 16] },
  {
    title: 'Busan Summer Waves',
    artist: 'Moonstone',
    venue: 'BEXCO Auditorium, Busan',
    dayOffsets: [30, 31, 35],
    // Scheduled: its pre-queue opens in two days.
    sale: { prequeueInMinutes: 2 * 24 * 60, opensInMinutes: 2 * 24 * 60 + 30 },
  },
  {
    title: 'Midnight Frequencies',
    artist: 'The Blue Hour',
    venue: 'Olympic Hall, Seoul',
    dayOffsets: [21, 22, 28],
    // The pre-queue is open; the sale opens a few minutes after the first start (left as it is later).
    sale: { prequeueInMinutes: -1, opensInMinutes: 5 },
  },
  { title: 'Hongdae Unplugged', artist: 'Paper Lanterns', venue: 'Rolling Hall, Seoul', dayOffsets: [10], soldOut: true },
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
const MINUTE_MS = 60_000;
const ON_SALE_NOW = { prequeueInMinutes: -60, opensInMinutes: -1 };

/** One concert with its dates, a full seat map for each, and its sale. */
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
  const { prequeueInMinutes, opensInMinutes, ...settings } = { ...ON_SALE_NOW, ...plan.sale };
  const now = Date.now();
  await createSale(tx, {
    concertId: concert!.id,
    prequeueOpensAt: new Date(now + prequeueInMinutes * MINUTE_MS),
    opensAt: new Date(now + opensInMinutes * MINUTE_MS),
    ...settings,
  });
  if (plan.soldOut) await sellEverySeat(tx, concert!.id);
  return { concertId: concert!.id, scheduleIds: dates.map((d) => d.id) };
}

/** The sold-out demo: every seat sold (see `sellSeats`), and the sale closed as sold out. */
async function sellEverySeat(tx: DbOrTx, concertId: number) {
  await sellSeats(tx, concertId);
  await tx
    .update(sales)
    .set({ closedReason: 'sold_out', closedAt: sql`now()` })
    .where(eq(sales.concertId, concertId));
}

/**
 * Every seat of the concert but the first `keep` (by id) sold: demo fans, each buying as many seats
 * as one fan may (PURCHASE_MAX_PER_USER's default), pay from a charged wallet, with the orders,
 * payments and ledger of real purchases. The sale is left as it was.
 */
export async function sellSeats(tx: DbOrTx, concertId: number, { keep = 0, seatsPerFan = 4 } = {}) {
  const all = (
    await tx
      .select({ id: seats.id, scheduleId: seats.scheduleId, price: seats.price })
      .from(seats)
      .innerJoin(schedules, eq(schedules.id, seats.scheduleId))
      .where(eq(schedules.concertId, concertId))
      .orderBy(seats.id)
  ).slice(keep);
  for (let i = 0; i < all.length; i += seatsPerFan) {
    const bought = all.slice(i, i + seatsPerFan);
    const total = bought.reduce((sum, seat) => sum + seat.price, 0);
    const [fan] = await tx
      .insert(users)
      .values({ name: `Demo fan ${i / seatsPerFan + 1}` })
      .returning({ id: users.id });
    const userId = fan!.id;
    await tx.insert(wallets).values({ userId, balance: 0 });
    await tx.insert(ledgerEntries).values({ userId, kind: 'charge', amount: total, balanceAfter: total });
    // One paid order a fan (seats of one date each: the demo fans buy within a date).
    const byDate = new Map<number, typeof bought>();
    for (const seat of bought) byDate.set(seat.scheduleId, [...(byDate.get(seat.scheduleId) ?? []), seat]);
    let balance = total;
    for (const [scheduleId, ofDate] of byDate) {
      const orderTotal = ofDate.reduce((sum, seat) => sum + seat.price, 0);
      const bookingCode = newBookingCode();
      const [order] = await tx
        .insert(orders)
        .values({ userId, scheduleId, status: 'confirmed', bookingCode, total: orderTotal, heldUntil: sql`now()` })
        .returning({ id: orders.id });
      const orderId = order!.id;
      const inserted = await tx
        .insert(reservations)
        .values(
          ofDate.map((seat) => ({
            userId,
            orderId,
            seatId: seat.id,
            scheduleId,
            price: seat.price,
            status: 'confirmed' as const,
            heldUntil: sql`now()`,
          })),
        )
        .returning({ id: reservations.id, seatId: reservations.seatId });
      // One ticket per seat, as pay_order issues them: numbered in seat order, held by the buyer.
      await tx.insert(tickets).values(
        [...inserted]
          .sort((a, b) => a.seatId - b.seatId)
          .map((r, i) => ({
            reference: ticketReferenceOf(bookingCode, i + 1),
            orderId,
            reservationId: r.id,
            seatId: r.seatId,
            scheduleId,
            holderId: userId,
          })),
      );
      const [payment] = await tx
        .insert(payments)
        .values({ orderId, reservationId: inserted.length === 1 ? inserted[0]!.id : null, userId, amount: orderTotal })
        .returning({ id: payments.id });
      balance -= orderTotal;
      await tx
        .insert(ledgerEntries)
        .values({ userId, kind: 'payment', amount: -orderTotal, balanceAfter: balance, paymentId: payment!.id });
    }
  }
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
