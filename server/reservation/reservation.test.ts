import { sql } from 'drizzle-orm';
import { orders, reservations, type ReservationStatus } from '@/db/schema';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '@/server/seed';
import { letTimePass, runOutHold } from '@/server/testing/clock';
import { checkInvariants } from '@/server/invariants';
import { concertIdOf, openSaleNow } from '@/server/testing/sales';
import { seatPicker } from '@/server/testing/seats';
import { clockTime } from '@/server/clock';
import { isLiveReservation, liveReservation } from './rules';
import { useTestDatabase } from '@/server/testing/test-database';
import { admittedUser, expectFailure, testConfig, type TestUser } from '@/server/testing/test-user';

const { db, sql: client } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
beforeAll(() => seedDemoData(db));

/** A free seat no other test uses. */
const freeSeat = seatPicker(db).next;

const breachedInvariants = async () =>
  (await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0);

const admitted = (n: number) => Promise.all(Array.from({ length: n }, () => admittedUser(db, config)));

describe('reservation.hold', () => {
  it('holds a free seat for HOLD_TTL_SECONDS and keeps the turn alive until the hold runs out', async () => {
    const [fan] = (await admitted(1)) as [TestUser];
    const { seatId, price } = await freeSeat();
    const hold = await fan.api.reservation.hold({ seatId });
    expect(hold).toEqual({ reservationId: expect.any(Number), seatId, price, heldUntil: expect.any(String) });
    const seconds = (Date.parse(hold.heldUntil) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(config.HOLD_TTL_SECONDS - 5);
    expect(seconds).toBeLessThanOrEqual(config.HOLD_TTL_SECONDS + 1);
    const status = await fan.api.queue.status();
    expect(Date.parse(status.activeUntil!)).toBeGreaterThanOrEqual(Date.parse(hold.heldUntil));
    // Clicking the same seat again returns the same hold.
    expect(await fan.api.reservation.hold({ seatId })).toEqual(hold);
  });

  it('never lets a turn or a hold outlast the turn’s cap, however often a fan cancels and holds again', async () => {
    const [fan] = (await admitted(1)) as [TestUser];
    const { seatId } = await freeSeat();
    const capSeconds = config.QUEUE_ACTIVE_TTL_SECONDS + config.HOLD_TTL_SECONDS;
    const capOf = async () => {
      const [row] = await db.execute<{ admitted_at: string }>(sql`SELECT admitted_at FROM queue_tokens WHERE token = ${fan.token}`);
      return new Date(row!.admitted_at).getTime() + capSeconds * 1000;
    };
    let holds = 0;
    for (let released = true; released && holds < 10;) {
      // A squatter releases the seat just before the hold runs out and takes it again at once.
      const { heldUntil, reservationId } = await fan.api.reservation.hold({ seatId });
      holds++;
      const cap = await capOf();
      expect(Date.parse(heldUntil)).toBeLessThanOrEqual(cap);
      expect(Date.parse((await fan.api.queue.status()).activeUntil!)).toBeLessThanOrEqual(cap);
      await letTimePass(db, fan, config.HOLD_TTL_SECONDS - 1);
      released = await fan.api.reservation.cancel({ reservationId }).then(
        () => true,
        (error: unknown) => {
          expect(error).toMatchObject({ code: 'UNAUTHORIZED', cause: { reason: 'TOKEN_EXPIRED' } });
          return false;
        },
      );
    }
    // Holds at 0, 299, 598 and 897 s after admission; the turn ended at its cap, 900 s, and the last hold with it.
    expect(holds).toBe(Math.ceil(capSeconds / (config.HOLD_TTL_SECONDS - 1)));
    await expectFailure(fan.api.reservation.hold({ seatId }), 'UNAUTHORIZED', 'TOKEN_EXPIRED');
    const live = await db
      .select({ id: reservations.id })
      .from(reservations)
      .where(sql`${reservations.seatId} = ${seatId} AND ${liveReservation}`);
    expect(live).toEqual([]); // the seat is free again
    expect(await breachedInvariants()).toEqual([]);
    expect(await fan.api.queue.status()).toMatchObject({ status: 'expired' });
  });

  it('gives a seat to exactly one of many people clicking it at the same moment', async () => {
    const fans = await admitted(60);
    const { seatId } = await freeSeat();
    const results = await Promise.allSettled(fans.map((f) => f.api.reservation.hold({ seatId })));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT', cause: { reason: 'SEAT_UNAVAILABLE' } });
    }
    const [{ live } = { live: 0 }] = await db.execute<{ live: number }>(
      sql`SELECT count(*)::int AS live FROM reservations WHERE seat_id = ${seatId} AND status IN ('held', 'confirmed')`,
    );
    expect(live).toBe(1);
  });

  it('refuses a seat someone else holds, and frees it once the hold runs out (no sweeper)', async () => {
    const [alice, bob] = (await admitted(2)) as [TestUser, TestUser];
    const { seatId } = await freeSeat();
    const hold = await alice.api.reservation.hold({ seatId });
    await expectFailure(bob.api.reservation.hold({ seatId }), 'CONFLICT', 'SEAT_UNAVAILABLE');

    await runOutHold(db, hold.reservationId);
    const bobs = await bob.api.reservation.hold({ seatId });
    expect(bobs.reservationId).not.toBe(hold.reservationId);
    const [mine] = await alice.api.reservation.list();
    expect(mine).toMatchObject({ reservationId: hold.reservationId, status: 'expired' });
  });

  it('limits how many seats one person holds at once', async () => {
    const [fan] = (await admitted(1)) as [TestUser];
    const seats = await Promise.all(Array.from({ length: config.HOLD_MAX_PER_USER + 1 }, () => freeSeat()));
    // Concurrent clicks can't slip past the limit either.
    const results = await Promise.allSettled(seats.map((s) => fan.api.reservation.hold({ seatId: s.seatId })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(config.HOLD_MAX_PER_USER);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'CONFLICT', cause: { reason: 'HOLD_LIMIT' } });
  });

  it('answers NOT_FOUND for an unknown seat or one whose date has passed', async () => {
    const [fan] = (await admitted(1)) as [TestUser];
    await expectFailure(fan.api.reservation.hold({ seatId: 999_999 }), 'NOT_FOUND', 'NOT_FOUND');
    const [past] = await db.execute<{ id: number }>(
      sql`SELECT s.id FROM seats s JOIN schedules d ON d.id = s.schedule_id WHERE d.starts_at < now() LIMIT 1`,
    );
    await expectFailure(fan.api.reservation.hold({ seatId: past!.id }), 'NOT_FOUND', 'NOT_FOUND');
  });
});

