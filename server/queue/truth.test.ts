import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createConcert } from '@/server/seed';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { queuePassCookie } from './queue-pass';
import { estimatedWaitRange, estimatedWaitSeconds } from './rules';

/** What a waiting fan is told: the sale's state, an honest estimate, the length of the line; and leaving it. */

const { db } = await useTestDatabase();
const config = testConfig({ RATE_LIMIT_PER_MINUTE: 0 });

let concerts = 0;
async function newLine(sale: { maxActive: number; turnSeconds?: number }) {
  const plan = { title: `Truth test ${++concerts}`, artist: 'Testers', venue: 'Test Hall', dayOffsets: [30], sale };
  return (await createConcert(db, plan)).concertId;
}

async function fan(concertId: number) {
  const user = await new TestUser(db, config).start();
  await user.join(concertId);
  return user;
}

describe('the estimated wait', () => {
  it('is at least two minutes for place 3 with 1 fan at a time and 60-second turns, whatever rate was measured', () => {
    for (const admitRate of [null, 0, 1 / 60, 0.5, 5, 100]) {
      const line = { position: 3, admitRate, maxActive: 1, turnSeconds: 60 };
      expect(estimatedWaitSeconds(line), `rate ${admitRate}`).toBeGreaterThanOrEqual(120);
      const range = estimatedWaitRange(line);
      expect(range.max).toBe(180);
      expect(range.min).toBeLessThanOrEqual(range.max);
      expect(range.min).toBeGreaterThanOrEqual(0);
    }
    // Without a measured rate: at least the whole turns that must pass (2), at most 3.
    expect(estimatedWaitRange({ position: 3, admitRate: null, maxActive: 1, turnSeconds: 60 })).toEqual({ min: 120, max: 180 });
  });

  it('is a range from the measured rate of turns ending up to every turn ahead running its full length', () => {
    // 100 at a time, 10-minute turns, 1,000 ahead: at most 10 turns; at 5 turns ending a second, 200 s.
    expect(estimatedWaitRange({ position: 1_000, admitRate: 5, maxActive: 100, turnSeconds: 600 })).toEqual({ min: 200, max: 6_000 });
    // A slow measured rate never makes it longer than full turns.
    expect(estimatedWaitRange({ position: 10, admitRate: 0.001, maxActive: 10, turnSeconds: 60 })).toEqual({ min: 60, max: 60 });
    // Next in a line with free slots soon: up to one turn.
    expect(estimatedWaitRange({ position: 1, admitRate: null, maxActive: 5, turnSeconds: 60 })).toEqual({ min: 0, max: 60 });
  });
});

describe('queue.status of a waiting fan', () => {
  it('tells the place, how many are ahead, how many are in line, and the wait as a range', async () => {
    const concertId = await newLine({ maxActive: 1, turnSeconds: 60 });
    await fan(concertId);
    const waiting = [await fan(concertId), await fan(concertId), await fan(concertId)];
    const third = await waiting[2]!.api.queue.status({ concertId });
    expect(third).toMatchObject({ status: 'waiting', position: 3, aheadOfYou: 2, inLine: 3, saleState: 'open', pausedSince: null });
    expect(third.estimatedWaitSeconds).toBeGreaterThanOrEqual(120);
    expect(third.estimatedWaitRange).toEqual({ min: expect.any(Number), max: third.estimatedWaitSeconds });
    // The first in line sees the same line behind them.
    expect(await waiting[0]!.api.queue.status({ concertId })).toMatchObject({ position: 1, aheadOfYou: 0, inLine: 3 });
  });

  it('says the sale is paused, and since when, and open again once it resumes', async () => {
    const concertId = await newLine({ maxActive: 1 });
    await fan(concertId);
    const waiting = await fan(concertId);
    await db.execute(sql`UPDATE sales SET paused = true, paused_at = now() - interval '1 minute' WHERE concert_id = ${concertId}`);
    const paused = await waiting.api.queue.status({ concertId });
    expect(paused).toMatchObject({ status: 'waiting', saleState: 'paused', pausedSince: expect.any(String) });
    expect(Date.now() - Date.parse(paused.pausedSince!)).toBeGreaterThan(50_000);
    await db.execute(sql`UPDATE sales SET paused = false, paused_at = NULL WHERE concert_id = ${concertId}`);
    expect(await waiting.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', saleState: 'open', pausedSince: null });
  });
});

describe('queue.leave', () => {
  it('frees the place at once: the fan is expired, may join again at the back, and leaving again answers the same', async () => {
    const concertId = await newLine({ maxActive: 1 });
    await fan(concertId);
    const leaving = await fan(concertId);
    const behind = await fan(concertId);
    const before = await leaving.api.queue.status({ concertId });
    expect(before).toMatchObject({ status: 'waiting', position: 1 });
    expect(leaving.cookies.get(queuePassCookie(concertId))).toBeTruthy();

    expect(await leaving.api.queue.leave({ concertId })).toEqual({ concertId, ticket: before.ticket, status: 'expired' });
    // The queue pass is dropped, and even sent again it answers nothing from memory: the database says expired.
    expect(leaving.cookies.get(queuePassCookie(concertId))).toBeFalsy();
    expect(await leaving.api.queue.status({ concertId })).toMatchObject({ status: 'expired', position: null });
    expect(await leaving.api.queue.leave({ concertId })).toEqual({ concertId, ticket: before.ticket, status: 'expired' });

    const again = await leaving.api.queue.issue({ concertId });
    expect(again.ticket).not.toBe(before.ticket);
    expect(again).toMatchObject({ status: 'waiting' });
    const behindNow = await behind.api.queue.status({ concertId });
    expect(again.position).toBeGreaterThan(behindNow.position!);
  });

  it('answers from memory no more after leaving, even with the old queue pass sent again', async () => {
    const concertId = await newLine({ maxActive: 1 });
    await fan(concertId);
    const leaving = await fan(concertId);
    await leaving.api.queue.status({ concertId });
    const pass = leaving.cookies.get(queuePassCookie(concertId))!;
    await leaving.api.queue.leave({ concertId });
    leaving.cookies.set(queuePassCookie(concertId), pass);
    expect(await leaving.api.queue.status({ concertId })).toMatchObject({ status: 'expired' });
  });

  it('refuses with a reason when there is nothing to leave: no token, another line’s, a running turn', async () => {
    const concertId = await newLine({ maxActive: 1 });
    const other = await newLine({ maxActive: 1 });
    const stranger = await new TestUser(db, config).start();
    await expectFailure(stranger.api.queue.leave({ concertId }), 'UNAUTHORIZED', 'TOKEN_INVALID');
    const active = await fan(concertId);
    const refused = await expectFailure(active.api.queue.leave({ concertId }), 'CONFLICT', 'NOT_IN_LINE');
    expect(refused.cause).toMatchObject({ details: { status: 'active' } });
    await expectFailure(active.api.queue.leave({ concertId: other }), 'UNAUTHORIZED', 'TOKEN_INVALID');
    expect(await active.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
  });
});
