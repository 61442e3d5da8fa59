import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import * as schema from '@/db/schema';
import { reservations } from '@/db/schema';
import { checkInvariants } from '@/server/invariants';
import { turnCapSeconds } from '@/server/queue/rules';
import { isLiveReservation, liveReservation } from '@/server/reservation/rules';
import { createConcert } from '@/server/seed';
import { runOutTurn } from '@/server/testing/clock';
import { RESERVATION_CASES } from '@/server/testing/rule-cases';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { holdSeats } from './hold';

const { db, sql: client, url } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });

/**
 * Statements a pool of its own sends (postgres.js `debug`): the round trips of a call. Only the counted
 * calls go through it, so the work the server does for others (a line's recount, a batch of heartbeats,
 * the line cache's reads and LISTEN, all per pool) never lands in the count.
 */
let statements: string[] = [];
const counted = postgres(url, {
  max: 10,
  fetch_types: false,
  onnotice: () => {},
  debug: (_connection, query) => void statements.push(query),
});
const countedDb = drizzle(counted, { schema });
afterAll(() => counted.end());

let concerts = 0;
/** A concert of its own (its own line) with these dates: the demo map, 80 seats a date. */
async function freshConcert(dayOffsets = [20]) {
  const { concertId, scheduleIds } = await createConcert(db, {
    title: `Hold test ${++concerts}`,
    artist: 'A',
    venue: 'V',
    dayOffsets,
    sale: { maxActive: 1000 },
  });
  const seatsOf = await Promise.all(
    scheduleIds.map(async (scheduleId) =>
      (await db.execute<{ id: number }>(sql`SELECT id FROM seats WHERE schedule_id = ${scheduleId} ORDER BY id`)).map((r) => r.id),
    ),
  );
  return { concertId, scheduleIds, seatsOf };
}

/** Fans with an active turn in the concert's line, sending their token in the header as API clients do. */
async function fans(n: number, concertId: number) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const fan = new TestUser(db, config);
      expect(await fan.join(concertId)).toMatchObject({ status: 'active' });
      fan.headers.set('x-queue-token', fan.token);
      return fan;
    }),
  );
}

async function tokenOf(fan: TestUser) {
  const [row] = await db.execute<{ id: string; concert_id: number; expires_at: string }>(
    sql`SELECT id, concert_id, expires_at FROM queue_tokens WHERE token = ${fan.token}`,
  );
  return { id: Number(row!.id), concertId: row!.concert_id, expiresAt: new Date(row!.expires_at) };
}

const count = async (query: ReturnType<typeof sql>) => (await db.execute<{ n: number }>(query))[0]!.n;

const breachedInvariants = async () =>
  (await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0);

type Refusal = { code: string; cause?: { reason?: string; details?: { seatIds?: number[] } } };