describe('reservation.list and reservation.cancel', () => {
  it('lists the caller’s reservations only, newest first, with the seat and date', async () => {
    const [alice, bob] = (await admitted(2)) as [TestUser, TestUser];
    const a = await alice.api.reservation.hold({ seatId: (await freeSeat()).seatId });
    const b = await alice.api.reservation.hold({ seatId: (await freeSeat()).seatId });
    const list = await alice.api.reservation.list();
    expect(list.map((r) => r.reservationId)).toEqual([b.reservationId, a.reservationId]);
    expect(list[0]).toMatchObject({ status: 'held', concertTitle: expect.any(String), label: expect.any(String), paymentId: null });
    expect(await bob.api.reservation.list()).toEqual([]);
  });

  it('releases a hold so someone else can take the seat; another user can’t cancel it', async () => {
    const [alice, bob] = (await admitted(2)) as [TestUser, TestUser];
    const { seatId } = await freeSeat();
    const hold = await alice.api.reservation.hold({ seatId });
    await expectFailure(bob.api.reservation.cancel({ reservationId: hold.reservationId }), 'NOT_FOUND', 'NOT_FOUND');
    expect(await alice.api.reservation.cancel({ reservationId: hold.reservationId })).toEqual({
      reservationId: hold.reservationId,
      status: 'cancelled',
    });
    expect(await alice.api.reservation.cancel({ reservationId: hold.reservationId })).toEqual({
      reservationId: hold.reservationId,
      status: 'cancelled',
    });
    await bob.api.reservation.hold({ seatId });
  });
});

