import { sql } from 'drizzle-orm';
import { invalidateSeatMap } from '@/server/concert/seat-map';
import { describe, expect, it } from 'vitest';
import { createConcert } from '@/server/seed';
import { checkInvariants } from '@/server/invariants';
import { runOutHold } from '@/server/testing/clock';
import { ledgerMismatches } from '@/server/testing/ledger';
import { useTestDatabase } from '@/server/testing/test-database';
import { QUEUE_TOKEN_HEADER } from '@/server/queue/cookies';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';

const { db, sql: client } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });

const BOOKING_CODE = /^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$/;

let concerts = 0;
/** A concert of its own with these dates (the demo seat map: VIP A–B, R C–E, S F–H, ten seats a row). */
async function freshConcert(dayOffsets: number[]) {
  const { concertId, scheduleIds } = await createConcert(db, {
    title: `Order test ${++concerts}`,
    artist: 'A',
    venue: 'V',
    dayOffsets,
  });
  return Promise.all(
    scheduleIds.map(async (scheduleId) => {
      const rows = await db.execute<{ id: number; row: string; number: number; price: number }>(
        sql`SELECT id, row, number, price FROM seats WHERE schedule_id = ${scheduleId} ORDER BY id`,
      );
      /** The seat's id by its row letter and number, e.g. seat('A', 5). */
      const seat = (row: string, number: number) => rows.find((s) => s.row === row && s.number === number)!.id;
      return {
        concertId,
        scheduleId,
        seatIds: rows.map((r) => r.id),
        seat,
        priceOf: (id: number) => rows.find((r) => r.id === id)!.price,
      };
    }),
  );
}

/** A concert of its own with one date. */
async function freshDate(dayOffset = 20) {
  const [date] = await freshConcert([dayOffset]);
  return date!;
}

const breachedInvariants = async () =>
  (await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0);

async function count(query: ReturnType<typeof sql>) {
  const [row] = await db.execute<{ n: number }>(query);
  return row!.n;
}

/** A fan with an active turn in the concert's line (the one whose seats it acts on) and money in the wallet. */
async function fanWith(balance: number, concertId: number) {
  const fan = new TestUser(db, config);
  expect(await fan.join(concertId)).toMatchObject({ status: 'active' });
  if (balance > 0) await fan.api.wallet.charge({ amount: balance });
  return fan;
}

