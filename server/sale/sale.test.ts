import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createConcert, sellSeats, type ConcertPlan } from '@/server/seed';
import type { DomainError } from '@/server/errors';
import { createNodeHandler } from '@/server/http/node-handler';
import { checkInvariants } from '@/server/invariants';
import { runOutHold, runOutTurn } from '@/server/testing/clock';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { QUEUE_TOKEN_HEADER } from '@/server/queue/cookies';
import { commitmentOf, drawPlaces, drawProblems } from './draw';
import { markSoldOut, openSaleIfDue } from './service';
import { fetchDraw, verifyDrawAt } from './verify';

const database = await useTestDatabase();
const { db } = database;
const config = testConfig({ RATE_LIMIT_PER_MINUTE: 0 });

let concerts = 0;
/** A concert of its own for a test (one date of 80 seats), its sale as given (default: on sale now). */
async function newConcert(sale?: ConcertPlan['sale']) {
  const plan = { title: `Sale test ${++concerts}`, artist: 'Testers', venue: 'Test Hall', dayOffsets: [30], sale };
  return (await createConcert(db, plan)).concertId;
}

/** Time passes until the sale's opening (its pre-queue stays as long before it as it was). */
async function reachOpening(concertId: number) {
  await db.execute(sql`
    UPDATE sales SET prequeue_opens_at = prequeue_opens_at - (opens_at - now()) - interval '1 second', opens_at = now() - interval '1 second'
    WHERE concert_id = ${concertId}`);
}

/** Every seat of the concert but the first `keep` sold, as real paid orders (the sale not yet marked). */
const sellAllBut = (concertId: number, keep: number) => sellSeats(db, concertId, { keep });

async function freeSeatOf(concertId: number) {
  const [row] = await db.execute<{ id: number }>(sql`
    SELECT s.id FROM seats s JOIN schedules d ON d.id = s.schedule_id
    WHERE d.concert_id = ${concertId} AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.seat_id = s.id AND r.status IN ('held', 'confirmed'))
    ORDER BY s.id LIMIT 1`);
  return row!.id;
}

const setSale = (concertId: number, change: ReturnType<typeof sql>) =>
  db.execute(sql`UPDATE sales SET ${change} WHERE concert_id = ${concertId}`);

async function fan(concertId: number) {
  const user = await new TestUser(db, config).start();
  await user.join(concertId);
  return user;
}

/**
 * Two tests do much more than the others (200 fans joining one by one; two runs of the verify:draw
 * command, each starting tsx): on a busy 2-core machine they took over Vitest's 30 s.
 */
const HEAVY_TEST_MS = 120_000;