describe('holding under contention', () => {
  it('gives one seat to exactly one of 200 fans clicking it at once; the others are told which seat is taken', async () => {
    const { concertId, seatsOf } = await freshConcert();
    const seatId = seatsOf[0]![10]!;
    const crowd = await fans(200, concertId);
    const results = await Promise.allSettled(crowd.map((f) => f.api.reservation.hold({ seatId })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toMatchObject({ code: 'CONFLICT', cause: { reason: 'SEAT_UNAVAILABLE', details: { seatIds: [seatId] } } });
      }
    }
    expect(
      await count(sql`SELECT count(*)::int AS n FROM reservations WHERE seat_id = ${seatId} AND status IN ('held', 'confirmed')`),
    ).toBe(1);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM orders o JOIN schedules d ON d.id = o.schedule_id WHERE d.concert_id = ${concertId}`),
    ).toBe(1);
    expect(await breachedInvariants()).toEqual([]);
  }, 90_000);

  it('never puts a seat in two live orders when many fans grab overlapping sets of seats at once', async () => {
    const { concertId, scheduleIds, seatsOf } = await freshConcert();
    const block = seatsOf[0]!.slice(0, 8);
    const crowd = await fans(60, concertId);
    // Each fan wants 1–4 seats of the block, starting anywhere: most sets overlap.
    const wants = crowd.map((_, i) => block.slice(i % 7, (i % 7) + 1 + (i % 4)));
    const results = await Promise.allSettled(crowd.map((f, i) => f.api.order.hold({ seatIds: wants[i]! })));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ order: r.value, wanted: wants[i]! }] : []));
    expect(won.length).toBeGreaterThan(0);
    for (const { order, wanted } of won) expect(order.seats.map((s) => s.seatId)).toEqual([...wanted].sort((a, b) => a - b));
    const heldSeats = won.flatMap(({ order }) => order.seats.map((s) => s.seatId));
    expect(new Set(heldSeats).size).toBe(heldSeats.length);
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      const reason = r.reason as Refusal;
      expect(reason).toMatchObject({ code: 'CONFLICT', cause: { reason: 'SEAT_UNAVAILABLE' } });
      const named = reason.cause!.details!.seatIds!;
      expect(named.length).toBeGreaterThan(0);
      for (const id of named) expect(wants[i]).toContain(id);
    });
    // All or none: every order has all its seats, and nobody else's seats.
    expect(
      await count(sql`
        SELECT count(*)::int AS n FROM orders o WHERE o.schedule_id = ${scheduleIds[0]!}
        AND (SELECT count(*) FROM reservations r WHERE r.order_id = o.id AND r.user_id = o.user_id) <> (SELECT count(*) FROM reservations r WHERE r.order_id = o.id)`),
    ).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM reservations WHERE schedule_id = ${scheduleIds[0]!}`)).toBe(heldSeats.length);
    expect(await breachedInvariants()).toEqual([]);
  });

  it('counts the hold and purchase limits under the fan’s row lock, whatever arrives at once', async () => {
    const { concertId, seatsOf } = await freshConcert([20, 21, 22]);
    const limits = testConfig({ QUEUE_MAX_ACTIVE: 1000, HOLD_MAX_PER_USER: 6, PURCHASE_MAX_PER_USER: 4 });
    const [fan] = await fans(1, concertId);
    const token = await tokenOf(fan!);
    // Three orders of two seats on three dates, at once: four seats of a concert at most.
    const results = await Promise.allSettled(
      seatsOf.map((seatIds) => holdSeats(db, limits, { userId: fan!.userId, token, seatIds: seatIds.slice(0, 2) })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r.reason as { reason: string }).reason)).toEqual(['PURCHASE_LIMIT']);
    // Six single holds at once against a hold limit of four (across concerts: a second concert's line).
    const other = await freshConcert();
    const [holder] = await fans(1, other.concertId);
    const single = await Promise.allSettled(other.seatsOf[0]!.slice(0, 6).map((seatId) => holder!.api.reservation.hold({ seatId })));
    expect(single.filter((r) => r.status === 'fulfilled')).toHaveLength(config.HOLD_MAX_PER_USER);
    for (const r of single) if (r.status === 'rejected') expect(r.reason).toMatchObject({ cause: { reason: 'HOLD_LIMIT' } });
    expect(await breachedInvariants()).toEqual([]);
  });

  it('answers a double click with the fan’s own order, however many arrive at once', async () => {
    const { concertId, seatsOf } = await freshConcert();
    const [fan] = await fans(1, concertId);
    const seatIds = seatsOf[0]!.slice(20, 23);
    const clicks = await Promise.all(Array.from({ length: 5 }, () => fan!.api.order.hold({ seatIds })));
    for (const c of clicks) expect(c).toEqual(clicks[0]);
    expect(await count(sql`SELECT count(*)::int AS n FROM orders WHERE user_id = ${fan!.userId}`)).toBe(1);
    // reservation.hold of one seat of that order answers with its hold; order.hold of part of it refuses.
    const one = await fan!.api.reservation.hold({ seatId: seatIds[1]! });
    expect(one).toMatchObject({ seatId: seatIds[1], heldUntil: clicks[0]!.heldUntil });
    await expectFailure(fan!.api.order.hold({ seatIds: seatIds.slice(0, 2) }), 'CONFLICT', 'SEAT_UNAVAILABLE');
  });
});

