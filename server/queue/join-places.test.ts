import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createConcert, type ConcertPlan } from '@/server/seed';
import { runOutTurn } from '@/server/testing/clock';
import { useTestDatabase } from '@/server/testing/test-database';
import { testConfig, TestUser } from '@/server/testing/test-user';
import { admitWaiting } from './admission';
import { insertPlacedToken, type Joining } from './issue';

/**
 * Places in an opened line come from the line's sequence (db/functions/take_line_place.sql): joins
 * never wait for each other, a place may commit before an earlier one, and a failed join leaves a gap.
 * Admission stays in exact place order all the same (admit_line waits for the joins in flight).
 */

const { db } = await useTestDatabase();
const config = testConfig({ RATE_LIMIT_PER_MINUTE: 0 });

let concerts = 0;
async function newConcert(sale: ConcertPlan['sale'] = {}) {
  const plan = { title: `Places test ${++concerts}`, artist: 'Testers', venue: 'Test Hall', dayOffsets: [30], sale };
  return (await createConcert(db, plan)).concertId;
}

async function fan(concertId: number) {
  const user = await new TestUser(db, config).start();
  await user.join(concertId);
  return user;
}

async function placeOf(token: string) {
  const [row] = await db.execute<{ place: number | null; status: string }>(
    sql`SELECT place::int, status FROM queue_tokens WHERE token = ${token}`,
  );
  return row!;
}

const lastPlace = async (concertId: number) =>
  Number((await db.execute<{ last: string }>(sql`SELECT line_last_place(${concertId}::int) AS last`))[0]!.last);

/** A join of a new user through the same statement queue.issue runs, kept open until `commit()`. */
async function joinHeldOpen(concertId: number) {
  const user = await new TestUser(db, config).start();
  const joining: Joining = {
    userId: user.userId,
    concertId,
    token: randomBytes(18).toString('base64url'),
    challengeNonce: null,
    addressPrefix: null,
  };
  let commit!: () => void;
  const released = new Promise<void>((resolve) => (commit = resolve));
  let inserted!: () => void;
  const insertedNow = new Promise<void>((resolve) => (inserted = resolve));
  const done = db.transaction(async (tx) => {
    expect(await insertPlacedToken(tx, joining)).toBe(true);
    inserted();
    await released;
  });
  await Promise.race([insertedNow, done]);
  return {
    token: joining.token,
    commit: async () => {
      commit();
      await done;
    },
  };
}

