import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { payOrder } from '../order/pay';
import { createConcert } from '../seed';
import { useTestDatabase } from '../testing/test-database';
import { testConfig, TestUser } from '../testing/test-user';

/**
 * Review (issue 12): pay_order ends the payer's turn "once no other hold of the concert is left",
 * judged with `r.held_until > now()` — now() is the statement's start, before its wait for the order
 * row. A second hold that ran out during that wait still counts as live, so the turn is not ended and
 * the slot stays taken until the turn's expires_at (the paid hold's end, minutes away): the next fan
 * is not admitted although the payer holds nothing.
 */

const { db, url } = await useTestDatabase();
const config = testConfig();

describe('review: pay_order judges the other holds by the clock before its lock wait', () => {
  it('ends the turn when the only other hold ran out while the payment waited for the order lock', async () => {
    const { concertId } = await createConcert(db, {
      title: `Review pay clock ${Date.now()}`,
      artist: 'R',
      venue: 'V',
      dayOffsets: [20],
      sale: { maxActive: 1 },
    });
    const seats = await db.execute<{ id: number }>(sql`
      SELECT s.id FROM seats s JOIN schedules sc ON sc.id = s.schedule_id WHERE sc.concert_id = ${concertId} ORDER BY s.id LIMIT 2`);
    const fan = new TestUser(db, config);
    expect(await fan.join(concertId)).toMatchObject({ status: 'active' });
    await fan.api.wallet.charge({ amount: 1_000_000 });
    const paid = await fan.api.order.hold({ seatIds: [seats[0]!.id] });
    const other = await fan.api.order.hold({ seatIds: [seats[1]!.id] });
    // The other hold runs out in 1 s.
    await db.execute(sql`UPDATE orders SET held_until = clock_timestamp() + interval '1 second' WHERE id = ${other.orderId}`);
    await db.execute(sql`UPDATE reservations SET held_until = clock_timestamp() + interval '1 second' WHERE order_id = ${other.orderId}`);

    const locker = postgres(url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let rowLocked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (rowLocked = resolve));
    const locked = locker.begin(async (tx) => {
      await tx`SELECT 1 FROM orders WHERE id = ${paid.orderId} FOR UPDATE`; // e.g. a duplicate payment in flight
      rowLocked();
      await held;
    });
    try {
      await lockTaken;
      const paying = payOrder(db, config, { userId: fan.userId, orderId: paid.orderId });
      await new Promise((r) => setTimeout(r, 1_800));
      release();
      await paying;
    } finally {
      release();
      await locked;
      await locker.end();
    }
    const [token] = await db.execute<{ status: string; live_holds: number }>(sql`
      SELECT t.status, (SELECT count(*)::int FROM reservations r WHERE r.user_id = t.user_id AND r.status = 'held'
        AND r.held_until > clock_timestamp()) AS live_holds
      FROM queue_tokens t WHERE t.token = ${fan.token}`);
    expect(token).toEqual({ status: 'done', live_holds: 0 });
  }, 30_000);
});