describe('the live-reservation rule', () => {
  it('says the same in SQL and in TypeScript', async () => {
    const [fan] = (await admitted(1)) as [TestUser];
    const cases: [ReservationStatus, string][] = [
      ['held', '1 minute'],
      ['held', '-1 second'],
      ['confirmed', '-1 day'],
      ['expired', '1 minute'],
      ['cancelled', '1 minute'],
    ];
    const ids: number[] = [];
    for (const [status, offset] of cases) {
      const { seatId, price } = await freeSeat();
      const [row] = await db.execute<{ id: number }>(sql`
        WITH o AS (
          INSERT INTO orders (user_id, schedule_id, total, held_until)
          SELECT ${fan.userId}, schedule_id, ${price}, now() + ${offset}::interval FROM seats WHERE id = ${seatId} RETURNING id)
        INSERT INTO reservations (user_id, order_id, seat_id, schedule_id, price, status, held_until)
        SELECT ${fan.userId}, o.id, s.id, s.schedule_id, ${price}, ${status}, now() + ${offset}::interval FROM seats s, o WHERE s.id = ${seatId}
        RETURNING id::int`);
      ids.push(row!.id);
    }
    const rows = await db
      .select({
        id: reservations.id,
        status: reservations.status,
        heldUntil: reservations.heldUntil,
        now: clockTime(),
        live: liveReservation,
      })
      .from(reservations)
      .where(sql`${reservations.id} IN ${ids}`)
      .orderBy(reservations.id);
    expect(rows.map((r) => r.live)).toEqual([true, false, true, false, false]);
    expect(rows.map((r) => isLiveReservation(r, r.now))).toEqual([true, false, true, false, false]);
    // (A confirmed reservation without a payment breaks an invariant: these rows were only for the rule.)
    const deleted = await db
      .delete(reservations)
      .where(sql`${reservations.id} IN ${ids}`)
      .returning({ orderId: reservations.orderId });
    await db.delete(orders).where(sql`${orders.id} IN ${deleted.map((r) => r.orderId)}`);
  });
});