describe('a line per concert', () => {
  it('issues one live token per concert: a fan may wait for two shows at once', async () => {
    const [a, b] = [await newConcert({ maxActive: 1 }), await newConcert({ maxActive: 1 })];
    await fan(a); // takes each line's one slot
    await fan(b);
    const user = await new TestUser(db, config).start();
    const inA = await Promise.all(Array.from({ length: 5 }, () => user.api.queue.issue({ concertId: a })));
    const inB = await user.api.queue.issue({ concertId: b });
    expect(new Set(inA.map((t) => t.token)).size).toBe(1);
    expect(inB.token).not.toBe(inA[0]!.token);
    expect(inA[0]).toMatchObject({ concertId: a, status: 'waiting', position: 1, aheadOfYou: 0, ticket: expect.any(Number) });
    expect(inB).toMatchObject({ concertId: b, status: 'waiting', position: 1 });
    // Both stay live, each in its own line, read by concert (cookie per line).
    expect(await user.api.queue.status({ concertId: a })).toMatchObject({ concertId: a, status: 'waiting', ticket: inA[0]!.ticket });
    expect(await user.api.queue.status({ concertId: b })).toMatchObject({ concertId: b, status: 'waiting', ticket: inB.ticket });
    const [{ live } = { live: 0 }] = await db.execute<{ live: number }>(
      sql`SELECT count(*)::int AS live FROM queue_tokens WHERE user_id = ${user.userId} AND status IN ('waiting', 'active')`,
    );
    expect(live).toBe(2);
  });

  it('refuses joining before the pre-queue, and after the sale sold out or closed', async () => {
    const scheduled = await newConcert({ prequeueInMinutes: 60, opensInMinutes: 90 });
    const user = await new TestUser(db, config).start();
    const early = await expectFailure(user.api.queue.issue({ concertId: scheduled }), 'CONFLICT', 'SALE_NOT_OPEN');
    expect((early.cause as DomainError).details).toEqual({ prequeueOpensAt: expect.any(String), opensAt: expect.any(String) });

    const closed = await newConcert();
    await setSale(closed, sql`closed_reason = 'closed', closed_at = now()`);
    await expectFailure(user.api.queue.issue({ concertId: closed }), 'CONFLICT', 'SALE_CLOSED');

    const soldOut = await newConcert();
    await sellAllBut(soldOut, 0);
    // Not marked yet: the join itself notices every seat is sold.
    await expectFailure(user.api.queue.issue({ concertId: soldOut }), 'CONFLICT', 'SOLD_OUT');
    await expectFailure(user.api.queue.issue({ concertId: soldOut }), 'CONFLICT', 'SOLD_OUT');
    await expectFailure(user.api.queue.issue({ concertId: 999_999 }), 'NOT_FOUND', 'NOT_FOUND');

    const states = new Map((await user.api.concert.list()).map((c) => [c.concertId, c.sale?.state]));
    expect([states.get(scheduled), states.get(closed), states.get(soldOut)]).toEqual(['scheduled', 'closed', 'sold_out']);
  });

  it('refuses a token of one sale on another sale’s dates, seats, holds and payments', async () => {
    const [x, y] = [await newConcert(), await newConcert()];
    const inX = await fan(x);
    const inBoth = await fan(y);
    await inBoth.join(x);
    await inBoth.api.wallet.charge({ amount: 500_000 });
    const [yDate] = await inBoth.api.concert.dates({ concertId: y });
    const ySeat = await freeSeatOf(y);
    const yHold = await inBoth.api.reservation.hold({ seatId: ySeat });

    // The header names one token: X's, used on Y's resources.
    inX.headers.set(QUEUE_TOKEN_HEADER, inX.token);
    await inX.api.concert.dates({ concertId: x });
    await expectFailure(inX.api.concert.dates({ concertId: y }), 'FORBIDDEN', 'TOKEN_WRONG_SALE');
    await expectFailure(inX.api.concert.seats({ scheduleId: yDate!.scheduleId }), 'FORBIDDEN', 'TOKEN_WRONG_SALE');
    await expectFailure(inX.api.reservation.hold({ seatId: await freeSeatOf(y) }), 'FORBIDDEN', 'TOKEN_WRONG_SALE');
    // With cookies only: X's line cookie does not open Y's.
    inX.headers.delete(QUEUE_TOKEN_HEADER);
    await expectFailure(inX.api.concert.dates({ concertId: y }), 'FORBIDDEN', 'TOKEN_WRONG_SALE');
    // Someone else's reservation stays NOT_FOUND whatever the token.
    await expectFailure(inX.api.payment.pay({ reservationId: yHold.reservationId }), 'NOT_FOUND', 'NOT_FOUND');

    // A fan in both lines: X's token (header) can't pay Y's hold; the cookies pick Y's line; the wallet takes either.
    inBoth.headers.set(QUEUE_TOKEN_HEADER, inBoth.token); // X's: the line joined last
    await expectFailure(inBoth.api.payment.pay({ reservationId: yHold.reservationId }), 'FORBIDDEN', 'TOKEN_WRONG_SALE');
    await expectFailure(inBoth.api.reservation.cancel({ reservationId: yHold.reservationId }), 'FORBIDDEN', 'TOKEN_WRONG_SALE');
    expect(await inBoth.api.wallet.balance()).toEqual({ balance: 500_000 });
    inBoth.headers.delete(QUEUE_TOKEN_HEADER);
    await inBoth.api.payment.pay({ reservationId: yHold.reservationId });
    // Paying in Y's line ended that turn only.
    expect(await inBoth.api.queue.status({ concertId: y })).toMatchObject({ status: 'expired' });
    expect(await inBoth.api.queue.status({ concertId: x })).toMatchObject({ status: 'active' });
    expect(await inBoth.api.wallet.balance()).toEqual({ balance: 500_000 - yHold.price });
  });
});

