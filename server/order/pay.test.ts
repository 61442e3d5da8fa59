import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { idempotencyOf } from '@/server/idempotency/service';
import { checkInvariants } from '@/server/invariants';
import { pay, paymentLookup } from '@/server/payment/service';
import { createConcert } from '@/server/seed';
import { ledgerMismatches } from '@/server/testing/ledger';
import { useTestDatabase } from '@/server/testing/test-database';
import { testConfig, TestUser } from '@/server/testing/test-user';
import { orderPaymentLookup, payOrder } from './pay';

/** The payment statement (pay_order) under real races, called through the services, past the procedure rung. */

const { db, sql: client, url } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });

let concerts = 0;

/** An admitted fan with money, holding one seat of a concert of its own. */
async function fanHoldingOneSeat(balance: number) {
  const { concertId, scheduleIds } = await createConcert(db, {
    title: `Pay test ${++concerts}`,
    artist: 'A',
    venue: 'V',
    dayOffsets: [20],
  });
  const [seat] = await db.execute<{ id: number }>(sql`SELECT id FROM seats WHERE schedule_id = ${scheduleIds[0]!} ORDER BY id LIMIT 1`);
  const fan = new TestUser(db, config);
  expect(await fan.join(concertId)).toMatchObject({ status: 'active' });
  await fan.api.wallet.charge({ amount: balance });
  const hold = await fan.api.reservation.hold({ seatId: seat!.id });
  const [order] = await db.execute<{ order_id: number }>(sql`SELECT order_id::int FROM reservations WHERE id = ${hold.reservationId}`);
  return { fan, hold, orderId: order!.order_id };
}

async function moneyOf(userId: string) {
  const [row] = await db.execute<{ balance: number; payments: number; entries: number }>(sql`
    SELECT (SELECT balance FROM wallets WHERE user_id = ${userId}) AS balance,
      (SELECT count(*)::int FROM payments WHERE user_id = ${userId}) AS payments,
      (SELECT count(*)::int FROM ledger_entries WHERE user_id = ${userId} AND kind = 'payment') AS entries`);
  return row!;
}

const breached = async () => (await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0);