describe('the purchase limit per concert', () => {
  /** Free seats of one date of the last demo concert, from the top (the seat picker hands them out from the bottom). */
  async function seatsOfDate(concertTitle: string, dateIndex: number, count: number) {
    const rows = await db.execute<{ id: number }>(sql`
      SELECT s.id FROM seats s
      WHERE s.schedule_id = (
        SELECT d.id FROM schedules d JOIN concerts c ON c.id = d.concert_id
        WHERE c.title = ${concertTitle} AND d.starts_at > now() ORDER BY d.starts_at OFFSET ${dateIndex} LIMIT 1)
      AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.seat_id = s.id)
      ORDER BY s.id DESC LIMIT ${count}`);
    return rows.map((r) => r.id);
  }

  it('counts held and bought seats of one concert across its dates, not other concerts’, and holds under a race', async () => {
    const limit = config.PURCHASE_MAX_PER_USER;
    expect(limit).toBe(4);
    const [fan] = (await admitted(1)) as [TestUser];
    // Two more concerts on sale, and the fan in both lines.
    for (const title of ['Busan Summer Waves', 'Midnight Frequencies']) {
      const concertId = await concertIdOf(db, title);
      await openSaleNow(db, concertId);
      expect(await fan.join(concertId)).toMatchObject({ status: 'active' });
    }
    await fan.api.wallet.charge({ amount: 1_000_000 });
    const [a1, a2] = await seatsOfDate('Busan Summer Waves', 0, 2);
    const dateB = await seatsOfDate('Busan Summer Waves', 1, 4);
    // One seat bought and one held on the first date (the hold keeps the turn going).
    const bought = await fan.api.reservation.hold({ seatId: a1! });
    await fan.api.reservation.hold({ seatId: a2! });
    await fan.api.payment.pay({ reservationId: bought.reservationId });

    // Four more clicks at once on another date of the same concert: only two fit under the limit.
    const results = await Promise.allSettled(dateB.map((seatId) => fan.api.reservation.hold({ seatId })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(limit - 2);
    for (const r of results) {
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({ code: 'CONFLICT', cause: { reason: 'PURCHASE_LIMIT', details: { limit } } });
    }
    const [{ n } = { n: 0 }] = await db.execute<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM reservations r JOIN schedules d ON d.id = r.schedule_id JOIN concerts c ON c.id = d.concert_id
      WHERE r.user_id = ${fan.userId} AND c.title = 'Busan Summer Waves' AND r.status IN ('held', 'confirmed')`);
    expect(n).toBe(limit);

    // Another concert is counted on its own.
    const [other] = await seatsOfDate('Midnight Frequencies', 0, 1);
    const otherHold = await fan.api.reservation.hold({ seatId: other! });
    await fan.api.reservation.cancel({ reservationId: otherHold.reservationId }); // (under the hold limit again)
    // A hold that ran out no longer counts.
    const held = results.find((r) => r.status === 'fulfilled')!.value;
    await runOutHold(db, held.reservationId);
    const [again] = await seatsOfDate('Busan Summer Waves', 2, 1);
    await fan.api.reservation.hold({ seatId: again! });
    await expectFailure(fan.api.reservation.hold({ seatId: held.seatId }), 'CONFLICT', 'PURCHASE_LIMIT');
    expect(await breachedInvariants()).toEqual([]);
  });
});

describe('the invariant check', () => {
  it('notices a turn past its cap and a user past the purchase limit', async () => {
    const [fan] = (await admitted(1)) as [TestUser];
    const capSeconds = config.QUEUE_ACTIVE_TTL_SECONDS + config.HOLD_TTL_SECONDS;
    await db.execute(
      sql`UPDATE queue_tokens SET expires_at = admitted_at + make_interval(secs => ${capSeconds + 60}) WHERE token = ${fan.token}`,
    );
    const seats = await Promise.all(Array.from({ length: config.PURCHASE_MAX_PER_USER + 1 }, () => freeSeat()));
    // One order of them all (seats of one date: the picker hands them out in order).
    await db.execute(sql`
      WITH picked AS (SELECT id, schedule_id, price FROM seats WHERE id IN ${seats.map((x) => x.seatId)}),
      o AS (
        INSERT INTO orders (user_id, schedule_id, total, held_until)
        SELECT ${fan.userId}, min(schedule_id), sum(price), now() + interval '1 minute' FROM picked RETURNING id)
      INSERT INTO reservations (user_id, order_id, seat_id, schedule_id, price, status, held_until)
      SELECT ${fan.userId}, o.id, p.id, p.schedule_id, p.price, 'held', now() + interval '1 minute' FROM picked p, o`);
    expect((await breachedInvariants()).map((r) => r.name)).toEqual([
      expect.stringMatching(/^no turn runs past its cap/),
      expect.stringMatching(/^no user holds and bought more seats of one concert/),
    ]);
    await db.execute(sql`UPDATE reservations SET status = 'cancelled' WHERE user_id = ${fan.userId}`);
    await db.execute(sql`UPDATE orders SET status = 'cancelled' WHERE user_id = ${fan.userId}`);
    await db.execute(sql`UPDATE queue_tokens SET status = 'expired' WHERE token = ${fan.token}`);
    expect(await breachedInvariants()).toEqual([]);
  });
});
