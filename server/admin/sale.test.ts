import { randomBytes } from 'node:crypto';
import { eq, sql, type SQL } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { JOIN_DIFFICULTY_DEFAULT, JOIN_DIFFICULTY_MAX, JOIN_DIFFICULTY_MIN } from '@/db/limits';
import { joinStats, orders, payments, queueState, queueTokens, reservations, sales, seats, users } from '@/db/schema';
import { newBookingCode } from '@/server/order/booking-code';
import { commitmentOf } from '@/server/sale/draw';
import { errorDataOf } from '@/server/testing/error-shape';
import { concertPlan, hoursFromNow, signedInOperator } from '@/server/testing/operator';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { JOIN_RATE_WINDOW_SECONDS } from '@/server/queue/join-stats';
import { JOIN_SURGE_FACTOR } from '@/server/queue/join-surge';
import { BUSIEST_PREFIXES, HISTORY_MINUTES } from './sale-stats';

const { db } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 7, QUEUE_ACTIVE_TTL_SECONDS: 420 });
const operator = await signedInOperator(db, config);

/** A concert whose sale is scheduled (pre-queue in an hour, opening in two): 2 dates × 44 seats. */
async function scheduledSale(sale: { maxActive?: number; turnSeconds?: number } = {}) {
  const plan = concertPlan();
  return operator.api.admin.concert.create({ ...plan, title: `Show ${randomBytes(3).toString('hex')}`, sale: { ...plan.sale, ...sale } });
}

/** Moves a sale's times into the past and reveals its draw, as its opening would. */
async function openSale(concertId: number) {
  await db
    .update(sales)
    .set({
      prequeueOpensAt: sql`now() - interval '2 hours'`,
      opensAt: sql`now() - interval '1 hour'`,
      openedAt: sql`now() - interval '1 hour'`,
      drawnCount: 0,
    })
    .where(eq(sales.concertId, concertId));
}

async function openedSale(sale: { maxActive?: number; turnSeconds?: number } = {}) {
  const created = await scheduledSale(sale);
  await openSale(created.concertId);
  return created;
}

async function newUserId() {
  const [user] = await db.insert(users).values({ name: 'Fan' }).returning({ id: users.id });
  return user!.id;
}

const SALE_PROCEDURES = ['stats', 'history', 'update', 'pause', 'resume', 'close'] as const;
const callSale = (u: TestUser, name: (typeof SALE_PROCEDURES)[number], concertId: number) =>
  name === 'update' ? u.api.admin.sale.update({ concertId, maxActive: 3 }) : u.api.admin.sale[name]({ concertId });

describe('admin.concert.create schedules the sale', () => {
  it('with the given cap and turn, a commitment to a hidden seed, and the config’s defaults otherwise', async () => {
    const given = await scheduledSale({ maxActive: 50, turnSeconds: 300 });
    const defaulted = await scheduledSale();
    const [a] = await db.select().from(sales).where(eq(sales.concertId, given.concertId));
    const [b] = await db.select().from(sales).where(eq(sales.concertId, defaulted.concertId));
    expect(a).toMatchObject({ maxActive: 50, turnSeconds: 300, paused: false, closedReason: null, openedAt: null });
    expect(b).toMatchObject({ maxActive: 7, turnSeconds: 420 });
    expect(a!.commitment).toBe(commitmentOf(a!.seed));
    expect(a!.seed).toMatch(/^[0-9a-f]{32}$/);
    expect(await db.select().from(queueState).where(eq(queueState.concertId, given.concertId))).toHaveLength(1);

    const listed = (await operator.api.admin.sale.list()).find((s) => s.concertId === given.concertId);
    expect(listed).toMatchObject({ state: 'scheduled', maxActive: 50, turnSeconds: 300, commitment: a!.commitment, seed: null });
  });
});