describe('what a hold costs', () => {
  it('refuses a seat visibly taken without a write: no lock on the fan’s row, no order', async () => {
    const { concertId, seatsOf } = await freshConcert();
    const [alice, bob] = await fans(2, concertId);
    const seatId = seatsOf[0]![30]!;
    await alice!.api.reservation.hold({ seatId });
    // Locking a row writes the locker's transaction id into its xmax: unchanged means never locked.
    const xmaxOfBob = async () =>
      (await db.execute<{ xmax: string }>(sql`SELECT xmax::text FROM users WHERE id = ${bob!.userId}`))[0]!.xmax;
    const before = await xmaxOfBob();
    const error = await expectFailure(bob!.api.reservation.hold({ seatId }), 'CONFLICT', 'SEAT_UNAVAILABLE');
    expect(error.cause).toMatchObject({ details: { seatIds: [seatId] } });
    expect(await xmaxOfBob()).toBe(before);
    expect(await count(sql`SELECT count(*)::int AS n FROM orders WHERE user_id = ${bob!.userId}`)).toBe(0);
    // A free seat does lock the fan's row (the limits are counted under it).
    await bob!.api.reservation.hold({ seatId: seatsOf[0]![31]! });
    expect(await xmaxOfBob()).not.toBe(before);
  });

  it('takes two statements per hold through the API (the turn and the hold), won or lost, and one in the service', async () => {
    const { concertId, seatsOf } = await freshConcert();
    const [alice, bob] = (await fans(2, concertId)).map((fan) => fan.through(countedDb as unknown as typeof db));
    const seatId = seatsOf[0]![40]!;
    // The rung learns a seat's concert, with its neighbours' (a date's map), once per process.
    await alice!.api.reservation.hold({ seatId: seatsOf[0]![41]! });
    statements = [];
    await alice!.api.order.hold({ seatIds: [seatId, seatsOf[0]![42]!] });
    expect(statements).toHaveLength(2);
    statements = [];
    await expectFailure(bob!.api.reservation.hold({ seatId }), 'CONFLICT', 'SEAT_UNAVAILABLE');
    expect(statements).toHaveLength(2);
    statements = [];
    await bob!.api.reservation.hold({ seatId: seatsOf[0]![41]! }).catch(() => undefined);
    expect(statements).toHaveLength(2);
    const bobsToken = await tokenOf(bob!);
    statements = [];
    await holdSeats(countedDb as unknown as typeof db, config, {
      userId: bob!.userId,
      token: bobsToken,
      seatIds: [seatsOf[0]![43]!],
    });
    expect(statements).toHaveLength(1);
  });
});