describe('order.hold', () => {
  it('holds several seats of one date as one order with one hold clock', async () => {
    const date = await freshDate();
    const fan = await fanWith(0, date.concertId);
    const seatIds = [date.seat('A', 6), date.seat('A', 5)];
    const order = await fan.api.order.hold({ seatIds });
    expect(order).toEqual({
      orderId: expect.any(Number),
      status: 'held',
      seats: [
        { seatId: date.seat('A', 5), label: 'VIP A-5', section: 'VIP', row: 'A', number: 5, price: 165_000 },
        { seatId: date.seat('A', 6), label: 'VIP A-6', section: 'VIP', row: 'A', number: 6, price: 165_000 },
      ],
      total: 330_000,
      heldUntil: expect.any(String),
    });
    const seconds = (Date.parse(order.heldUntil) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(config.HOLD_TTL_SECONDS - 5);
    // One clock: every reservation of the order holds until the order does.
    const clocks = await db.execute<{ held_until: string }>(
      sql`SELECT DISTINCT held_until FROM reservations WHERE order_id = ${order.orderId}`,
    );
    expect(clocks.map((c) => new Date(c.held_until).toISOString())).toEqual([order.heldUntil]);
    expect(Date.parse((await fan.api.queue.status()).activeUntil!)).toBeGreaterThanOrEqual(Date.parse(order.heldUntil));
    const map = await fan.api.concert.seats({ scheduleId: date.scheduleId });
    expect(map.filter((s) => s.mine).map((s) => s.seatId)).toEqual([date.seat('A', 5), date.seat('A', 6)]);
    // Asking again for the same seats (a double click) returns the same order.
    expect(await fan.api.order.hold({ seatIds })).toEqual(order);
    expect(await count(sql`SELECT count(*)::int AS n FROM orders WHERE user_id = ${fan.userId}`)).toBe(1);
  });

  it('holds none when any seat is taken, naming the taken ones', async () => {
    const date = await freshDate();
    const [alice, bob] = [await fanWith(0, date.concertId), await fanWith(0, date.concertId)];
    await alice.api.order.hold({ seatIds: [date.seat('B', 3)] });
    const error = await expectFailure(
      bob.api.order.hold({ seatIds: [date.seat('B', 1), date.seat('B', 2), date.seat('B', 3)] }),
      'CONFLICT',
      'SEAT_UNAVAILABLE',
    );
    expect(error.cause).toMatchObject({ details: { seatIds: [date.seat('B', 3)] } });
    expect(await count(sql`SELECT count(*)::int AS n FROM orders WHERE user_id = ${bob.userId}`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM reservations WHERE user_id = ${bob.userId}`)).toBe(0);
    // A seat the fan holds in another order is taken too: one seat, one order.
    const mine = await bob.api.order.hold({ seatIds: [date.seat('B', 1)] });
    const again = await expectFailure(
      bob.api.order.hold({ seatIds: [date.seat('B', 1), date.seat('B', 2)] }),
      'CONFLICT',
      'SEAT_UNAVAILABLE',
    );
    expect(again.cause).toMatchObject({ details: { seatIds: [date.seat('B', 1)] } });
    expect((await bob.api.order.get({ orderId: mine.orderId })).seats).toHaveLength(1);
  });

  it('gives overlapping sets of four to exactly one of two fans at once, all or nothing, round after round', async () => {
    const ROUNDS = 8;
    let sawConflict = 0;
    const scheduleIds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // A date of its own each round (the purchase limit is per show); fans want A1–A4 and A3–A6.
      const date = await freshDate();
      scheduleIds.push(date.scheduleId);
      const six = Array.from({ length: 6 }, (_, i) => date.seat('A', i + 1));
      const [alice, bob] = [await fanWith(0, date.concertId), await fanWith(0, date.concertId)];
      const results = await Promise.allSettled([
        alice.api.order.hold({ seatIds: six.slice(0, 4) }),
        bob.api.order.hold({ seatIds: six.slice(2, 6).reverse() }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') {
          sawConflict++;
          expect(r.reason).toMatchObject({ code: 'CONFLICT', cause: { reason: 'SEAT_UNAVAILABLE' } });
          const taken = (r.reason as { cause: { details: { seatIds: number[] } } }).cause.details.seatIds;
          expect(taken.length).toBeGreaterThan(0);
          for (const id of taken) expect(six.slice(2, 4)).toContain(id);
        }
      }
    }
    expect(sawConflict).toBeGreaterThan(0);
    // No partial orders, no seat held twice.
    expect(
      await count(sql`
        SELECT count(*)::int AS n FROM orders o
        WHERE o.schedule_id IN ${scheduleIds} AND (SELECT count(*) FROM reservations r WHERE r.order_id = o.id) <> 4`),
    ).toBe(0);
    expect(await breachedInvariants()).toEqual([]);
  });

  it('counts the hold limit across orders, then the purchase limit of the show', async () => {
    const date = await freshDate();
    const fan = await fanWith(1_000_000, date.concertId);
    const first = await fan.api.order.hold({ seatIds: [date.seat('F', 1), date.seat('F', 2)] });
    await expectFailure(
      fan.api.order.hold({ seatIds: [date.seat('F', 4), date.seat('F', 5), date.seat('F', 6)] }),
      'CONFLICT',
      'HOLD_LIMIT',
    ).then((e) => expect(e.cause).toMatchObject({ details: { limit: config.HOLD_MAX_PER_USER } }));
    const second = await fan.api.order.hold({ seatIds: [date.seat('G', 1)] });
    expect(second.status).toBe('held');
    // Bought seats no longer count as held, but they count for the show: 2 bought + 1 held + 2 > 4.
    await fan.api.order.pay({ orderId: first.orderId });
    await expectFailure(fan.api.order.hold({ seatIds: [date.seat('G', 3), date.seat('G', 4)] }), 'CONFLICT', 'PURCHASE_LIMIT');
    const third = await fan.api.order.hold({ seatIds: [date.seat('G', 3)] });
    expect(third.status).toBe('held');
    expect(await breachedInvariants()).toEqual([]);
  });

  it('refuses a repeated seat, an empty list, too many seats and seats of two dates as INVALID_INPUT', async () => {
    // Two dates of one concert (a token is for one concert's line).
    const [a, b] = (await freshConcert([20, 21])) as [Awaited<ReturnType<typeof freshDate>>, Awaited<ReturnType<typeof freshDate>>];
    const fan = await fanWith(0, a.concertId);
    await expectFailure(fan.api.order.hold({ seatIds: [a.seat('A', 1), a.seat('A', 1)] }), 'BAD_REQUEST', 'INVALID_INPUT');
    await expectFailure(fan.api.order.hold({ seatIds: [] }), 'BAD_REQUEST', 'INVALID_INPUT');
    await expectFailure(fan.api.order.hold({ seatIds: [1, 2, 3, 4, 5].map((n) => a.seat('A', n)) }), 'BAD_REQUEST', 'INVALID_INPUT');
    await expectFailure(fan.api.order.hold({ seatIds: [a.seat('A', 1), b.seat('A', 2)] }), 'BAD_REQUEST', 'INVALID_INPUT');
    await expectFailure(fan.api.order.hold({ seatIds: [a.seat('A', 1), 2_000_000_000] }), 'NOT_FOUND', 'NOT_FOUND');
    expect(await count(sql`SELECT count(*)::int AS n FROM orders WHERE user_id = ${fan.userId}`)).toBe(0);
  });
});

describe('order.pay', () => {
  it('pays the whole order once: one payment, one ledger entry, a booking code, every seat sold, the turn ended', async () => {
    const date = await freshDate();
    const fan = await fanWith(500_000, date.concertId);
    const order = await fan.api.order.hold({ seatIds: [date.seat('C', 4), date.seat('C', 5)] });
    const paid = await fan.api.order.pay({ orderId: order.orderId });
    expect(paid).toEqual({
      orderId: order.orderId,
      bookingCode: expect.stringMatching(BOOKING_CODE),
      paymentId: expect.any(Number),
      amount: 264_000,
      balance: 236_000,
    });
    expect(await count(sql`SELECT count(*)::int AS n FROM payments WHERE order_id = ${order.orderId}`)).toBe(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM ledger_entries WHERE payment_id = ${paid.paymentId}`)).toBe(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM reservations WHERE order_id = ${order.orderId} AND status = 'confirmed'`)).toBe(
      2,
    );
    expect(await fan.api.queue.status()).toMatchObject({ status: 'expired' });
    // Paying again needs only the session and returns the first payment.
    expect(await fan.api.order.pay({ orderId: order.orderId })).toEqual(paid);
    const other = await fanWith(0, date.concertId);
    const map = await other.api.concert.seats({ scheduleId: date.scheduleId });
    expect(map.filter((s) => order.seats.some((o) => o.seatId === s.seatId)).map((s) => s.status)).toEqual(['sold', 'sold']);
    expect(await ledgerMismatches(db)).toEqual([]);
  });

  it('charges once when the same order is paid many times at once, and with idempotency keys', async () => {
    const date = await freshDate();
    const fan = await fanWith(1_000_000, date.concertId);
    const order = await fan.api.order.hold({ seatIds: [date.seat('D', 1), date.seat('D', 2), date.seat('D', 3)] });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fan.api.order.pay({ orderId: order.orderId, idempotencyKey: i % 2 ? 'pay-order-key-1' : undefined }),
      ),
    );
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]!.balance).toBe(1_000_000 - 396_000);
    expect(await count(sql`SELECT count(*)::int AS n FROM payments WHERE order_id = ${order.orderId}`)).toBe(1);
    expect(await fan.api.order.pay({ orderId: order.orderId, idempotencyKey: 'pay-order-key-1' })).toEqual(results[0]);
    // The same key for another request is refused.
    const again = await fanWith(0, date.concertId);
    await again.api.wallet.charge({ amount: 1_000, idempotencyKey: 'shared-key-123' });
    const otherOrder = await again.api.order.hold({ seatIds: [date.seat('D', 9)] });
    await expectFailure(
      again.api.order.pay({ orderId: otherOrder.orderId, idempotencyKey: 'shared-key-123' }),
      'CONFLICT',
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(await ledgerMismatches(db)).toEqual([]);
    expect(await breachedInvariants()).toEqual([]);
  });

  it('refuses a short balance, an expired hold, a cancelled one and another fan’s order', async () => {
    const date = await freshDate();
    const fan = await fanWith(100_000, date.concertId);
    const order = await fan.api.order.hold({ seatIds: [date.seat('E', 1), date.seat('E', 2)] });
    const short = await expectFailure(fan.api.order.pay({ orderId: order.orderId }), 'PAYMENT_REQUIRED', 'INSUFFICIENT_BALANCE');
    expect(short.cause).toMatchObject({ details: { balance: 100_000, price: 264_000, shortfall: 164_000 } });
    const stranger = await fanWith(1_000_000, date.concertId);
    await expectFailure(stranger.api.order.pay({ orderId: order.orderId }), 'NOT_FOUND', 'NOT_FOUND');
    await db.execute(sql`UPDATE orders SET held_until = now() - interval '1 second' WHERE id = ${order.orderId}`);
    await db.execute(sql`UPDATE reservations SET held_until = now() - interval '1 second' WHERE order_id = ${order.orderId}`);
    await fan.api.wallet.charge({ amount: 200_000 });
    await expectFailure(fan.api.order.pay({ orderId: order.orderId }), 'CONFLICT', 'RESERVATION_EXPIRED');
    const second = await fan.api.order.hold({ seatIds: [date.seat('E', 1)] });
    await fan.api.order.cancel({ orderId: second.orderId });
    await expectFailure(fan.api.order.pay({ orderId: second.orderId }), 'CONFLICT', 'RESERVATION_EXPIRED');
    expect(await count(sql`SELECT count(*)::int AS n FROM payments WHERE user_id = ${fan.userId}`)).toBe(0);
  });

  it('pays a reservation.hold through payment.pay as a one-seat order, answering as before', async () => {
    const date = await freshDate();
    const fan = await fanWith(200_000, date.concertId);
    const hold = await fan.api.reservation.hold({ seatId: date.seat('H', 5) });
    const paid = await fan.api.payment.pay({ reservationId: hold.reservationId });
    expect(paid).toEqual({ paymentId: expect.any(Number), reservationId: hold.reservationId, amount: 99_000, balance: 101_000 });
    const [order] = await fan.api.order.list();
    expect(order).toMatchObject({
      status: 'confirmed',
      total: 99_000,
      seats: [{ seatId: hold.seatId }],
      bookingCode: expect.stringMatching(BOOKING_CODE),
    });
  });
});

describe('one line per concert', () => {
  it('refuses another concert’s token on order.hold, order.pay and concert.bestAvailable; paying ends the order’s line’s turn only', async () => {
    const [a, b] = [await freshDate(), await freshDate()];
    const fan = await fanWith(500_000, a.concertId);
    expect(await fan.join(b.concertId)).toMatchObject({ status: 'active' });
    const order = await fan.api.order.hold({ seatIds: [a.seat('C', 7)] }); // the cookies pick a's line
    // The header names one token: b's, used on a's seats and order.
    fan.headers.set(QUEUE_TOKEN_HEADER, fan.token);
    await expectFailure(fan.api.order.hold({ seatIds: [a.seat('C', 8)] }), 'FORBIDDEN', 'TOKEN_WRONG_SALE');
    await expectFailure(fan.api.order.pay({ orderId: order.orderId }), 'FORBIDDEN', 'TOKEN_WRONG_SALE');
    await expectFailure(fan.api.concert.bestAvailable({ scheduleId: a.scheduleId, quantity: 1 }), 'FORBIDDEN', 'TOKEN_WRONG_SALE');
    expect(await count(sql`SELECT count(*)::int AS n FROM payments WHERE order_id = ${order.orderId}`)).toBe(0);
    fan.headers.delete(QUEUE_TOKEN_HEADER);
    await fan.api.order.pay({ orderId: order.orderId });
    expect(await fan.api.queue.status({ concertId: a.concertId })).toMatchObject({ status: 'expired' });
    expect(await fan.api.queue.status({ concertId: b.concertId })).toMatchObject({ status: 'active' });
    expect(await breachedInvariants()).toEqual([]);
  });
});

describe('order.list and order.get', () => {
  it('need the session only, newest first, never another fan’s, and read a run-out hold as expired', async () => {
    const date = await freshDate();
    const fan = await fanWith(500_000, date.concertId);
    const held = await fan.api.order.hold({ seatIds: [date.seat('A', 1)] });
    const bought = await fan.api.order.hold({ seatIds: [date.seat('A', 9), date.seat('A', 10)] });
    await runOutHold(db, (await db.execute<{ id: number }>(sql`SELECT id::int FROM reservations WHERE order_id = ${held.orderId}`))[0]!.id);
    await db.execute(sql`UPDATE orders SET held_until = now() - interval '1 second' WHERE id = ${held.orderId}`);
    const paid = await fan.api.order.pay({ orderId: bought.orderId });

    // The turn has ended (paying ended it): no token is needed to read what was bought.
    expect(await fan.api.queue.status()).toMatchObject({ status: 'expired' });
    const list = await fan.api.order.list();
    expect(list.map((o) => [o.orderId, o.status])).toEqual([
      [bought.orderId, 'confirmed'],
      [held.orderId, 'expired'],
    ]);
    const got = await fan.api.order.get({ orderId: bought.orderId });
    expect(got).toEqual({
      orderId: bought.orderId,
      status: 'confirmed',
      bookingCode: paid.bookingCode,
      ticketRef: expect.stringMatching(/^T1\./),
      concertId: date.concertId,
      concertTitle: expect.stringMatching(/^Order test/),
      venue: 'V',
      scheduleId: date.scheduleId,
      startsAt: expect.any(String),
      seats: bought.seats,
      tickets: bought.seats.map((seat, i) => ({
        reference: `${paid.bookingCode}-${i + 1}`,
        seatId: seat.seatId,
        seat: seat.label,
        price: seat.price,
        state: 'valid',
        holderName: expect.any(String),
        transfer: null,
        entry: null,
      })),
      total: 330_000,
      heldUntil: bought.heldUntil,
      createdAt: expect.any(String),
    });
    expect(list[0]).toEqual(got);
    expect(list[1]!.ticketRef).toBeNull();
    expect(list[1]!.tickets).toEqual([]);

    const stranger = await new TestUser(db, config).start();
    expect(await stranger.api.order.list()).toEqual([]);
    await expectFailure(stranger.api.order.get({ orderId: bought.orderId }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(stranger.api.order.cancel({ orderId: bought.orderId }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(new TestUser(db, config).api.order.list(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
  });
});

describe('order.cancel', () => {
  it('releases a held order at any time; again, the same answer', async () => {
    const date = await freshDate();
    const fan = await fanWith(10_000, date.concertId);
    const order = await fan.api.order.hold({ seatIds: [date.seat('B', 5), date.seat('B', 6)] });
    const cancelled = await fan.api.order.cancel({ orderId: order.orderId });
    expect(cancelled).toEqual({ orderId: order.orderId, status: 'cancelled', refunded: 0, balance: 10_000 });
    expect(await fan.api.order.cancel({ orderId: order.orderId })).toEqual(cancelled);
    const map = await fan.api.concert.seats({ scheduleId: date.scheduleId });
    expect(map.filter((s) => s.seatId === date.seat('B', 5) || s.seatId === date.seat('B', 6)).map((s) => s.status)).toEqual([
      'available',
      'available',
    ]);
    // The seats are free for someone else at once.
    const other = await fanWith(0, date.concertId);
    expect((await other.api.order.hold({ seatIds: [date.seat('B', 5), date.seat('B', 6)] })).status).toBe('held');
  });

  it('refunds a paid order before the deadline: the money back, a refund entry, the seats on sale again', async () => {
    const date = await freshDate();
    const fan = await fanWith(400_000, date.concertId);
    const order = await fan.api.order.hold({ seatIds: [date.seat('C', 1), date.seat('C', 2)] });
    const paid = await fan.api.order.pay({ orderId: order.orderId });
    expect(paid.balance).toBe(136_000);
    const refund = await fan.api.order.cancel({ orderId: order.orderId, idempotencyKey: 'refund-key-1' });
    expect(refund).toEqual({ orderId: order.orderId, status: 'refunded', refunded: 264_000, balance: 400_000 });
    expect(await fan.api.order.cancel({ orderId: order.orderId })).toEqual(refund);
    expect(await fan.api.order.cancel({ orderId: order.orderId, idempotencyKey: 'refund-key-1' })).toEqual(refund);
    expect((await fan.api.order.get({ orderId: order.orderId })).status).toBe('refunded');
    expect(
      await count(
        sql`SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'refund' AND payment_id = ${paid.paymentId} AND amount = 264000`,
      ),
    ).toBe(1);
    // A refunded order is not paid any more: paying it again is refused (not answered as paid) and moves nothing.
    await fan.join(date.concertId);
    await expectFailure(fan.api.order.pay({ orderId: order.orderId }), 'CONFLICT', 'RESERVATION_EXPIRED');
    const [seat] = (await fan.api.order.get({ orderId: order.orderId })).seats;
    const reservationId = (await fan.api.reservation.list()).find((r) => r.seatId === seat!.seatId)!.reservationId;
    await expectFailure(fan.api.payment.pay({ reservationId }), 'CONFLICT', 'RESERVATION_EXPIRED');
    expect((await fan.api.wallet.balance()).balance).toBe(400_000);
    expect((await fan.api.wallet.history()).entries[0]).toMatchObject({
      kind: 'refund',
      amount: 264_000,
      balanceAfter: 400_000,
      paymentId: paid.paymentId,
    });
    const other = await fanWith(0, date.concertId);
    const seats = await other.api.concert.seats({ scheduleId: date.scheduleId });
    expect(seats.filter((s) => s.seatId === date.seat('C', 1)).map((s) => s.status)).toEqual(['available']);
    const dates = await other.api.concert.dates({ concertId: date.concertId });
    expect(dates[0]!.availableSeats).toBe(dates[0]!.totalSeats);
    expect(await ledgerMismatches(db)).toEqual([]);
    expect(await breachedInvariants()).toEqual([]);
  });

  it('refunds exactly once under concurrent cancels', async () => {
    const date = await freshDate();
    const fan = await fanWith(300_000, date.concertId);
    const order = await fan.api.order.hold({ seatIds: [date.seat('G', 5), date.seat('G', 6)] });
    const paid = await fan.api.order.pay({ orderId: order.orderId });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fan.api.order.cancel({ orderId: order.orderId, idempotencyKey: i % 3 === 0 ? 'cancel-key-1' : undefined }),
      ),
    );
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]).toEqual({ orderId: order.orderId, status: 'refunded', refunded: 198_000, balance: 300_000 });
    expect(await count(sql`SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'refund' AND payment_id = ${paid.paymentId}`)).toBe(
      1,
    );
    expect(await ledgerMismatches(db)).toEqual([]);
    expect(await breachedInvariants()).toEqual([]);
  });

  it('refuses a refund after REFUND_DEADLINE_HOURS before the show, with the deadline, and moves nothing', async () => {
    const date = await freshDate();
    const fan = await fanWith(200_000, date.concertId);
    const order = await fan.api.order.hold({ seatIds: [date.seat('H', 1)] });
    await fan.api.order.pay({ orderId: order.orderId });
    await db.execute(sql`UPDATE schedules SET starts_at = now() + interval '23 hours' WHERE id = ${date.scheduleId}`);
    const closed = await expectFailure(fan.api.order.cancel({ orderId: order.orderId }), 'CONFLICT', 'REFUND_CLOSED');
    const deadline = Date.parse((closed.cause as unknown as { details: { deadline: string } }).details.deadline);
    expect(Math.abs(deadline - (Date.now() - 3_600_000))).toBeLessThan(60_000);
    expect((await fan.api.order.get({ orderId: order.orderId })).status).toBe('confirmed');
    expect(await count(sql`SELECT count(*)::int AS n FROM ledger_entries WHERE user_id = ${fan.userId} AND kind = 'refund'`)).toBe(0);
    // With a shorter deadline configured, the same order can still be refunded.
    const lenient = new TestUser(db, { ...config, REFUND_DEADLINE_HOURS: 1 });
    for (const [name, value] of fan.cookies) lenient.cookies.set(name, value);
    expect(await lenient.api.order.cancel({ orderId: order.orderId })).toMatchObject({ status: 'refunded', refunded: 99_000 });
    // reservation.cancel still refuses a paid ticket instead of refunding it.
    const second = await fanWith(200_000, date.concertId);
    const hold = await second.api.reservation.hold({ seatId: date.seat('H', 2) });
    await second.api.payment.pay({ reservationId: hold.reservationId });
    await second.join(date.concertId);
    await expectFailure(second.api.reservation.cancel({ reservationId: hold.reservationId }), 'CONFLICT', 'RESERVATION_CONFIRMED');
    expect(await breachedInvariants()).toEqual([]);
  });
});

describe('concert.bestAvailable', () => {
  it('suggests adjacent seats nearest the stage and the centre, never stranding one, within a section, holding nothing', async () => {
    const date = await freshDate();
    const fan = await fanWith(0, date.concertId);
    const best = (quantity: number, section?: string) => fan.api.concert.bestAvailable({ scheduleId: date.scheduleId, quantity, section });
    expect(await best(2)).toEqual({ seatIds: [date.seat('A', 5), date.seat('A', 6)] });
    expect(await count(sql`SELECT count(*)::int AS n FROM reservations WHERE schedule_id = ${date.scheduleId}`)).toBe(0);
    // A3 and A8 taken: in A4–A7 the centre pair 5–6 would leave 4 and 7 alone, so 4–5 (as near as 6–7,
    // lower numbers first). Three don't fit in row A without stranding one: row B's centre.
    const other = await fanWith(0, date.concertId);
    await other.api.order.hold({ seatIds: [date.seat('A', 3), date.seat('A', 8)] });
    expect(await best(2)).toEqual({ seatIds: [date.seat('A', 4), date.seat('A', 5)] });
    expect(await best(3)).toEqual({ seatIds: [date.seat('B', 4), date.seat('B', 5), date.seat('B', 6)] });
    expect(await best(4, 'S')).toEqual({ seatIds: [date.seat('F', 4), date.seat('F', 5), date.seat('F', 6), date.seat('F', 7)] });
    expect(await best(2, 'Nowhere')).toEqual({ seatIds: [] });
    // The suggestion can be held as an order.
    const suggestion = await best(4, 'R');
    expect((await fan.api.order.hold({ seatIds: suggestion.seatIds })).seats.map((s) => s.seatId)).toEqual(suggestion.seatIds);
    await expectFailure(best(config.HOLD_MAX_PER_USER + 1), 'BAD_REQUEST', 'INVALID_INPUT');
    await expectFailure(fan.api.concert.bestAvailable({ scheduleId: 2_000_000_000, quantity: 1 }), 'NOT_FOUND', 'NOT_FOUND');
  });

  it('answers an empty list for a sold-out date', async () => {
    const date = await freshDate();
    const fan = await fanWith(0, date.concertId);
    // Every seat taken by one long hold (straight in the database: far past any limit, for this test only).
    const [holder] = await db.execute<{ id: string }>(sql`SELECT id FROM users WHERE id <> ${fan.userId} LIMIT 1`);
    await db.execute(sql`
      WITH o AS (
        INSERT INTO orders (user_id, schedule_id, total, held_until)
        SELECT ${holder!.id}, ${date.scheduleId}, sum(price), now() + interval '1 hour' FROM seats WHERE schedule_id = ${date.scheduleId} RETURNING id)
      INSERT INTO reservations (user_id, order_id, seat_id, schedule_id, price, status, held_until)
      SELECT ${holder!.id}, o.id, s.id, s.schedule_id, s.price, 'held', now() + interval '1 hour' FROM seats s, o WHERE s.schedule_id = ${date.scheduleId}`);
    // Those writes stand in for another process, whose change shows here within SEAT_MAP_MAX_AGE_MS: dropped at once instead.
    invalidateSeatMap(date.scheduleId);
    expect(await fan.api.concert.bestAvailable({ scheduleId: date.scheduleId, quantity: 1 })).toEqual({ seatIds: [] });
    await db.execute(sql`UPDATE reservations SET status = 'cancelled' WHERE schedule_id = ${date.scheduleId}`);
    await db.execute(sql`UPDATE orders SET status = 'cancelled' WHERE schedule_id = ${date.scheduleId}`);
    invalidateSeatMap(date.scheduleId);
    expect((await fan.api.concert.bestAvailable({ scheduleId: date.scheduleId, quantity: 1 })).seatIds).toHaveLength(1);
  });
});

describe('the invariant check', () => {
  it('notices a refund without its entry, a refunded seat still taken, and a paid order without its payment', async () => {
    const date = await freshDate();
    const fan = await fanWith(500_000, date.concertId);
    const order = await fan.api.order.hold({ seatIds: [date.seat('D', 4), date.seat('D', 5)] });
    const paid = await fan.api.order.pay({ orderId: order.orderId });
    await fan.api.order.cancel({ orderId: order.orderId });
    expect(await breachedInvariants()).toEqual([]);
    const names = async () => (await breachedInvariants()).map((r) => r.name);

    // A refunded order whose seats are still sold to it.
    await db.execute(sql`UPDATE reservations SET status = 'confirmed' WHERE order_id = ${order.orderId}`);
    expect(await names()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^a refunded, cancelled or expired order’s seats have no live reservation/)]),
    );
    await db.execute(sql`UPDATE reservations SET status = 'cancelled' WHERE order_id = ${order.orderId}`);

    // A refund entry that is gone (the balance no longer matches either).
    await db.execute(sql`DELETE FROM ledger_entries WHERE payment_id = ${paid.paymentId} AND kind = 'refund'`);
    expect(await names()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^every balance equals the sum of its ledger/),
        expect.stringMatching(/^a refunded order has exactly one refund entry/),
      ]),
    );
    await db.execute(sql`
      INSERT INTO ledger_entries (user_id, kind, amount, balance_after, payment_id)
      VALUES (${fan.userId}, 'refund', 264000, 500000, ${paid.paymentId})`);
    expect(await breachedInvariants()).toEqual([]);

    // A paid order with no payment: another order marked confirmed behind the service's back.
    const held = await (await fanWith(0, date.concertId)).api.order.hold({ seatIds: [date.seat('D', 8)] });
    await db.execute(sql`UPDATE orders SET status = 'confirmed', booking_code = 'AAA-AAA-AAA' WHERE id = ${held.orderId}`);
    await db.execute(sql`UPDATE reservations SET status = 'confirmed' WHERE order_id = ${held.orderId}`);
    expect(await names()).toEqual([
      expect.stringMatching(/^every paid order has exactly one payment of its total/),
      expect.stringMatching(/^every sold seat has exactly one live ticket/),
    ]);
    await db.execute(sql`UPDATE reservations SET status = 'cancelled' WHERE order_id = ${held.orderId}`);
    await db.execute(sql`UPDATE orders SET status = 'cancelled', booking_code = NULL WHERE id = ${held.orderId}`);
    expect(await breachedInvariants()).toEqual([]);
  });
});