describe('the draw', () => {
  it(
    'places the pre-queue by the published rule, gives early joiners no advantage, and queues later joiners behind',
    async () => {
      const concertId = await newConcert({ prequeueInMinutes: -10, opensInMinutes: 10, maxActive: 5 });
      const before = await new TestUser(db, config).api.sale.draw({ concertId });
      expect(before).toEqual({
        commitment: expect.stringMatching(/^[0-9a-f]{64}$/),
        seed: null,
        openedAt: null,
        entries: null,
        drawnCount: null,
        nextCursor: null,
      });

      // 200 fans join the pre-queue one after another: join order is draw-number order.
      const fans: TestUser[] = [];
      for (let i = 0; i < 200; i++) {
        const f = await new TestUser(db, config).start();
        const issued = await f.api.queue.issue({ concertId });
        expect(issued).toMatchObject({ status: 'prequeue', position: null, opensAt: expect.any(String) });
        f.token = issued.token;
        fans.push(f);
      }
      await reachOpening(concertId);
      // Everyone polls at once: the opening happens once.
      const views = await Promise.all(fans.map((f) => f.api.queue.status({ concertId })));
      const draw = await fans[0]!.api.sale.draw({ concertId });
      expect(draw.commitment).toBe(before.commitment);
      expect(commitmentOf(draw.seed!)).toBe(draw.commitment);
      expect(drawProblems(draw)).toEqual([]);
      expect(draw.entries).toHaveLength(200);
      expect(draw.entries!.map((e) => e.place)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const drawNumbers = views.map((v) => v.ticket);
      expect(draw.entries).toEqual(drawPlaces(draw.seed!, drawNumbers));

      // Each fan's answer agrees with the draw: the first five are admitted, the rest wait by place.
      const placeOf = new Map(draw.entries!.map((e) => [e.ticket, e.place]));
      for (const v of await Promise.all(fans.map((f) => f.api.queue.status({ concertId })))) {
        const place = placeOf.get(v.ticket)!;
        if (place <= 5) expect(v.status).toBe('active');
        else expect(v).toMatchObject({ status: 'waiting', position: place - 5, aheadOfYou: place - 6 });
      }

      // Joining early gives no advantage: the place does not follow the join order.
      const places = drawNumbers.map((n) => placeOf.get(n)!);
      const n = places.length;
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const rank = places.map((_, i) => i + 1);
      const [mr, mp] = [mean(rank), mean(places)];
      const cov = rank.reduce((sum, r, i) => sum + (r - mr) * (places[i]! - mp), 0);
      const spread = (xs: number[], m: number) => Math.sqrt(xs.reduce((sum, x) => sum + (x - m) ** 2, 0));
      const correlation = cov / (spread(rank, mr) * spread(places, mp));
      // For a fair shuffle of 200 the correlation's standard deviation is 1/√199 ≈ 0.07.
      expect(Math.abs(correlation)).toBeLessThan(0.25);
      const [earlyHalf, lateHalf] = [mean(places.slice(0, n / 2)), mean(places.slice(n / 2))];
      // A half's mean place varies by ~4 around 100.5 under a fair shuffle: early is not ahead beyond noise.
      expect(earlyHalf - lateHalf).toBeGreaterThan(-33);

      // A fan who joins after the opening queues behind all 200, in arrival order.
      const late = await new TestUser(db, config).start();
      const lateIssued = await late.api.queue.issue({ concertId });
      expect(lateIssued).toMatchObject({ status: 'waiting', position: 201 - 5 });
      const later = await new TestUser(db, config).start();
      expect(await later.api.queue.issue({ concertId })).toMatchObject({ status: 'waiting', position: 202 - 5 });
      expect((await late.api.sale.draw({ concertId })).entries).toHaveLength(200);
    },
    HEAVY_TEST_MS,
  );

  it('opens once when many callers and two app instances (two connection pools) notice the time together', async () => {
    const concertId = await newConcert({ prequeueInMinutes: -10, opensInMinutes: 10 });
    const fans = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const f = await new TestUser(db, config).start();
        f.token = (await f.api.queue.issue({ concertId })).token;
        return f;
      }),
    );
    await reachOpening(concertId);
    const other = database.connectAgain({ max: 8 });
    try {
      const opened = await Promise.all([
        ...Array.from({ length: 8 }, () => openSaleIfDue(db, concertId)),
        ...Array.from({ length: 8 }, () => openSaleIfDue(other.db, concertId)),
      ]);
      expect(opened.filter(Boolean)).toHaveLength(1);
      const seen = await Promise.all([
        ...fans.map((f) => f.api.sale.draw({ concertId })),
        ...Array.from({ length: 5 }, () => new TestUser(other.db, config).api.sale.draw({ concertId })),
      ]);
      expect(new Set(seen.map((d) => `${d.seed} ${d.openedAt}`)).size).toBe(1);
    } finally {
      await other.close();
    }
    const draw = await new TestUser(db, config).api.sale.draw({ concertId });
    expect(drawProblems(draw)).toEqual([]);
    expect(draw.entries).toHaveLength(30);
    const [sale] = await db.execute<{ drawn: number; last: number }>(
      sql`SELECT drawn_count AS drawn, line_last_place(concert_id)::int AS last FROM sales WHERE concert_id = ${concertId}`,
    );
    expect(sale).toEqual({ drawn: 30, last: 30 });
  });

  it('is paged by place: pages of `limit` entries after `cursor`, together the whole draw, the first page by default', async () => {
    const concertId = await newConcert({ prequeueInMinutes: -10, opensInMinutes: 10 });
    const fans = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const f = await new TestUser(db, config).start();
        f.token = (await f.api.queue.issue({ concertId })).token;
        return f;
      }),
    );
    await reachOpening(concertId);
    const reader = new TestUser(db, config);
    const whole = await reader.api.sale.draw({ concertId });
    expect(whole).toMatchObject({ drawnCount: 25, nextCursor: null });
    expect(whole.entries).toHaveLength(25);
    expect(drawProblems(whole)).toEqual([]);

    const first = await reader.api.sale.draw({ concertId, limit: 10 });
    const second = await reader.api.sale.draw({ concertId, cursor: first.nextCursor, limit: 10 });
    const third = await reader.api.sale.draw({ concertId, cursor: second.nextCursor, limit: 10 });
    expect([first.nextCursor, second.nextCursor, third.nextCursor]).toEqual([10, 20, null]);
    expect([first, second, third].map((p) => p.entries!.length)).toEqual([10, 10, 5]);
    expect([...first.entries!, ...second.entries!, ...third.entries!]).toEqual(whole.entries);
    for (const page of [first, second, third])
      expect(page).toMatchObject({ seed: whole.seed, commitment: whole.commitment, drawnCount: 25 });
    // Past the end: an empty last page.
    expect(await reader.api.sale.draw({ concertId, cursor: 25 })).toMatchObject({ entries: [], nextCursor: null, drawnCount: 25 });
    // The drawn places agree with the published rule computed here (the server computes it in SQL).
    const tickets = await Promise.all(fans.map(async (f) => (await f.api.queue.status({ concertId })).ticket));
    expect(whole.entries).toEqual(drawPlaces(whole.seed!, tickets));
    // A part of the draw read as the whole is caught by the check.
    expect(drawProblems({ ...first, drawnCount: 25 })).toEqual(['the draw placed 25 draw numbers, but 10 were read']);
    // A page is bounded.
    await expectFailure(reader.api.sale.draw({ concertId, limit: 10_001 }), 'BAD_REQUEST', 'INVALID_INPUT');
  });

  it(
    'is checked by npm run verify:draw over HTTP, which also catches a draw that does not follow the rule',
    async () => {
      const concertId = await newConcert({ prequeueInMinutes: -10, opensInMinutes: 10 });
      for (let i = 0; i < 12; i++) await (await new TestUser(db, config).start()).api.queue.issue({ concertId });
      const handle = createNodeHandler({ db, config });
      const server = http.createServer((req, res) => void handle(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        expect(await verifyDrawAt(base, concertId)).toMatchObject({
          ok: false,
          lines: expect.arrayContaining([expect.stringContaining('NOT OK')]),
        });
        await reachOpening(concertId);
        const checked = await verifyDrawAt(base, concertId);
        expect(checked.ok).toBe(true);
        // Read in pages of 5, the same draw.
        const paged = await fetchDraw(base, concertId, { limit: 5 });
        expect(paged).toMatchObject({ pages: 3, drawnCount: 12 });
        expect(drawProblems(paged)).toEqual([]);
        // The command itself, as anyone would run it.
        const run = promisify(execFile);
        const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/verify-draw.ts', base, String(concertId)]);
        expect(stdout).toMatch(/^OK: the draw of concert \d+ checks out/);

        // A draw whose places were changed afterwards (two draw numbers swapped) fails the check.
        await db.execute(sql`
        UPDATE queue_tokens SET place = CASE place WHEN 1 THEN 2 ELSE 1 END WHERE concert_id = ${concertId} AND place IN (1, 2)`);
        const failed = await run(process.execPath, ['--import', 'tsx', 'scripts/verify-draw.ts', base, String(concertId)]).then(
          () => ({ code: 0, stdout: '' }),
          (e: { code: number; stdout: string }) => e,
        );
        expect(failed.code).toBe(1);
        expect(failed.stdout).toMatch(/NOT OK[\s\S]*has place 1, but the rule gives it place 2/);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
    HEAVY_TEST_MS,
  );
});

describe('sold out and closed', () => {
  it('marks a sale sold out only if, counted again under the sale row lock, no seat is free or held (a refund may have raced a stale count)', async () => {
    const concertId = await newConcert();
    await sellAllBut(concertId, 1);
    const closedReason = async () =>
      (await db.execute<{ r: string | null }>(sql`SELECT closed_reason AS r FROM sales WHERE concert_id = ${concertId}`))[0]!.r;
    // A caller whose count said "none left" (say, before a refund committed): the seat is free now.
    await markSoldOut(db, concertId);
    expect(await closedReason()).toBeNull();
    const buyer = await fan(concertId);
    await buyer.api.wallet.charge({ amount: 500_000 });
    const hold = await buyer.api.reservation.hold({ seatId: await freeSeatOf(concertId) });
    await buyer.api.payment.pay({ reservationId: hold.reservationId });
    await markSoldOut(db, concertId);
    expect(await closedReason()).toBe('sold_out');
  });

  it('closes every waiting token when the last seat sells, and refuses new joins', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    await sellAllBut(concertId, 1);
    const buyer = await fan(concertId);
    const waiting = await Promise.all(Array.from({ length: 5 }, () => fan(concertId)));
    expect(await waiting[0]!.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', seatsLeft: 1, seatsHeld: 0 });
    await buyer.api.wallet.charge({ amount: 500_000 });
    const hold = await buyer.api.reservation.hold({ seatId: await freeSeatOf(concertId) });
    await buyer.api.payment.pay({ reservationId: hold.reservationId });

    for (const w of waiting) {
      expect(await w.api.queue.status({ concertId })).toMatchObject({ status: 'closed', closedReason: 'sold_out', position: null });
    }
    await expectFailure((await new TestUser(db, config).start()).api.queue.issue({ concertId }), 'CONFLICT', 'SOLD_OUT');
    const [row] = await db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM queue_tokens WHERE concert_id = ${concertId} AND status = 'waiting'`,
    );
    expect(row!.n).toBe(0);
    expect((await buyer.api.concert.list()).find((c) => c.concertId === concertId)?.sale?.state).toBe('sold_out');
  });

  it('stops admitting while every free seat is held, says how many are held, and resumes when a hold runs out', async () => {
    const concertId = await newConcert({ maxActive: 2 });
    await sellAllBut(concertId, 1);
    const holder = await fan(concertId);
    await holder.api.reservation.hold({ seatId: await freeSeatOf(concertId) });
    const hold = (await holder.api.reservation.list())[0]!;
    // The line has a free slot, but no free seat: the next fan waits, told why.
    const next = await fan(concertId);
    expect(await next.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1, seatsLeft: 0, seatsHeld: 1 });
    expect(await next.api.queue.status({ concertId })).toMatchObject({ status: 'waiting' });

    // The hold runs out (and with it the time the line waits for): the seat is free again, and so is the line.
    await runOutHold(db, hold.reservationId);
    await db.execute(sql`UPDATE queue_state SET next_expiry_at = now() - interval '1 second' WHERE concert_id = ${concertId}`);
    expect(await next.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
  });

  it('resumes at once when a held seat is released', async () => {
    const concertId = await newConcert({ maxActive: 2 });
    await sellAllBut(concertId, 1);
    const holder = await fan(concertId);
    const hold = await holder.api.reservation.hold({ seatId: await freeSeatOf(concertId) });
    const next = await fan(concertId);
    expect(await next.api.queue.status({ concertId })).toMatchObject({ status: 'waiting' });
    await holder.api.reservation.cancel({ reservationId: hold.reservationId });
    expect(await next.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
  });

  it('closes waiting tokens of a closed sale at their next poll, while admitted fans go on buying', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    const buyer = await fan(concertId);
    const waiting = await fan(concertId);
    await setSale(concertId, sql`closed_reason = 'closed', closed_at = now()`);
    expect(await waiting.api.queue.status({ concertId })).toMatchObject({ status: 'closed', closedReason: 'closed' });
    await expectFailure(waiting.api.queue.issue({ concertId }), 'CONFLICT', 'SALE_CLOSED');
    await buyer.api.reservation.hold({ seatId: await freeSeatOf(concertId) });
  });
});

describe('operator settings, written to the sale, apply at the next admission', () => {
  it('pause holds the line (active fans keep buying), resume lets it move', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    const first = await fan(concertId);
    const second = await fan(concertId);
    await setSale(concertId, sql`paused = true, paused_at = now()`);
    await first.api.reservation.hold({ seatId: await freeSeatOf(concertId) });
    await runOutTurn(db, first.token);
    expect(await second.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });
    expect(await second.api.queue.status({ concertId })).toMatchObject({ status: 'waiting' });
    expect((await second.api.concert.list()).find((c) => c.concertId === concertId)?.sale?.state).toBe('paused');
    await setSale(concertId, sql`paused = false, paused_at = NULL`);
    expect(await second.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
  });

  it('a raised cap admits more at once; a lowered one admits no one until the line is under it', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    const first = await fan(concertId);
    const rest: TestUser[] = [];
    for (let i = 0; i < 4; i++) rest.push(await fan(concertId)); // in this order in the line
    await setSale(concertId, sql`max_active = 3`);
    await rest[0]!.api.queue.status({ concertId });
    const statuses = await Promise.all(rest.map((f) => f.api.queue.status({ concertId })));
    expect(statuses.map((s) => s.status)).toEqual(['active', 'active', 'waiting', 'waiting']);

    await setSale(concertId, sql`max_active = 1`);
    await runOutTurn(db, first.token);
    await rest[0]!.api.queue.status({ concertId });
    expect((await rest[2]!.api.queue.status({ concertId })).status).toBe('waiting');
    const [row] = await db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM queue_tokens WHERE concert_id = ${concertId} AND status = 'active' AND expires_at > now()`,
    );
    expect(row!.n).toBe(2);
  });

  it('the invariant check holds each line to its own cap', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    const [first, second] = [await fan(concertId), await fan(concertId)];
    const overCap = async () =>
      (await checkInvariants(database.sql, 1))
        .find((r) => r.name.startsWith('no line has more active tokens'))!
        .breaches.filter((b) => (b as { concert_id: number }).concert_id === concertId);
    expect(await overCap()).toEqual([]);
    // Admitted past the cap behind the pass's back: a breach.
    await db.execute(sql`
      UPDATE queue_tokens SET status = 'active', admitted_at = now(), expires_at = now() + interval '1 minute' WHERE token = ${second.token}`);
    expect(await overCap()).toEqual([expect.objectContaining({ concert_id: concertId, active: 2 })]);
    // An operator's raised cap allows it.
    await setSale(concertId, sql`max_active = 2`);
    expect(await overCap()).toEqual([]);
    await runOutTurn(db, first.token);
  });

  it('a changed turn length applies to the turns admitted after it', async () => {
    const concertId = await newConcert({ maxActive: 1, turnSeconds: 600 });
    const first = await fan(concertId);
    const second = await fan(concertId);
    await setSale(concertId, sql`turn_seconds = 60`);
    await runOutTurn(db, first.token);
    const view = await second.api.queue.status({ concertId });
    expect(view.status).toBe('active');
    const seconds = (Date.parse(view.activeUntil!) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(50);
    expect(seconds).toBeLessThanOrEqual(61);
  });
});
