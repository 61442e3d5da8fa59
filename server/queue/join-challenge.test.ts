import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { JOIN_DIFFICULTY_MIN } from '@/db/limits';
import { accountCookieNames } from '@/server/account/session-cookies';
import { createConcert } from '@/server/seed';
import { emptyLine } from '@/server/testing/clock';
import { solveJoinChallenge } from '@/server/testing/join-solver';
import { useTestDatabase } from '@/server/testing/test-database';
import { concertOnSale, expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { flushJoinStats } from './join-stats';

const { db } = await useTestDatabase();
const config = testConfig({ JOIN_CHALLENGE: 'on' });

/** A sale whose challenge is as cheap as allowed: the rules are under test here, not the cost. */
async function cheapSale() {
  await emptyLine(db);
  const concertId = await concertOnSale(db, { settingsFrom: config });
  await db.execute(
    sql`UPDATE sales SET join_difficulty = ${JOIN_DIFFICULTY_MIN}, join_surge_per_second = NULL WHERE concert_id = ${concertId}`,
  );
  return concertId;
}

async function solvedFor(user: TestUser, concertId: number) {
  const issued = await user.api.queue.challenge({ concertId });
  if (!issued.required) throw new Error('expected a challenge');
  return solveJoinChallenge(issued.challenge);
}

/** A solution with one field of its challenge or its answer changed. */
function tampered(
  solution: string,
  change: (payload: { challenge: { parameters: Record<string, unknown> }; solution: Record<string, unknown> }) => void,
) {
  const payload = JSON.parse(Buffer.from(solution, 'base64').toString('utf8'));
  change(payload);
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

describe('the join challenge (JOIN_CHALLENGE=on)', () => {
  it('refuses a join without a solution, takes one place with a solution, and refuses its second use', async () => {
    const concertId = await cheapSale();
    const fan = await new TestUser(db, config).start();
    await expectFailure(fan.api.queue.issue({ concertId }), 'BAD_REQUEST', 'CHALLENGE_REQUIRED');
    const solution = await solvedFor(fan, concertId);
    const joined = await fan.api.queue.issue({ concertId, solution });
    expect(joined.status).toMatch(/active|waiting/);
    // Issuing again returns the live token, solution or not: no second place.
    expect((await fan.api.queue.issue({ concertId })).ticket).toBe(joined.ticket);
    // Once the place is gone, the same solution cannot take another.
    await db.execute(sql`UPDATE queue_tokens SET status = 'expired' WHERE token = ${joined.token}`);
    await expectFailure(fan.api.queue.issue({ concertId, solution }), 'CONFLICT', 'CHALLENGE_USED');
    const [row] = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM queue_tokens WHERE user_id = ${fan.userId}`);
    expect(row!.n).toBe(1);
  });

  it('refuses a wrong, forged, other-sale, other-session and unreadable solution, each with its reason', async () => {
    const concertId = await cheapSale();
    const fan = await new TestUser(db, config).start();
    const solution = await solvedFor(fan, concertId);
    const wrongCounter = tampered(solution, (p) => {
      p.solution.derivedKey = '00'.repeat(32);
    });
    await expectFailure(fan.api.queue.issue({ concertId, solution: wrongCounter }), 'BAD_REQUEST', 'CHALLENGE_INVALID');
    const easier = tampered(solution, (p) => {
      p.challenge.parameters.cost = 1;
    });
    await expectFailure(fan.api.queue.issue({ concertId, solution: easier }), 'BAD_REQUEST', 'CHALLENGE_INVALID');
    await expectFailure(fan.api.queue.issue({ concertId, solution: 'not base64 json' }), 'BAD_REQUEST', 'CHALLENGE_INVALID');

    const otherSale = await concertOnSale(db, { settingsFrom: config }).then(async () => {
      const [row] = await db.execute<{ id: number }>(
        sql`SELECT concert_id AS id FROM sales WHERE concert_id <> ${concertId} AND opens_at <= now() AND closed_reason IS NULL ORDER BY concert_id LIMIT 1`,
      );
      return row?.id;
    });
    if (otherSale !== undefined) {
      await expectFailure(fan.api.queue.issue({ concertId: otherSale, solution }), 'BAD_REQUEST', 'CHALLENGE_WRONG_SALE');
    }
    const mallory = await new TestUser(db, config).start();
    await expectFailure(mallory.api.queue.issue({ concertId, solution }), 'BAD_REQUEST', 'CHALLENGE_WRONG_SESSION');
    // None of them took a place; the real solution still works.
    expect((await fan.api.queue.issue({ concertId, solution })).status).toMatch(/active|waiting/);
  });

  it('refuses an expired challenge', async () => {
    const concertId = await cheapSale();
    const fan = await new TestUser(db, config).start();
    const issued = await fan.api.queue.challenge({ concertId });
    if (!issued.required) throw new Error('expected a challenge');
    const solution = await solveJoinChallenge(issued.challenge);
    const realNow = Date.now;
    Date.now = () => realNow() + 301_000;
    try {
      await expectFailure(fan.api.queue.issue({ concertId, solution }), 'BAD_REQUEST', 'CHALLENGE_EXPIRED');
    } finally {
      Date.now = realNow;
    }
  });

  it('asks the sale’s difficulty: the counter to find is drawn up to it', async () => {
    const concertId = await cheapSale();
    await db.execute(sql`UPDATE sales SET join_difficulty = 400 WHERE concert_id = ${concertId}`);
    const fan = await new TestUser(db, config).start();
    const issued = await fan.api.queue.challenge({ concertId });
    if (!issued.required) throw new Error('expected a challenge');
    expect(issued.difficulty).toBe(400);
    const solution = await solveJoinChallenge(issued.challenge);
    const { counter } = JSON.parse(Buffer.from(solution, 'base64').toString('utf8')).solution as { counter: number };
    expect(counter).toBeGreaterThanOrEqual(1);
    expect(counter).toBeLessThanOrEqual(400);
  });

  it('counts challenges, solutions, refusals and joins for the operator', async () => {
    const concertId = await cheapSale();
    const totals = async () => {
      await flushJoinStats(db);
      const [row] = await db.execute<{ challenges: number; solved: number; refused: number; joins: number }>(sql`
        SELECT coalesce(sum(challenges), 0)::int AS challenges, coalesce(sum(solved), 0)::int AS solved,
          coalesce(sum(refused), 0)::int AS refused, coalesce(sum(joins), 0)::int AS joins
        FROM join_stats WHERE concert_id = ${concertId}`);
      return row!;
    };
    const before = await totals();
    const fan = await new TestUser(db, config).start();
    await expectFailure(fan.api.queue.issue({ concertId }), 'BAD_REQUEST', 'CHALLENGE_REQUIRED');
    await fan.api.queue.issue({ concertId, solution: await solvedFor(fan, concertId) });
    const after = await totals();
    expect({
      challenges: after.challenges - before.challenges,
      solved: after.solved - before.solved,
      refused: after.refused - before.refused,
      joins: after.joins - before.joins,
    }).toEqual({ challenges: 1, solved: 1, refused: 1, joins: 1 });
  });

  it('asks a verified account a quarter of the difficulty in an accounts-only sale, and others the whole', async () => {
    const { concertId } = await createConcert(db, {
      title: `Accounts-only challenge ${Date.now()}`,
      artist: 'A',
      venue: 'V',
      dayOffsets: [20],
      sale: { audience: 'accounts' },
    });
    await db.execute(sql`UPDATE sales SET join_difficulty = 4000 WHERE concert_id = ${concertId}`);
    const guest = await new TestUser(db, config).start();
    await expectFailure(guest.api.queue.challenge({ concertId }), 'FORBIDDEN', 'SALE_FOR_ACCOUNTS');
    const email = `challenge-${Date.now()}@example.com`;
    const fan = await new TestUser(db, config).start();
    await fan.api.account.signUp({ name: 'Fan', email, password: 'a long password' });
    expect(await fan.api.queue.challenge({ concertId })).toMatchObject({ required: true, difficulty: 4000 });
    await db.execute(sql`UPDATE auth_users SET email_verified = true WHERE email = ${email}`);
    fan.cookies.delete(accountCookieNames(false).copy); // read the session again, not its minute-old copy
    expect(await fan.api.queue.challenge({ concertId })).toMatchObject({ required: true, difficulty: 1000 });
  });

  it('with JOIN_CHALLENGE=off, joins as before and says no challenge is needed', async () => {
    const off = testConfig({ JOIN_CHALLENGE: 'off' });
    const concertId = await cheapSale();
    const fan = await new TestUser(db, off).start();
    expect(await fan.api.queue.challenge({ concertId })).toEqual({ required: false, challenge: null });
    expect((await fan.api.queue.issue({ concertId })).status).toMatch(/active|waiting/);
  });
});