describe('admin.sale controls', () => {
  it('pause and resume, each safe to repeat and to race', async () => {
    const { concertId } = await openedSale();
    const paused = await Promise.all([1, 2, 3].map(() => operator.api.admin.sale.pause({ concertId })));
    expect(paused.map((s) => [s.state, s.paused])).toEqual([
      ['paused', true],
      ['paused', true],
      ['paused', true],
    ]);
    expect((await operator.api.admin.sale.stats({ concertId })).state).toBe('paused');
    const resumed = await operator.api.admin.sale.resume({ concertId });
    expect(resumed).toMatchObject({ state: 'open', paused: false });
    expect(await operator.api.admin.sale.resume({ concertId })).toEqual(resumed);
  });

  it('close ends the sale for good, once, whatever is called after', async () => {
    const { concertId } = await openedSale();
    const closed = await Promise.all([1, 2, 3].map(() => operator.api.admin.sale.close({ concertId })));
    expect(new Set(closed.map((s) => s.closedAt)).size).toBe(1);
    expect(closed[0]).toMatchObject({ state: 'closed', closedReason: 'closed' });
    expect(await operator.api.admin.sale.resume({ concertId })).toMatchObject({ state: 'closed' });
    expect(await operator.api.admin.sale.pause({ concertId })).toMatchObject({ state: 'closed', paused: false });
    expect(await operator.api.admin.sale.close({ concertId })).toEqual(closed[0]);
  });

  it('a sold-out sale stays sold out when closed', async () => {
    const { concertId } = await openedSale();
    await db
      .update(sales)
      .set({ closedReason: 'sold_out', closedAt: sql`now()` })
      .where(eq(sales.concertId, concertId));
    expect(await operator.api.admin.sale.close({ concertId })).toMatchObject({ state: 'sold_out', closedReason: 'sold_out' });
  });

  it('update changes the cap and the turn at any time, and the times only before the opening, keeping the commitment', async () => {
    const { concertId } = await scheduledSale();
    const before = (await operator.api.admin.sale.list()).find((s) => s.concertId === concertId)!;
    const prequeueOpensAt = hoursFromNow(3);
    const opensAt = hoursFromNow(4);
    const updated = await operator.api.admin.sale.update({ concertId, maxActive: 20, turnSeconds: 180, prequeueOpensAt, opensAt });
    expect(updated).toMatchObject({ maxActive: 20, turnSeconds: 180, prequeueOpensAt, opensAt, commitment: before.commitment });
    expect(await operator.api.admin.sale.update({ concertId, maxActive: 20 })).toEqual(updated);
    // Only the opening: it must stay after the pre-queue.
    const later = hoursFromNow(5);
    expect(await operator.api.admin.sale.update({ concertId, opensAt: later })).toMatchObject({ prequeueOpensAt, opensAt: later });

    const early = await expectFailure(
      operator.api.admin.sale.update({ concertId, opensAt: hoursFromNow(2) }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(errorDataOf(early)).toMatchObject({ fieldErrors: { opensAt: [expect.any(String)] } });
    const late = await expectFailure(
      operator.api.admin.sale.update({ concertId, prequeueOpensAt: hoursFromNow(6) }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(errorDataOf(late)).toMatchObject({ fieldErrors: { prequeueOpensAt: [expect.any(String)] } });
    for (const [input, field] of [
      [{ opensAt: hoursFromNow(-1) }, 'opensAt'],
      [{ prequeueOpensAt: hoursFromNow(3), opensAt: hoursFromNow(2) }, 'opensAt'],
      [{ maxActive: 0 }, 'maxActive'],
      [{ turnSeconds: 1.5 }, 'turnSeconds'],
      [{ opensAt: 'tomorrow' }, 'opensAt'],
    ] as const) {
      const error = await expectFailure(operator.api.admin.sale.update({ concertId, ...input }), 'BAD_REQUEST', 'INVALID_INPUT');
      expect(errorDataOf(error)).toMatchObject({ fieldErrors: { [field]: [expect.any(String)] } });
    }
    expect((await operator.api.admin.sale.list()).find((s) => s.concertId === concertId)).toMatchObject({
      maxActive: 20,
      turnSeconds: 180,
      prequeueOpensAt,
      opensAt: later,
    });
  });

  it('update sets the join challenge’s difficulty and surge threshold live, after the opening too, within their bounds', async () => {
    const { concertId } = await openedSale();
    const listed = async () => (await operator.api.admin.sale.list()).find((s) => s.concertId === concertId)!;
    expect(await listed()).toMatchObject({ joinDifficulty: JOIN_DIFFICULTY_DEFAULT, joinSurgePerSecond: null });
    const raised = await operator.api.admin.sale.update({ concertId, joinDifficulty: 20_000, joinSurgePerSecond: 40 });
    expect(raised).toMatchObject({ state: 'open', joinDifficulty: 20_000, joinSurgePerSecond: 40 });
    expect(await listed()).toEqual(raised);
    // Null turns the rise off; leaving a field out keeps it.
    expect(await operator.api.admin.sale.update({ concertId, joinSurgePerSecond: null })).toMatchObject({
      joinDifficulty: 20_000,
      joinSurgePerSecond: null,
    });
    expect(await operator.api.admin.sale.update({ concertId, joinDifficulty: JOIN_DIFFICULTY_MAX })).toMatchObject({
      joinDifficulty: JOIN_DIFFICULTY_MAX,
      joinSurgePerSecond: null,
    });
    for (const [input, field] of [
      [{ joinDifficulty: JOIN_DIFFICULTY_MIN - 1 }, 'joinDifficulty'],
      [{ joinDifficulty: JOIN_DIFFICULTY_MAX + 1 }, 'joinDifficulty'],
      [{ joinDifficulty: 5_000.5 }, 'joinDifficulty'],
      [{ joinSurgePerSecond: 0 }, 'joinSurgePerSecond'],
      [{ joinSurgePerSecond: -3 }, 'joinSurgePerSecond'],
      [{ joinSurgePerSecond: 2 ** 31 }, 'joinSurgePerSecond'],
    ] as const) {
      const error = await expectFailure(operator.api.admin.sale.update({ concertId, ...input }), 'BAD_REQUEST', 'INVALID_INPUT');
      expect(errorDataOf(error)).toMatchObject({ fieldErrors: { [field]: [expect.any(String)] } });
    }
    expect(await listed()).toMatchObject({ joinDifficulty: JOIN_DIFFICULTY_MAX, joinSurgePerSecond: null });
  });

  it('refuses to move the times of a sale that has opened: SALE_ALREADY_OPEN', async () => {
    const { concertId } = await openedSale();
    const error = await expectFailure(
      operator.api.admin.sale.update({ concertId, opensAt: hoursFromNow(1) }),
      'CONFLICT',
      'SALE_ALREADY_OPEN',
    );
    expect(error.cause).toMatchObject({ details: { opensAt: expect.any(String) } });
    await expectFailure(operator.api.admin.sale.update({ concertId, prequeueOpensAt: hoursFromNow(1) }), 'CONFLICT', 'SALE_ALREADY_OPEN');
    // Time alone opens it too, before any call has revealed the draw.
    const other = await scheduledSale();
    await db
      .update(sales)
      .set({ prequeueOpensAt: sql`now() - interval '2 minutes'`, opensAt: sql`now() - interval '1 minute'` })
      .where(eq(sales.concertId, other.concertId));
    await expectFailure(
      operator.api.admin.sale.update({ concertId: other.concertId, opensAt: hoursFromNow(1) }),
      'CONFLICT',
      'SALE_ALREADY_OPEN',
    );
    // The cap still changes.
    expect(await operator.api.admin.sale.update({ concertId, maxActive: 2 })).toMatchObject({ maxActive: 2 });
  });

  it('answers NOT_FOUND for an unknown concert, and INVALID_INPUT for an id past the integer range', async () => {
    for (const name of SALE_PROCEDURES) {
      await expectFailure(callSale(operator, name, 987_654), 'NOT_FOUND', 'NOT_FOUND').catch((e: Error) => {
        throw new Error(`${name}: ${e.message}`);
      });
      await expectFailure(callSale(operator, name, 2 ** 31), 'BAD_REQUEST', 'INVALID_INPUT').catch((e: Error) => {
        throw new Error(`${name}: ${e.message}`);
      });
    }
  });

  it('refuses fans and anonymous callers on every sale procedure, and changes nothing', async () => {
    const { concertId } = await openedSale();
    const fan = await new TestUser(db, config).start();
    const anonymous = new TestUser(db, config);
    for (const caller of [fan, anonymous]) {
      await expectFailure(caller.api.admin.sale.list(), 'FORBIDDEN', 'OPERATOR_REQUIRED');
      for (const name of SALE_PROCEDURES) await expectFailure(callSale(caller, name, concertId), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    }
    expect((await operator.api.admin.sale.list()).find((s) => s.concertId === concertId)).toMatchObject({ state: 'open', maxActive: 7 });
  });
});

describe('admin.sale.stats', () => {
  it('counts the line and the seats of a known scenario', async () => {
    const { concertId, scheduleIds } = await openedSale({ maxActive: 10, turnSeconds: 600 });
    const other = await openedSale();
    let ticket = 0;
    const token = async (
      place: number,
      status: 'waiting' | 'active' | 'done' | 'expired',
      times: Record<string, SQL> = {},
      line = concertId,
    ) =>
      db.insert(queueTokens).values({
        token: `stats-${concertId}-${++ticket}-${randomBytes(4).toString('hex')}`,
        userId: await newUserId(),
        concertId: line,
        place,
        status,
        ...(status === 'active' && {
          expiresAt: sql`now() + interval '5 minutes'`,
          admittedAt: sql`now() - interval '30 seconds'`,
          turnSeconds: 600,
        }),
        ...times,
      });
    await token(1, 'done', { admittedAt: sql`now() - interval '2 minutes'` });
    await token(2, 'active', { admittedAt: sql`now() - interval '5 minutes'`, expiresAt: sql`now() - interval '1 second'` }); // ran out
    await token(3, 'active');
    await token(4, 'active');
    await token(5, 'waiting');
    await token(6, 'waiting');
    await token(7, 'waiting');
    await token(8, 'waiting', { lastSeenAt: sql`now() - interval '1 hour'` }); // gave up its place
    await token(1, 'waiting', {}, other.concertId); // another line
    await db.update(queueState).set({ admittedThrough: 4 }).where(eq(queueState.concertId, concertId));

    const seatIds = (await db.select({ id: seats.id }).from(seats).where(eq(seats.scheduleId, scheduleIds[0]!))).map((s) => s.id);
    const reserve = async (seatId: number, status: 'held' | 'confirmed', heldUntil: SQL, paidAt?: SQL) => {
      const userId = await newUserId();
      const [order] = await db
        .insert(orders)
        .values({
          userId,
          scheduleId: scheduleIds[0]!,
          status,
          bookingCode: status === 'confirmed' ? newBookingCode() : null,
          total: 165_000,
          heldUntil,
        })
        .returning({ id: orders.id });
      const [r] = await db
        .insert(reservations)
        .values({ userId, orderId: order!.id, seatId, scheduleId: scheduleIds[0]!, price: 165_000, status, heldUntil })
        .returning({ id: reservations.id });
      if (paidAt) {
        await db.insert(payments).values({ orderId: order!.id, reservationId: r!.id, userId, amount: 165_000, createdAt: paidAt });
      }
    };
    await reserve(seatIds[0]!, 'held', sql`now() + interval '3 minutes'`);
    await reserve(seatIds[1]!, 'held', sql`now() + interval '3 minutes'`);
    await reserve(seatIds[2]!, 'held', sql`now() - interval '1 second'`); // ran out: free again
    await reserve(seatIds[3]!, 'confirmed', sql`now()`, sql`now() - interval '10 seconds'`);
    await reserve(seatIds[4]!, 'confirmed', sql`now()`, sql`now() - interval '20 seconds'`);
    await reserve(seatIds[5]!, 'confirmed', sql`now()`, sql`now() - interval '5 minutes'`);

    expect(await operator.api.admin.sale.stats({ concertId })).toEqual({
      state: 'open',
      waiting: 3,
      active: 2,
      admittedLastMinute: 2,
      seatsFree: 88 - 2 - 3,
      seatsHeld: 2,
      seatsSold: 3,
      soldLastMinute: 2,
      // The last one polling is at place 7, three from the cursor: with 10 at a time, at most one
      // whole 600 s turn (the upper end of the estimate, server/queue/rules.ts).
      lastInLineWaitSeconds: 600,
      joinsPerSecond: 0,
      challengesPerSecond: 0,
      solvedPerSecond: 0,
      refusedPerSecond: 0,
      joinDifficulty: {
        base: JOIN_DIFFICULTY_DEFAULT,
        surgePerSecond: null,
        surgeFactor: 4,
        effective: JOIN_DIFFICULTY_DEFAULT,
        surging: false,
      },
      busiestPrefixes: [],
    });

    // A measured rate of 0.5 a second shortens only the lower end of the range: the upper stays one turn.
    await db.update(queueState).set({ admitRate: 0.5 }).where(eq(queueState.concertId, concertId));
    expect((await operator.api.admin.sale.stats({ concertId })).lastInLineWaitSeconds).toBe(600);

    const history = await operator.api.admin.sale.history({ concertId });
    expect(history).toHaveLength(HISTORY_MINUTES);
    const minutes = history.map((h) => new Date(h.minute).getTime());
    expect(minutes).toEqual([...minutes].sort((a, b) => a - b));
    const total = (key: 'joined' | 'admitted' | 'sold') => history.reduce((n, h) => n + h[key], 0);
    expect(total('joined')).toBe(8);
    expect(total('admitted')).toBe(4);
    expect(total('sold')).toBe(3);
  });

  it('counts the pre-queue before the opening: the last to join waits behind all of it', async () => {
    const { concertId } = await scheduledSale({ maxActive: 10, turnSeconds: 600 });
    await db
      .update(sales)
      .set({ prequeueOpensAt: sql`now() - interval '1 minute'` })
      .where(eq(sales.concertId, concertId));
    for (let i = 0; i < 4; i++) {
      await db.insert(queueTokens).values({ token: `pre-${concertId}-${i}`, userId: await newUserId(), concertId, status: 'waiting' });
    }
    expect(await operator.api.admin.sale.stats({ concertId })).toMatchObject({
      state: 'prequeue',
      waiting: 4,
      active: 0,
      seatsFree: 88,
      // Four places, 10 at a time: at most one whole turn.
      lastInLineWaitSeconds: 600,
    });
    const listed = async () => (await operator.api.admin.sale.list()).find((s) => s.concertId === concertId)!;
    expect(await listed()).toMatchObject({ seed: null, openedAt: null });

    // The opening time passes: the dashboard's next read runs the draw and shows the seed.
    await db
      .update(sales)
      .set({ opensAt: sql`now() - interval '1 second'` })
      .where(eq(sales.concertId, concertId));
    const opened = await operator.api.admin.sale.stats({ concertId });
    expect(opened.state).toBe('open');
    const sale = await listed();
    expect(sale).toMatchObject({ seed: expect.stringMatching(/^[0-9a-f]{32}$/), openedAt: expect.any(String) });
    expect(commitmentOf(sale.seed!)).toBe(sale.commitment);
    const places = await db.select({ place: queueTokens.place }).from(queueTokens).where(eq(queueTokens.concertId, concertId));
    expect(places.map((p) => p.place).sort()).toEqual([1, 2, 3, 4]);
  });

  it('has nobody waiting on an empty line', async () => {
    const { concertId } = await scheduledSale();
    expect(await operator.api.admin.sale.stats({ concertId })).toEqual({
      state: 'scheduled',
      waiting: 0,
      active: 0,
      admittedLastMinute: 0,
      seatsFree: 88,
      seatsHeld: 0,
      seatsSold: 0,
      soldLastMinute: 0,
      lastInLineWaitSeconds: null,
      joinsPerSecond: 0,
      challengesPerSecond: 0,
      solvedPerSecond: 0,
      refusedPerSecond: 0,
      joinDifficulty: {
        base: JOIN_DIFFICULTY_DEFAULT,
        surgePerSecond: null,
        surgeFactor: 4,
        effective: JOIN_DIFFICULTY_DEFAULT,
        surging: false,
      },
      busiestPrefixes: [],
    });
  });
});

describe('admin.sale.stats: who joins', () => {
  it('the join rates of the last whole seconds, and the difficulty they make: the sale’s, ×4 while joins exceed the threshold', async () => {
    const { concertId } = await openedSale();
    const other = await openedSale();
    const stats = async (
      line: number,
      secondsAgo: number,
      counts: Partial<Record<'challenges' | 'solved' | 'refused' | 'joins', number>>,
    ) =>
      db
        .insert(joinStats)
        .values({ concertId: line, second: sql`date_trunc('second', now()) - make_interval(secs => ${secondsAgo})`, ...counts });
    // The window is whole seconds before now(): a second that ends between the rows' insert and the
    // last read shifts it. Such a round is not judged; it is tried again from a clean start (bounded).
    const second = async () => String((await db.execute<{ s: string }>(sql`SELECT date_trunc('second', now())::text AS s`))[0]!.s);
    for (let round = 1; ; round++) {
      await db.execute(sql`DELETE FROM join_stats WHERE concert_id IN (${concertId}, ${other.concertId})`);
      await operator.api.admin.sale.update({ concertId, joinSurgePerSecond: null, joinDifficulty: 4_000 });
      const startedIn = await second();
      const seen: unknown[] = [];
      await stats(concertId, 1, { challenges: 40, solved: 30, refused: 10, joins: 30 });
      await stats(concertId, JOIN_RATE_WINDOW_SECONDS, { challenges: 30, solved: 30, refused: 0, joins: 30 });
      await stats(concertId, JOIN_RATE_WINDOW_SECONDS + 1, { challenges: 999, joins: 999 }); // before the window
      await stats(concertId, 0, { challenges: 999, joins: 999 }); // this second: not whole yet
      await stats(other.concertId, 1, { challenges: 999, joins: 999 }); // another line
      seen.push(await operator.api.admin.sale.stats({ concertId }));
      // At the threshold: no rise; above it: the rise.
      await operator.api.admin.sale.update({ concertId, joinSurgePerSecond: 6 });
      seen.push((await operator.api.admin.sale.stats({ concertId })).joinDifficulty);
      await operator.api.admin.sale.update({ concertId, joinSurgePerSecond: 5, joinDifficulty: 5_000 });
      seen.push(await operator.api.admin.sale.stats({ concertId }));
      if ((await second()) !== startedIn && round < 5) continue;

      const rates = { joinsPerSecond: 6, challengesPerSecond: 7, solvedPerSecond: 6, refusedPerSecond: 1 };
      expect(seen[0]).toMatchObject({
        ...rates,
        joinDifficulty: { base: 4_000, surgePerSecond: null, surgeFactor: JOIN_SURGE_FACTOR, effective: 4_000, surging: false },
      });
      expect(seen[1]).toEqual({ base: 4_000, surgePerSecond: 6, surgeFactor: JOIN_SURGE_FACTOR, effective: 4_000, surging: false });
      expect(seen[2]).toMatchObject({
        ...rates,
        joinDifficulty: { base: 5_000, surgePerSecond: 5, surgeFactor: JOIN_SURGE_FACTOR, effective: 20_000, surging: true },
      });
      break;
    }
  });

  it('the busiest ten address prefixes by places in line, most first, with their share of the line', async () => {
    const { concertId } = await openedSale();
    const other = await openedSale();
    let place = 0;
    const token = async (
      addressPrefix: string | null,
      status: 'waiting' | 'active' | 'done' | 'expired' = 'waiting',
      { line = concertId, placed = true, times = {} }: { line?: number; placed?: boolean; times?: Record<string, SQL> } = {},
    ) =>
      db.insert(queueTokens).values({
        token: `prefix-${line}-${++place}-${randomBytes(4).toString('hex')}`,
        userId: await newUserId(),
        concertId: line,
        place: placed ? place : null,
        status,
        addressPrefix,
        ...(status === 'active' && { expiresAt: sql`now() + interval '5 minutes'`, admittedAt: sql`now()`, turnSeconds: 600 }),
        ...times,
      });
    // Twelve prefixes in line: 5, 4, 3, 3, 2, 2 places, then six with one (an IPv6 /48 among them).
    const farm = '203.0.113.0/24';
    await token(farm);
    await token(farm);
    await token(farm, 'active');
    await token(farm, 'waiting', { placed: false }); // joined in the pre-queue: no place yet
    await token(farm);
    const counts: [string, number][] = [
      ['2001:db8:1::/48', 4],
      ['198.51.100.0/24', 3],
      ['198.51.101.0/24', 3],
      ['192.0.2.0/24', 2],
      ['192.0.3.0/24', 2],
      ['10.0.11.0/24', 1],
      ['10.0.12.0/24', 1],
      ['10.0.13.0/24', 1],
      ['10.0.14.0/24', 1],
      ['10.0.15.0/24', 1],
      ['2001:db8:2::/48', 1],
    ];
    for (const [prefix, n] of counts) for (let i = 0; i < n; i++) await token(prefix);
    await token(null); // the address is unknown: in the line, in no row
    await token(null, 'active');
    // Not in line: done, expired, a turn that ran out, a place given up; and another line's.
    const gone = '100.64.0.0/24';
    await token(gone, 'done');
    await token(gone, 'expired');
    await token(gone, 'active', { times: { expiresAt: sql`now() - interval '1 second'` } });
    for (let i = 0; i < 6; i++) await token(gone, 'waiting', { times: { lastSeenAt: sql`now() - interval '1 hour'` } });
    for (let i = 0; i < 7; i++) await token(farm, 'waiting', { line: other.concertId });

    const stats = await operator.api.admin.sale.stats({ concertId });
    const inLine = 5 + 20 + 2;
    expect(stats.waiting + stats.active).toBe(inLine);
    expect(stats.busiestPrefixes).toHaveLength(BUSIEST_PREFIXES);
    expect(stats.busiestPrefixes).toEqual(
      (
        [
          [farm, 5],
          ['2001:db8:1::/48', 4],
          ['198.51.100.0/24', 3],
          ['198.51.101.0/24', 3],
          ['192.0.2.0/24', 2],
          ['192.0.3.0/24', 2],
          ['10.0.11.0/24', 1],
          ['10.0.12.0/24', 1],
          ['10.0.13.0/24', 1],
          ['10.0.14.0/24', 1],
        ] as const
      ).map(([prefix, places]) => ({ prefix, places, share: places / inLine })),
    );
    // The other line sees its own.
    expect((await operator.api.admin.sale.stats({ concertId: other.concertId })).busiestPrefixes).toEqual([
      { prefix: farm, places: 7, share: 1 },
    ]);
  });
});

describe('the console drives the line', () => {
  it('pause, a raised cap, resume and close, each through admin.*, apply at the fans’ next poll', async () => {
    const { concertId } = await openedSale({ maxActive: 1 });
    const fan = async () => {
      const user = new TestUser(db, config);
      await user.join(concertId);
      return user;
    };
    const first = await fan();
    const [second, third] = [await fan(), await fan()];
    expect(await second.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });
    expect(await operator.api.admin.sale.stats({ concertId })).toMatchObject({ state: 'open', waiting: 2, active: 1 });

    await operator.api.admin.sale.pause({ concertId });
    await operator.api.admin.sale.update({ concertId, maxActive: 2 });
    expect(await second.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });
    expect(await operator.api.admin.sale.stats({ concertId })).toMatchObject({ state: 'paused', waiting: 2, active: 1 });

    await operator.api.admin.sale.resume({ concertId });
    expect(await second.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
    expect(await third.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });
    expect(await operator.api.admin.sale.stats({ concertId })).toMatchObject({
      state: 'open',
      waiting: 1,
      active: 2,
      admittedLastMinute: 2,
    });

    await operator.api.admin.sale.close({ concertId });
    expect(await third.api.queue.status({ concertId })).toMatchObject({ status: 'closed', closedReason: 'closed' });
    expect(await first.api.queue.status({ concertId })).toMatchObject({ status: 'active' }); // admitted fans go on buying
    await expectFailure(new TestUser(db, config).join(concertId), 'CONFLICT', 'SALE_CLOSED');
    expect(await operator.api.admin.sale.stats({ concertId })).toMatchObject({ state: 'closed', waiting: 0, active: 2 });
  });
});
