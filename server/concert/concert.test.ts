import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONCERTS, seedDemoData, SEATS_PER_DATE } from '@/server/seed';
import { checkInvariants } from '@/server/invariants';
import { useTestDatabase } from '@/server/testing/test-database';
import { admittedUser, expectFailure, testConfig, TestUser } from '@/server/testing/test-user';

const { db, sql: client } = await useTestDatabase();
const config = testConfig();
beforeAll(() => seedDemoData(db));

describe('browsing concerts, dates and seats', () => {
  it('lists every concert with its future dates to anyone with a session, no token needed', async () => {
    const visitor = await new TestUser(db, config).start();
    const concerts = await visitor.api.concert.list();
    expect(concerts.map((c) => c.title)).toEqual(DEMO_CONCERTS.map((c) => c.title));
    for (const c of concerts) {
      expect(c.dates.length).toBeGreaterThanOrEqual(1);
      for (const d of c.dates) expect(Date.parse(d.startsAt)).toBeGreaterThan(Date.now());
    }
  });

  it('seeds idempotently', async () => {
    expect(await seedDemoData(db)).toEqual({ created: 0 });
  });

  it('shows every state of a sale in the demo data, with price ranges, and the sold-out one keeps the invariants', async () => {
    const visitor = await new TestUser(db, config).start();
    const concerts = await visitor.api.concert.list();
    expect(concerts.map((c) => c.sale?.state)).toEqual(['open', 'scheduled', 'prequeue', 'sold_out']);
    for (const c of concerts) {
      expect(c.sale).toMatchObject({ prequeueOpensAt: expect.any(String), opensAt: expect.any(String) });
      expect(c.sale!.commitment).toMatch(/^[0-9a-f]{64}$/);
      expect(c.priceRange).toEqual({ min: 99_000, max: 165_000 });
    }
    // The pre-queue's sale opens a few minutes from now.
    const opensIn = Date.parse(concerts[2]!.sale!.opensAt) - Date.now();
    expect(opensIn).toBeGreaterThan(60_000);
    expect(opensIn).toBeLessThanOrEqual(5 * 60_000);
    const [{ unsold } = { unsold: -1 }] = await db.execute<{ unsold: number }>(sql`
      SELECT count(*)::int AS unsold FROM seats s JOIN schedules d ON d.id = s.schedule_id
      WHERE d.concert_id = ${concerts[3]!.concertId}
        AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.seat_id = s.id AND r.status = 'confirmed')`);
    expect(unsold).toBe(0);
    expect((await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0)).toEqual([]);
  });

  it('lists a concert’s future dates only, with free and total seats', async () => {
    const fan = await admittedUser(db, config);
    const [first] = await fan.api.concert.list();
    const dates = await fan.api.concert.dates({ concertId: first!.concertId });
    const [{ past } = { past: 0 }] = await db.execute<{ past: number }>(
      sql`SELECT count(*)::int AS past FROM schedules WHERE concert_id = ${first!.concertId} AND starts_at < now()`,
    );
    expect(past).toBe(1); // the seed has a past date, and it is not offered
    expect(dates).toHaveLength(3);
    expect(dates[0]).toEqual({
      scheduleId: expect.any(Number),
      startsAt: expect.any(String),
      availableSeats: SEATS_PER_DATE,
      totalSeats: SEATS_PER_DATE,
    });
  });

  it('shows every seat of a date with its state as the caller sees it', async () => {
    const [alice, bob] = [await admittedUser(db, config), await admittedUser(db, config)];
    // The concert on sale (the one both joined), its second date.
    const [second] = await alice.api.concert.list();
    const [, date] = await alice.api.concert.dates({ concertId: second!.concertId });
    const seats = await alice.api.concert.seats({ scheduleId: date!.scheduleId });
    expect(seats).toHaveLength(SEATS_PER_DATE);
    expect(seats[0]).toEqual({
      seatId: expect.any(Number),
      section: 'VIP',
      row: 'A',
      number: 1,
      label: 'VIP A-1',
      price: 165_000,
      status: 'available',
      mine: false,
    });
    expect(new Set(seats.map((s) => s.section))).toEqual(new Set(['VIP', 'R', 'S']));

    await alice.api.reservation.hold({ seatId: seats[0]!.seatId });
    expect((await alice.api.concert.seats({ scheduleId: date!.scheduleId }))[0]).toMatchObject({ status: 'held', mine: true });
    expect((await bob.api.concert.seats({ scheduleId: date!.scheduleId }))[0]).toMatchObject({ status: 'held', mine: false });
    const [after] = (await bob.api.concert.dates({ concertId: second!.concertId })).filter((d) => d.scheduleId === date!.scheduleId);
    expect(after!.availableSeats).toBe(SEATS_PER_DATE - 1);
  });

  it('answers NOT_FOUND for an unknown concert or date, or a date that has passed', async () => {
    const fan = await admittedUser(db, config);
    await expectFailure(fan.api.concert.dates({ concertId: 999_999 }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(fan.api.concert.seats({ scheduleId: 999_999 }), 'NOT_FOUND', 'NOT_FOUND');
    const [past] = await db.execute<{ id: number }>(sql`SELECT id FROM schedules WHERE starts_at < now() LIMIT 1`);
    await expectFailure(fan.api.concert.seats({ scheduleId: past!.id }), 'NOT_FOUND', 'NOT_FOUND');
  });

  it('rejects malformed ids with INVALID_INPUT', async () => {
    const fan = await admittedUser(db, config);
    for (const scheduleId of [0, -1, 1.5, 2 ** 31, Number.NaN]) {
      await expectFailure(fan.api.concert.seats({ scheduleId }), 'BAD_REQUEST', 'INVALID_INPUT');
    }
    // @ts-expect-error: a string where a number belongs, as an outside client might send
    await expectFailure(fan.api.concert.dates({ concertId: '1' }), 'BAD_REQUEST', 'INVALID_INPUT');
  });
});