/** Resolves to what `promise` gives, or 'still waiting' after `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms))]);

describe('places in an opened line', () => {
  it('concurrent joins get distinct, consecutive places after the drawn ones', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    const first = await fan(concertId); // draws (an empty pre-queue) and takes place 1
    expect(await placeOf(first.token)).toEqual({ place: 1, status: 'active' });
    const users = await Promise.all(Array.from({ length: 30 }, () => new TestUser(db, config).start()));
    const issued = await Promise.all(users.map((u) => u.api.queue.issue({ concertId })));
    const places = await Promise.all(issued.map((t) => placeOf(t.token).then((r) => r.place!)));
    expect([...places].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
    expect(await lastPlace(concertId)).toBe(31);
    // Each is told its place's position; nobody shares one.
    const positions = await Promise.all(users.map((u) => u.api.queue.status({ concertId }).then((s) => s.position!)));
    expect(positions).toEqual(places.map((p) => p - 1));
  });

  it('a join does not wait for another join of the line that has not committed', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    await fan(concertId); // the one slot is taken: no admission pass is due for the joins below
    const held = await joinHeldOpen(concertId);
    try {
      // Before the line's place sequence, this join waited for the sale row's lock until `held` committed.
      const late = await new TestUser(db, config).start();
      const issued = await within(late.api.queue.issue({ concertId }), 3_000);
      expect(issued).toMatchObject({ status: 'waiting', position: 2 });
    } finally {
      await held.commit();
    }
    expect(await placeOf(held.token)).toEqual({ place: 2, status: 'waiting' });
  });

  it('admits in exact place order when a later place commits first', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    const first = await fan(concertId);
    const earlier = await joinHeldOpen(concertId); // place 2, not committed
    const later = await fan(concertId); // place 3, committed
    expect(await placeOf(later.token)).toEqual({ place: 3, status: 'waiting' });
    expect((await later.api.queue.status({ concertId })).position).toBe(2);

    // The slot frees: the pass must not give it to place 3 while place 2 may still commit.
    await runOutTurn(db, first.token);
    const pass = admitWaiting(db, config, { concertId, mode: 'wait' });
    expect(await within(pass, 500)).toBe('still waiting');
    expect(await placeOf(later.token)).toEqual({ place: 3, status: 'waiting' });

    await earlier.commit();
    expect(await pass).toBe(1);
    expect(await placeOf(earlier.token)).toEqual({ place: 2, status: 'active' });
    expect(await later.api.queue.status({ concertId })).toMatchObject({ status: 'waiting', position: 1 });
  });

  it('skips the gap of a join that failed after taking its place; positions behind it count it until the cursor passes', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    const first = await fan(concertId);
    // A join that takes place 2 and rolls back (as a unique violation would): the number is not given back.
    const failing = await new TestUser(db, config).start();
    const joining: Joining = { userId: failing.userId, concertId, token: 'rolled-back', challengeNonce: null, addressPrefix: null };
    await expect(
      db.transaction(async (tx) => {
        await insertPlacedToken(tx, joining);
        throw new Error('the join fails after taking its place');
      }),
    ).rejects.toThrow('the join fails');
    const behind = await fan(concertId);
    expect(await placeOf(behind.token)).toEqual({ place: 3, status: 'waiting' });
    // Overstated by the gap ahead, never understated.
    expect(await behind.api.queue.status({ concertId })).toMatchObject({ position: 2, inLine: 2 });

    await runOutTurn(db, first.token);
    expect(await behind.api.queue.status({ concertId })).toMatchObject({ status: 'active' });
    const [cursor] = await db.execute<{ through: number }>(
      sql`SELECT admitted_through::int AS through FROM queue_state WHERE concert_id = ${concertId}`,
    );
    expect(cursor!.through).toBe(3);
  });

  it('a join refused by a unique index (a second live token, a solution used again) takes no place: no gap', async () => {
    const concertId = await newConcert({ maxActive: 1 });
    await fan(concertId);
    const user = await new TestUser(db, config).start();
    const join = (over: Partial<Joining>): Joining => ({
      userId: user.userId,
      concertId,
      token: randomBytes(18).toString('base64url'),
      challengeNonce: null,
      addressPrefix: null,
      ...over,
    });
    const first = join({ challengeNonce: 'nonce-once' });
    expect(await insertPlacedToken(db, first)).toBe(true);
    expect(await placeOf(first.token)).toEqual({ place: 2, status: 'waiting' });
    // The same user again, and another user with the same solution: each refused by its unique index.
    await expect(insertPlacedToken(db, join({}))).rejects.toMatchObject({
      cause: { constraint_name: 'queue_tokens_one_live_per_user_concert' },
    });
    const other = await new TestUser(db, config).start();
    await expect(insertPlacedToken(db, join({ userId: other.userId, challengeNonce: 'nonce-once' }))).rejects.toMatchObject({
      cause: { constraint_name: 'queue_tokens_challenge_once' },
    });
    // Neither took a number: the next fan is right behind, and the line's end is exact.
    const next = await fan(concertId);
    expect(await placeOf(next.token)).toEqual({ place: 3, status: 'waiting' });
    expect(await next.api.queue.status({ concertId })).toMatchObject({ position: 2, inLine: 2 });
  });

  it('joins after the draw continue after the drawn places, also when the joins themselves run the draw', async () => {
    const concertId = await newConcert({ prequeueInMinutes: -10, opensInMinutes: 10, maxActive: 2 });
    const early = await Promise.all(Array.from({ length: 8 }, () => new TestUser(db, config).start()));
    for (const u of early) expect(await u.api.queue.issue({ concertId })).toMatchObject({ status: 'prequeue' });
    await db.execute(sql`
      UPDATE sales SET prequeue_opens_at = now() - interval '1 hour', opens_at = now() - interval '1 second' WHERE concert_id = ${concertId}`);
    // Nobody has polled since the opening came: the first of these joins runs the draw, the rest wait for it.
    const late = await Promise.all(Array.from({ length: 12 }, () => new TestUser(db, config).start()));
    const issued = await Promise.all(late.map((u) => u.api.queue.issue({ concertId })));
    const [sale] = await db.execute<{ drawn: number }>(sql`SELECT drawn_count AS drawn FROM sales WHERE concert_id = ${concertId}`);
    expect(sale!.drawn).toBe(8);
    const drawn = (await late[0]!.api.sale.draw({ concertId })).entries!.map((e) => e.place);
    expect(drawn).toEqual(Array.from({ length: 8 }, (_, i) => i + 1));
    const latePlaces = await Promise.all(issued.map((t) => placeOf(t.token).then((r) => r.place!)));
    expect([...latePlaces].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 9));
    expect(await lastPlace(concertId)).toBe(20);
  });

  it('a sale has its place sequence from its creation, and loses it with its concert', async () => {
    const concertId = await newConcert({ prequeueInMinutes: 60, opensInMinutes: 90 });
    expect(await lastPlace(concertId)).toBe(0);
    const sequence = async () =>
      (await db.execute<{ found: boolean }>(sql`SELECT to_regclass(line_place_sequence(${concertId}::int)) IS NOT NULL AS found`))[0]!
        .found;
    expect(await sequence()).toBe(true);
    await db.execute(sql`DELETE FROM concerts WHERE id = ${concertId}`);
    expect(await sequence()).toBe(false);
  });
});
