import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { holdSeats } from './hold';
import { payOrder } from './pay';
import { createConcert } from '@/server/seed';
import { useTestDatabase } from '@/server/testing/test-database';
import { testConfig, TestUser } from '@/server/testing/test-user';

/**
 * A hold and a payment judge time by the clock after their lock waits (clock_timestamp(), not the
 * statement's start): a turn that ran out while hold_seats waited for the fan's row gets no hold (and
 * is not revived), and another hold that ran out while pay_order waited for the order does not keep
 * the payer's turn (and its slot) alive.
 */

const { db, url } = await useTestDatabase();
const config = testConfig();

describe('the clock after a lock wait', () => {
  it('refuses a hold whose turn ran out while it waited for the user row', async () => {
    const { concertId } = await createConcert(db, {
      title: `Hold clock ${Date.now()}`,
      artist: 'R',
      venue: 'V',
      dayOffsets: [20],
      sale: { maxActive: 10 },
    });
    const [seat] = await db.execute<{ id: number }>(sql`
      SELECT s.id FROM seats s JOIN schedules sc ON sc.id = s.schedule_id WHERE sc.concert_id = ${concertId} ORDER BY s.id LIMIT 1`);
    const fan = new TestUser(db, config);
    expect(await fan.join(concertId)).toMatchObject({ status: 'active' });
    // The turn runs out 1.5 s from now.
    const [token] = await db.execute<{ id: number; expires_at: Date }>(sql`
      UPDATE queue_tokens SET expires_at = clock_timestamp() + interval '1.5 seconds'
      WHERE token = ${fan.token} RETURNING id::int, expires_at`);

    const locker = postgres(url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let rowLocked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (rowLocked = resolve));
    const locked = locker.begin(async (tx) => {
      await tx`SELECT 1 FROM users WHERE id = ${fan.userId} FOR UPDATE`;
      rowLocked();
      await held;
    });
    let outcome: unknown;
    try {
      await lockTaken;
      // The procedure rung has checked the turn (it is running): the hold starts now and waits for the row.
      const holding = holdSeats(db, config, {
        userId: fan.userId,
        token: { id: token!.id, concertId, expiresAt: new Date(token!.expires_at) },
        seatIds: [seat!.id],
      }).then(
        (order) => ({ held: order.orderId }),
        (error: unknown) => ({ refused: (error as { reason?: string }).reason ?? String(error) }),
      );
      await new Promise((r) => setTimeout(r, 2_500)); // the turn runs out meanwhile
      release();
      outcome = await holding;
    } finally {
      release();
      await locked;
      await locker.end();
    }
    const [after] = await db.execute<{ status: string; extended: boolean }>(sql`
      SELECT status, expires_at > clock_timestamp() AS extended FROM queue_tokens WHERE token = ${fan.token}`);
    expect({ outcome, token: after }).toEqual({ outcome: { refused: 'TOKEN_EXPIRED' }, token: { status: 'active', extended: false } });
  }, 30_000);

  it('ends the turn when the only other hold ran out while the payment waited for the order lock', async () => {
    const { concertId } = await createConcert(db, {
      title: `Pay clock ${Date.now()}`,
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
