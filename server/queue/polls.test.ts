import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, type Db } from '@/db/client';
import * as schema from '@/db/schema';
import { createConcert } from '@/server/seed';
import { runOutTurn } from '@/server/testing/clock';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { admitWaiting } from './admission';
import { flushHeartbeats, pendingHeartbeats } from './heartbeats';
import { LINE_CHANNEL, LINE_REFRESH_MS } from './line-cache';
import { QUEUE_PASS_HEADER, queuePassCookie, signQueuePass, verifyQueuePass } from './queue-pass';

/**
 * Polls answered from memory: a waiting fan with a valid queue pass is answered from the line's
 * cached state, with no SQL; anything a queue pass cannot vouch for is read from the database.
 */

const { db, url } = await useTestDatabase();
const config = testConfig({ RATE_LIMIT_PER_MINUTE: 0 });

/** Another app instance: its own pool, so its own caches, and it sees nothing of this one's writes. */
const otherInstance = connect(url, { max: 2 });

/** A third pool that records every statement it sends on the wire (its LISTEN connection included). */
const sent: string[] = [];
const counting = postgres(url, { max: 2, fetch_types: false, onnotice: () => {}, debug: (_connection, query) => sent.push(query) });
const countingDb = drizzle(counting, { schema }) as unknown as Db;

/**
 * Resolves once the counting pool's subscription to the line channel is up and the line cache has
 * heard so (its `onListening`, which forgets the cached lines, has run): postgres.js resolves a
 * channel's later listener after the first one's, on the same LISTEN's answer. Call it after a poll
 * through the pool (which subscribes), before counting that pool's statements.
 */
const subscribed = () => counting.listen(LINE_CHANNEL, () => {});

afterAll(async () => {
  await otherInstance.close();
  await counting.end({ timeout: 5 });
});

let concerts = 0;
async function newLine(maxActive: number) {
  const plan = { title: `Poll test ${++concerts}`, artist: 'Testers', venue: 'Test Hall', dayOffsets: [30], sale: { maxActive } };
  return (await createConcert(db, plan)).concertId;
}

/** A fan who joined the line through `db` (and so holds its token and queue pass cookies). */
async function fan(concertId: number) {
  const user = await new TestUser(db, config).start();
  await user.join(concertId);
  return user;
}

async function lastSeenAgo(token: string): Promise<number> {
  const [row] = await db.execute<{ ago: number }>(
    sql`SELECT extract(epoch FROM now() - last_seen_at)::float8 AS ago FROM queue_tokens WHERE token = ${token}`,
  );
  return row!.ago;
}

/** Polls until `done`, failing past `boundMs`; returns how long it took. */
async function pollUntil<T>(poll: () => Promise<T>, done: (view: T) => boolean, boundMs: number) {
  const started = performance.now();
  for (;;) {
    const view = await poll();
    if (done(view)) return performance.now() - started;
    if (performance.now() - started > boundMs) throw new Error(`not within ${boundMs} ms: ${JSON.stringify(view)}`);
    await sleep(20);
  }
}