describe('pay_order under races', () => {
  it('moves the money once when payment.pay and order.pay of one order race, with keys and without', async () => {
    const { fan, hold, orderId } = await fanHoldingOneSeat(500_000);
    const userId = fan.userId;
    const calls = Array.from({ length: 16 }, (_, i) => {
      const key = i % 4 === 0 ? 'race-key-reservation' : i % 4 === 1 ? `race-key-${i}` : undefined;
      return i % 2 === 0
        ? pay(db, config, {
            userId,
            reservationId: hold.reservationId,
            idempotency: idempotencyOf('payment.pay', key, { reservationId: hold.reservationId }),
          }).then((r) => r.paymentId)
        : payOrder(db, config, { userId, orderId, idempotency: idempotencyOf('order.pay', key, { orderId }) }).then((r) => r.paymentId);
    });
    const paymentIds = await Promise.all(calls);
    expect(new Set(paymentIds).size).toBe(1);
    expect(await moneyOf(userId)).toEqual({ balance: 500_000 - hold.price, payments: 1, entries: 1 });
    expect(await ledgerMismatches(db)).toEqual([]);
    expect(await breached()).toEqual([]);
  });

  it('does not replay a refunded order as paid, and keeps no idempotency key of a refused call', async () => {
    const { fan, hold, orderId } = await fanHoldingOneSeat(500_000);
    const first = await payOrder(db, config, { userId: fan.userId, orderId });
    expect(await paymentLookup(db, { userId: fan.userId, reservationId: hold.reservationId })).toMatchObject({
      replay: { paymentId: first.paymentId },
    });
    await fan.api.order.cancel({ orderId });
    expect(await paymentLookup(db, { userId: fan.userId, reservationId: hold.reservationId })).toEqual({
      replay: undefined,
      concertId: fan.concertId,
    });
    const refused = payOrder(db, config, {
      userId: fan.userId,
      orderId,
      idempotency: idempotencyOf('order.pay', 'after-refund-key', { orderId }),
    });
    await expect(refused).rejects.toMatchObject({ reason: 'RESERVATION_EXPIRED' });
    const [kept] = await db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE user_id = ${fan.userId} AND key = 'after-refund-key'`,
    );
    expect(kept!.n).toBe(0);
    expect(first.amount).toBe(hold.price);
    expect(await moneyOf(fan.userId)).toMatchObject({ balance: 500_000, payments: 1 });
    expect(await breached()).toEqual([]);
  });

  it('judges the hold by the clock after waiting for the order’s lock: a hold that ran out meanwhile is refused', async () => {
    const { fan, orderId } = await fanHoldingOneSeat(500_000);
    const locker = postgres(url, { max: 1, onnotice: () => {} });
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // Another transaction holds the order while its hold runs out (at commit it has 300 ms left; it commits 600 ms later).
    const holding = locker.begin(async (tx) => {
      await tx`SELECT id FROM orders WHERE id = ${orderId} FOR UPDATE`;
      locked();
      await tx`SELECT pg_sleep(0.3)`;
      await tx`UPDATE orders SET held_until = clock_timestamp() + interval '300 milliseconds' WHERE id = ${orderId}`;
      await tx`UPDATE reservations SET held_until = clock_timestamp() + interval '300 milliseconds' WHERE order_id = ${orderId}`;
      await tx`SELECT pg_sleep(0.6)`;
    });
    try {
      await lockTaken;
      const paying = payOrder(db, config, { userId: fan.userId, orderId });
      await expect(paying).rejects.toMatchObject({ reason: 'RESERVATION_EXPIRED' });
      await holding;
    } finally {
      await locker.end();
    }
    expect(await moneyOf(fan.userId)).toMatchObject({ balance: 500_000, payments: 0 });
  });

  it('answers a short balance with its facts and an unknown order as NOT_FOUND, moving nothing', async () => {
    const { fan, hold, orderId } = await fanHoldingOneSeat(1_000);
    await expect(payOrder(db, config, { userId: fan.userId, orderId })).rejects.toMatchObject({
      reason: 'INSUFFICIENT_BALANCE',
      details: { balance: 1_000, price: hold.price, shortfall: hold.price - 1_000 },
    });
    await expect(payOrder(db, config, { userId: fan.userId, orderId: 987_654_321 })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    await expect(pay(db, config, { userId: fan.userId, reservationId: 987_654_321 })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    expect(await moneyOf(fan.userId)).toEqual({ balance: 1_000, payments: 0, entries: 0 });
  });

  it('looks up, in one statement, the concert of an order and the payment a call repeats (order.pay’s rung)', async () => {
    const { fan, orderId } = await fanHoldingOneSeat(500_000);
    const userId = fan.userId;
    const key = idempotencyOf('order.pay', 'lookup-key-1', { orderId });
    expect(await orderPaymentLookup(db, { userId, orderId: 987_654_321 })).toEqual({ replay: undefined, concertId: undefined });
    expect(await orderPaymentLookup(db, { userId, orderId, idempotency: key })).toEqual({ replay: undefined, concertId: fan.concertId });
    const paid = await payOrder(db, config, { userId, orderId, idempotency: key });
    expect(await orderPaymentLookup(db, { userId, orderId, idempotency: key })).toEqual({ replay: paid, concertId: fan.concertId });
    expect(await orderPaymentLookup(db, { userId, orderId })).toEqual({ replay: paid, concertId: fan.concertId });
    const stranger = await fanHoldingOneSeat(1);
    expect(await orderPaymentLookup(db, { userId: stranger.fan.userId, orderId })).toEqual({ replay: undefined, concertId: undefined });
    await expect(
      orderPaymentLookup(db, { userId, orderId, idempotency: idempotencyOf('order.pay', 'lookup-key-1', { orderId: orderId + 1 }) }),
    ).rejects.toMatchObject({ reason: 'IDEMPOTENCY_KEY_REUSED' });
    await fan.api.order.cancel({ orderId });
    // Refunded: no longer paid, so not a replay (the key still answers its first call).
    expect(await orderPaymentLookup(db, { userId, orderId })).toEqual({ replay: undefined, concertId: fan.concertId });
  });
});