describe('every answer of the one statement', () => {
  it('is NOT_FOUND for an unknown seat, INVALID_INPUT for seats of two dates, SESSION_REQUIRED for a user who is gone', async () => {
    const { concertId, seatsOf } = await freshConcert([20, 21]);
    const [fan] = await fans(1, concertId);
    await expectFailure(fan!.api.order.hold({ seatIds: [seatsOf[0]![0]!, 2_000_000_000] }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(fan!.api.reservation.hold({ seatId: 2_147_483_647 }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(fan!.api.order.hold({ seatIds: [seatsOf[0]![0]!, seatsOf[1]![0]!] }), 'BAD_REQUEST', 'INVALID_INPUT');
    const token = await tokenOf(fan!);
    await expect(holdSeats(db, config, { userId: randomUUID(), token, seatIds: [seatsOf[0]![0]!] })).rejects.toMatchObject({
      reason: 'SESSION_REQUIRED',
    });
    expect(await count(sql`SELECT count(*)::int AS n FROM reservations WHERE seat_id = ${seatsOf[0]![0]!}`)).toBe(0);
  });

  it('is TOKEN_EXPIRED, with nothing written, when the turn ended before the hold could extend it', async () => {
    const { concertId, seatsOf } = await freshConcert();
    const [fan] = await fans(1, concertId);
    const token = await tokenOf(fan!);
    await runOutTurn(db, fan!.token);
    await expect(holdSeats(db, config, { userId: fan!.userId, token, seatIds: [seatsOf[0]![5]!] })).rejects.toMatchObject({
      reason: 'TOKEN_EXPIRED',
    });
    expect(await count(sql`SELECT count(*)::int AS n FROM orders WHERE user_id = ${fan!.userId}`)).toBe(0);
  });

  it('keeps the hold within the turn’s cap and extends the turn to the hold’s end', async () => {
    const { concertId, seatsOf } = await freshConcert();
    const [fan] = await fans(1, concertId);
    // Admitted long ago: the cap is nearer than a whole hold.
    await db.execute(
      sql`UPDATE queue_tokens SET admitted_at = now() - make_interval(secs => ${turnCapSeconds(config) - 60}) WHERE token = ${fan!.token}`,
    );
    const order = await fan!.api.order.hold({ seatIds: [seatsOf[0]![6]!] });
    const [row] = await db.execute<{ cap: string; expires_at: string }>(
      sql`SELECT admitted_at + make_interval(secs => ${turnCapSeconds(config)}) AS cap, expires_at FROM queue_tokens WHERE token = ${fan!.token}`,
    );
    expect(Date.parse(order.heldUntil)).toBe(new Date(row!.cap).getTime());
    expect(new Date(row!.expires_at).getTime()).toBe(new Date(row!.cap).getTime());
  });

  it('applies the same live-reservation rule as server/reservation/rules.ts', async () => {
    const { concertId, seatsOf } = await freshConcert();
    const [owner, fan] = await fans(2, concertId);
    // The shared cases (server/testing/rule-cases.ts), but the boundary instant: the clock runs on here.
    const cases = RESERVATION_CASES.filter((c) => c.heldFor !== 0).map(({ status, heldFor }) => ({ status, heldFor }));
    for (const [i, c] of cases.entries()) {
      const seatId = seatsOf[0]![50 + i]!;
      const [order] = await db.execute<{ id: string }>(sql`
        INSERT INTO orders (user_id, schedule_id, total, status, held_until, booking_code)
        SELECT ${owner!.userId}, schedule_id, price, 'held', now() + make_interval(secs => ${c.heldFor}), NULL FROM seats WHERE id = ${seatId}
        RETURNING id`);
      await db.execute(sql`
        INSERT INTO reservations (user_id, order_id, seat_id, schedule_id, price, status, held_until)
        SELECT ${owner!.userId}, ${order!.id}, id, schedule_id, price, ${c.status}, now() + make_interval(secs => ${c.heldFor}) FROM seats WHERE id = ${seatId}`);
      const [stored] = await db
        .select({ status: reservations.status, heldUntil: reservations.heldUntil, live: sql<boolean>`${liveReservation}` })
        .from(reservations)
        .where(sql`${reservations.seatId} = ${seatId}`);
      expect(stored!.live).toBe(isLiveReservation(stored!, new Date()));
      const held = await fan!.api.reservation.hold({ seatId }).then(
        () => true,
        (e: Refusal) => (expect(e.cause?.reason).toBe('SEAT_UNAVAILABLE'), false),
      );
      expect({ ...c, held }).toEqual({ ...c, held: !stored!.live });
      if (held) await fan!.api.reservation.list().then((list) => fan!.api.reservation.cancel({ reservationId: list[0]!.reservationId }));
    }
    // The hold that ran out was marked expired by the hold that took its seat.
    expect(await count(sql`SELECT count(*)::int AS n FROM reservations WHERE seat_id = ${seatsOf[0]![51]!} AND status = 'expired'`)).toBe(
      1,
    );
  });
});