describe('a poll with a valid queue pass', () => {
  it('is given a queue pass while waiting, and is then answered with no SQL at all, however often it polls', async () => {
    const concertId = await newLine(1);
    await fan(concertId);
    const waiting = await fan(concertId);
    expect(waiting.cookies.get(queuePassCookie(concertId))).toMatch(/^q1\./);
    expect(waiting.setCookieHeaders.find((h) => h.startsWith(`${queuePassCookie(concertId)}=`))).toMatch(/HttpOnly; SameSite=Lax/);

    const poller = waiting.through(countingDb);
    expect(await poller.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });
    // The first poll of this pool reads the line (and subscribes to its notifications; once subscribed,
    // the line is read again, as a notification may have been missed before).
    expect(sent.filter((q) => /queue_tokens/i.test(q))).toEqual([]);
    await subscribed();
    await poller.api.queue.status({ concertId });
    // The first poll's heartbeat is written now: the next batch is due HEARTBEAT_FLUSH_SECONDS after the polls below start.
    await flushHeartbeats(countingDb);
    sent.length = 0;
    const started = performance.now();
    const POLLS = 50;
    for (let i = 0; i < POLLS; i++) expect(await poller.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });
    const elapsed = performance.now() - started;
    // No statement per poll: at most the line's own refresh, once a second.
    expect(sent.length, sent.join('\n')).toBeLessThanOrEqual(Math.floor(elapsed / LINE_REFRESH_MS));
    expect(sent.every((q) => /from "queue_state"/i.test(q))).toBe(true);
    expect(pendingHeartbeats(countingDb)).toBe(1);

    // The same fan without the queue pass is read from the database.
    poller.cookies.delete(queuePassCookie(concertId));
    sent.length = 0;
    expect(await poller.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });
    expect(sent.some((q) => /from "queue_tokens"/i.test(q))).toBe(true);
    await flushHeartbeats(countingDb);
  });

  it('is never trusted when forged, altered, another user’s or another token’s: the database answers', async () => {
    const concertId = await newLine(1);
    await fan(concertId);
    const ahead = await fan(concertId);
    const behind = await fan(concertId);
    const queuePassOf = (u: TestUser) => u.cookies.get(queuePassCookie(concertId))!;
    const real = verifyQueuePass(config.SESSION_SECRET, queuePassOf(behind), { userId: behind.userId, token: behind.token })!;
    expect(real).toMatchObject({ concertId, place: expect.any(Number), userId: behind.userId });

    const asBehind = behind.through(countingDb);
    const attempts = {
      // The place moved to the front, the MAC left as it was.
      altered: queuePassOf(behind).replace(`.${real.place}.`, `.${real.place! - 1}.`),
      // Signed with another secret.
      forged: signQueuePass('x'.repeat(40), { ...real, place: 1 }, behind.token),
      // Another fan's queue pass, valid for them.
      others: queuePassOf(ahead),
      // This fan's own fields, signed for another token.
      otherToken: signQueuePass(config.SESSION_SECRET, { ...real, place: real.place! - 1 }, ahead.token),
      garbage: 'q1.1.2.3',
    };
    for (const [how, queuePass] of Object.entries(attempts)) {
      asBehind.headers.set(QUEUE_PASS_HEADER, queuePass);
      sent.length = 0;
      expect(await asBehind.api.queue.status({ concertId }), how).toMatchObject({ status: 'waiting', position: 2 });
      expect(
        sent.some((q) => /from "queue_tokens"/i.test(q)),
        how,
      ).toBe(true);
    }
    // The header alone counts when sent: its own valid queue pass there is answered from memory.
    asBehind.headers.set(QUEUE_PASS_HEADER, queuePassOf(behind));
    sent.length = 0;
    expect(await asBehind.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 2 });
    expect(sent.some((q) => /queue_tokens/i.test(q))).toBe(false);
    await flushHeartbeats(countingDb);
  });

  it('falls back to the database once the presence it vouches for is too old, and gets a new queue pass', async () => {
    const concertId = await newLine(1);
    await fan(concertId);
    const waiting = await fan(concertId);
    const real = verifyQueuePass(config.SESSION_SECRET, waiting.cookies.get(queuePassCookie(concertId)), waiting)!;
    const stale = signQueuePass(
      config.SESSION_SECRET,
      { ...real, confirmedAt: real.confirmedAt - config.QUEUE_ABANDON_SECONDS },
      waiting.token,
    );
    const poller = waiting.through(countingDb);
    poller.cookies.set(queuePassCookie(concertId), stale);
    sent.length = 0;
    expect(await poller.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });
    expect(sent.some((q) => /from "queue_tokens"/i.test(q))).toBe(true);
    const renewed = verifyQueuePass(config.SESSION_SECRET, poller.cookies.get(queuePassCookie(concertId)), waiting)!;
    expect(renewed.confirmedAt).toBeGreaterThan(real.confirmedAt - config.QUEUE_ABANDON_SECONDS);
  });
});

describe('the line as each instance holds it', () => {
  it('moves a position when another instance moves the cursor: at once on NOTIFY, else within a second', async () => {
    const concertId = await newLine(1);
    await fan(concertId);
    const a = await fan(concertId);
    const b = await fan(concertId);
    expect(await b.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 2 });

    // Another instance moves the cursor by one without telling anyone: this one still shows the cached line...
    await otherInstance.db.execute(sql`UPDATE queue_state SET admitted_through = admitted_through + 1 WHERE concert_id = ${concertId}`);
    expect(await b.api.queue.status({ concertId })).toMatchObject({ position: 2 });
    // ...until its refresh, at most a second later.
    await sleep(LINE_REFRESH_MS);
    expect(await b.api.queue.status({ concertId })).toMatchObject({ position: 1 });

    // With a notification, at once (well within the refresh).
    const readAt = performance.now();
    await otherInstance.db.execute(sql`UPDATE queue_state SET admitted_through = admitted_through - 1 WHERE concert_id = ${concertId}`);
    await otherInstance.db.execute(sql`SELECT pg_notify(${LINE_CHANNEL}, ${String(concertId)})`);
    let position = 1;
    while (position === 1 && performance.now() - readAt < LINE_REFRESH_MS) {
      position = (await b.api.queue.status({ concertId })).position!;
      if (position === 1) await sleep(5);
    }
    expect(position).toBe(2);
    expect(performance.now() - readAt).toBeLessThan(LINE_REFRESH_MS);
    expect(await a.api.queue.status({ concertId })).toMatchObject({ position: 1 });
  });

  it('shows an admitted fan `active` at the next poll: this instance’s own pass at once, another instance’s within a second', async () => {
    const concertId = await newLine(1);
    const first = await fan(concertId);
    const second = await fan(concertId);
    const third = await fan(concertId);
    expect(await second.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });

    // The turn runs out: the next poll runs the pass (from the cached line) and is admitted.
    await runOutTurn(db, first.token);
    expect(await second.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
    expect(await third.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });

    // Another instance ends the turn and admits: seen within the refresh.
    await otherInstance.db.execute(sql`UPDATE queue_tokens SET expires_at = now() - interval '1 second' WHERE token = ${second.token}`);
    await admitWaiting(otherInstance.db, config, { concertId, mode: 'wait' });
    await sleep(LINE_REFRESH_MS);
    expect(await third.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
  });

  it('closes waiting tokens at once when another instance closes the sale (the sales row notifies)', async () => {
    const concertId = await newLine(1);
    await fan(concertId);
    const waiting = await fan(concertId);
    expect(await waiting.api.queue.status({ concertId })).toMatchObject({ status: 'waiting' });
    const closedAt = performance.now();
    await otherInstance.db.execute(sql`UPDATE sales SET closed_reason = 'closed', closed_at = now() WHERE concert_id = ${concertId}`);
    let status = 'waiting';
    while (status === 'waiting' && performance.now() - closedAt < LINE_REFRESH_MS) {
      status = (await waiting.api.queue.status({ concertId })).status;
      if (status === 'waiting') await sleep(5);
    }
    expect(performance.now() - closedAt).toBeLessThan(LINE_REFRESH_MS / 2);
    expect(await waiting.api.queue.status({ concertId })).toMatchObject({ status: 'closed', closedReason: 'closed' });
    const [row] = await db.execute<{ status: string }>(sql`SELECT status FROM queue_tokens WHERE token = ${waiting.token}`);
    expect(row!.status).toBe('closed');
  });
});

describe('what a line owes, run from polls answered from memory', () => {
  it('answers the pre-queue from memory until the opening, then draws and places the fan from the database', async () => {
    const plan = {
      title: `Poll test ${++concerts}`,
      artist: 'Testers',
      venue: 'Test Hall',
      dayOffsets: [30],
      sale: { prequeueInMinutes: -1, opensInMinutes: 30 },
    };
    const { concertId } = await createConcert(db, plan);
    const early = await fan(concertId);
    const poller = early.through(countingDb);
    expect(await poller.api.queue.status({ concertId })).toMatchObject({ status: 'prequeue', position: null });
    await subscribed();
    await poller.api.queue.status({ concertId });
    sent.length = 0;
    for (let i = 0; i < 10; i++) expect(await poller.api.queue.status({ concertId })).toMatchObject({ status: 'prequeue' });
    expect(sent.some((q) => /queue_tokens/i.test(q))).toBe(false);

    await db.execute(sql`UPDATE sales SET opens_at = now() - interval '1 second' WHERE concert_id = ${concertId}`);
    await sleep(LINE_REFRESH_MS);
    expect(await poller.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
    const [row] = await db.execute<{ place: number | null }>(
      sql`SELECT place::int AS place FROM queue_tokens WHERE token = ${early.token}`,
    );
    expect(row!.place).toBe(1);
    await flushHeartbeats(countingDb);
  });

  it('tries a due pass at most once a second per line while it cannot run (another instance holds the line), never once per poll', async () => {
    const concertId = await newLine(1);
    const first = await fan(concertId);
    const waiting = await fan(concertId);
    const poller = waiting.through(countingDb);
    await poller.api.queue.status({ concertId });
    await subscribed();
    // The first turn runs out; another instance's pass holds the line's row meanwhile.
    await runOutTurn(otherInstance.db, first.token);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = otherInstance.sql.begin(async (tx) => {
      await tx`SELECT 1 FROM queue_state WHERE concert_id = ${concertId} FOR UPDATE`;
      locked();
      await released;
    });
    await isLocked;
    await sleep(LINE_REFRESH_MS);
    sent.length = 0;
    const started = performance.now();
    let polls = 0;
    while (performance.now() - started < 1_500) {
      expect(await poller.api.queue.status({ concertId })).toMatchObject({ status: 'waiting' });
      polls++;
    }
    const elapsed = performance.now() - started;
    release();
    await holding;
    const attempts = sent.filter((q) => /admit_line\(/i.test(q)).length;
    expect(polls).toBeGreaterThan(20);
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(Math.ceil(elapsed / 1_000) + 1);
    await flushHeartbeats(countingDb);
  });

  it('counts the seats shown to waiting fans again when the count is old, once for many polls', async () => {
    const concertId = await newLine(1);
    await fan(concertId);
    const waiting = await Promise.all(Array.from({ length: 5 }, () => fan(concertId)));
    const pollers = waiting.map((w) => w.through(countingDb));
    await pollers[0]!.api.queue.status({ concertId });
    await subscribed();
    // Someone elsewhere buys seats, and the count is older than it may be shown.
    await db.execute(
      sql`UPDATE queue_state SET seats_left = 999, seats_counted_at = now() - interval '1 minute' WHERE concert_id = ${concertId}`,
    );
    await sleep(LINE_REFRESH_MS);
    sent.length = 0;
    const views = await Promise.all(pollers.map((p) => p.api.queue.status({ concertId })));
    expect(sent.filter((q) => /update "queue_state" set "seats_left"/i.test(q))).toHaveLength(1);
    const [{ left } = { left: -1 }] = await db.execute<{ left: number }>(
      sql`SELECT seats_left AS left FROM queue_state WHERE concert_id = ${concertId}`,
    );
    expect(left).not.toBe(999);
    expect((await pollers[0]!.api.queue.status({ concertId })).seatsLeft).toBe(left);
    expect(views.every((v) => v.status === 'waiting')).toBe(true);
    await flushHeartbeats(countingDb);
  });
});

describe('what a waiting fan is told, answered from memory', () => {
  /** Polls until `done` holds (bounded), answering each poll; the time it took, in ms. */

  it('follows the seats within a second of a hold and of the hold running out, with no statement per poll', async () => {
    const concertId = await newLine(1);
    const buyer = await fan(concertId);
    const waiting = await fan(concertId);
    const poller = waiting.through(countingDb);
    const before = await poller.api.queue.status({ concertId });
    await subscribed();
    await poller.api.queue.status({ concertId });
    await flushHeartbeats(countingDb);
    expect(before).toMatchObject({ status: 'waiting', seatsHeld: 0 });
    const left = before.seatsLeft!;

    // The admitted fan holds a seat through another pool (so nothing of it is seen by this one's cache).
    const [date] = await buyer.api.concert.dates({ concertId });
    const seat = (await buyer.api.concert.seats({ scheduleId: date!.scheduleId })).find((s) => s.status === 'available')!;
    sent.length = 0;
    const started = performance.now();
    const hold = await buyer.api.reservation.hold({ seatId: seat.seatId });
    const poll = () => poller.api.queue.status({ concertId });
    const afterHold = await pollUntil(poll, (v) => v.seatsLeft === left - 1 && v.seatsHeld === 1, 3_000);
    expect(afterHold).toBeLessThanOrEqual(LINE_REFRESH_MS + 300);

    // The hold runs out in a moment; nothing is written when it does.
    await db.execute(sql`UPDATE reservations SET held_until = now() + interval '500 milliseconds' WHERE id = ${hold.reservationId}`);
    await sleep(500);
    const afterEnd = await pollUntil(poll, (v) => v.seatsLeft === left && v.seatsHeld === 0, 3_000);
    expect(afterEnd).toBeLessThanOrEqual(LINE_REFRESH_MS + 300);

    // No poll read the database: this pool sent the line's read, at most once a second (and no token read).
    const elapsed = performance.now() - started;
    const lineReads = sent.filter((q) => /^select .* from "queue_state"/is.test(q));
    expect(lineReads.length).toBeGreaterThanOrEqual(1);
    expect(lineReads.length).toBeLessThanOrEqual(Math.ceil(elapsed / LINE_REFRESH_MS) + 1);
    expect(
      sent.some((q) => /queue_tokens/i.test(q)),
      sent.join('\n'),
    ).toBe(false);
    await flushHeartbeats(countingDb);
  });

  it('says "paused" within two seconds of another instance pausing the sale, and "open" once it resumes', async () => {
    const concertId = await newLine(1);
    await fan(concertId);
    const poller = (await fan(concertId)).through(countingDb);
    await poller.api.queue.status({ concertId });
    await subscribed();
    expect(await poller.api.queue.status({ concertId })).toMatchObject({ saleState: 'open', pausedSince: null });
    sent.length = 0;
    await otherInstance.db.execute(sql`UPDATE sales SET paused = true, paused_at = now() WHERE concert_id = ${concertId}`);
    const poll = () => poller.api.queue.status({ concertId });
    expect(await pollUntil(poll, (v) => v.saleState === 'paused' && v.pausedSince !== null, 2_000)).toBeLessThanOrEqual(2_000);
    expect(await poll()).toMatchObject({ status: 'waiting', position: 1 });
    await otherInstance.db.execute(sql`UPDATE sales SET paused = false, paused_at = NULL WHERE concert_id = ${concertId}`);
    expect(await pollUntil(poll, (v) => v.saleState === 'open' && v.pausedSince === null, 2_000)).toBeLessThanOrEqual(2_000);
    // From memory all along: the database's token was never read.
    expect(sent.some((q) => /queue_tokens/i.test(q))).toBe(false);
    await flushHeartbeats(countingDb);
  });
});

describe('queue.line, the line’s sale state every waiting fan reads', () => {
  it('says "paused" within two seconds of another instance pausing the sale, with at most one statement a second however many ask', async () => {
    const concertId = await newLine(1);
    await fan(concertId); // takes the one slot
    const reader = (await fan(concertId)).through(countingDb);
    const read = () => reader.api.queue.line({ concertId });
    expect(await read()).toEqual({ concertId, saleState: 'open', pausedSince: null });
    await subscribed();
    await otherInstance.db.execute(sql`UPDATE sales SET paused = true, paused_at = now() WHERE concert_id = ${concertId}`);
    sent.length = 0;
    const started = performance.now();
    expect(await pollUntil(read, (v) => v.saleState === 'paused' && v.pausedSince !== null, 2_000)).toBeLessThanOrEqual(2_000);
    // Many fans asking share the cached line: the line's state is read at most once a second.
    await Promise.all(Array.from({ length: 50 }, read));
    const reads = sent.filter((q) => /queue_state/i.test(q)).length;
    expect(reads).toBeLessThanOrEqual(Math.ceil((performance.now() - started) / LINE_REFRESH_MS) + 1);
    await otherInstance.db.execute(sql`UPDATE sales SET paused = false, paused_at = NULL WHERE concert_id = ${concertId}`);
    expect(await pollUntil(read, (v) => v.saleState === 'open', 2_000)).toBeLessThanOrEqual(2_000);
    await flushHeartbeats(countingDb);
  });

  it('is only for someone waiting in that line: no queue pass of it, no answer', async () => {
    const concertId = await newLine(1);
    await fan(concertId);
    const waiting = await fan(concertId);
    const stranger = await new TestUser(db, config).start();
    await expectFailure(stranger.api.queue.line({ concertId }), 'UNAUTHORIZED', 'TOKEN_INVALID');
    const otherLine = await newLine(1);
    await expectFailure(waiting.api.queue.line({ concertId: otherLine }), 'UNAUTHORIZED', 'TOKEN_INVALID');
    expect(await waiting.api.queue.line({ concertId })).toMatchObject({ concertId, saleState: 'open' });
  });
});

describe('heartbeats of polls answered from memory', () => {
  it('reach the database in one statement for many fans, and keep a fan who keeps polling from being given up', async () => {
    const concertId = await newLine(1);
    const first = await fan(concertId);
    const fans = await Promise.all(Array.from({ length: 20 }, () => fan(concertId)));
    // As if they had been polling from memory for a while: the database last heard of them long ago.
    const tokens = fans.map((f) => f.token);
    await db.execute(sql`
      UPDATE queue_tokens SET last_seen_at = now() - make_interval(secs => ${config.QUEUE_ABANDON_SECONDS - 10})
      WHERE token IN ${tokens}`);
    const pollers = fans.map((f) => f.through(countingDb));
    for (const p of pollers) expect(await p.api.queue.status({ concertId })).toMatchObject({ status: 'waiting' });
    expect(pendingHeartbeats(countingDb)).toBe(fans.length);

    sent.length = 0;
    expect(await flushHeartbeats(countingDb)).toBe(fans.length);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/update "queue_tokens" set last_seen_at = now\(\)/i);
    for (const token of tokens) expect(await lastSeenAgo(token)).toBeLessThan(5);

    // 15 s later, past the time the database would have given them up without the batch, the line
    // moves: the head of the line, still polling, is admitted, not passed over.
    await db.execute(sql`UPDATE queue_tokens SET last_seen_at = last_seen_at - interval '15 seconds' WHERE token IN ${tokens}`);
    const [head] = await db.execute<{ token: string }>(sql`SELECT token FROM queue_tokens WHERE token IN ${tokens} ORDER BY place LIMIT 1`);
    await runOutTurn(db, first.token);
    const headFan = fans.find((f) => f.token === head!.token)!;
    expect(await headFan.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
    const [{ expired } = { expired: -1 }] = await db.execute<{ expired: number }>(
      sql`SELECT count(*)::int AS expired FROM queue_tokens WHERE token IN ${tokens} AND status = 'expired'`,
    );
    expect(expired).toBe(0);
  });

  it('are written when the pool stops', async () => {
    const concertId = await newLine(1);
    await fan(concertId);
    const waiting = await fan(concertId);
    await db.execute(sql`UPDATE queue_tokens SET last_seen_at = now() - interval '100 seconds' WHERE token = ${waiting.token}`);
    const shortLived = connect(url, { max: 1 });
    const poller = waiting.through(shortLived.db);
    expect(await poller.api.queue.status({ concertId })).toMatchObject({ status: 'waiting' });
    expect(pendingHeartbeats(shortLived.db)).toBe(1);
    // The server's stop (server/database.ts) flushes before closing the pool.
    await flushHeartbeats(shortLived.db);
    await shortLived.close();
    expect(await lastSeenAgo(waiting.token)).toBeLessThan(5);
  });
});
