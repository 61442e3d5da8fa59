import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import * as schema from '@/db/schema';
import { describe, expect, it } from 'vitest';
import { queueTokens } from '@/db/schema';
import { DomainError } from '@/server/errors';
import { emptyLine, runOutTurn, stopPolling } from '@/server/testing/clock';
import { isLiveToken, runningTurn, stillPolling } from './rules';
import { useTestDatabase } from '@/server/testing/test-database';
import { admittedUser, concertOnSale, expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { QUEUE_TOKEN_COOKIE, QUEUE_TOKEN_HEADER, queueTokenCookie } from './cookies';
import { QUEUE_PASS_COOKIE_PREFIX } from './queue-pass';

const { db, sql: client } = await useTestDatabase();

async function activeCount() {
  const [row] = await db.execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM queue_tokens WHERE status = 'active' AND expires_at > now()`,
  );
  return row!.n;
}

/** An empty line with one slot, taken by a first fan. */
async function oneSlotTaken() {
  await emptyLine(db);
  const config = testConfig({ QUEUE_MAX_ACTIVE: 1 });
  return { config, first: await admittedUser(db, config) };
}

describe('queue.issue and queue.status', () => {
  it('issues an unguessable token, set as an HttpOnly cookie, and admits when there is room', async () => {
    await emptyLine(db);
    const config = testConfig();
    const user = await new TestUser(db, config).start();
    const concertId = await concertOnSale(db, { settingsFrom: config });
    const issued = await user.api.queue.issue({ concertId });
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{24,}$/);
    expect(issued.status).toBe('active');
    expect(user.cookies.get(QUEUE_TOKEN_COOKIE)).toBe(issued.token);
    expect(user.cookies.get(queueTokenCookie(concertId))).toBe(issued.token);
    expect(user.setCookieHeaders.find((h) => h.startsWith(`${QUEUE_TOKEN_COOKIE}=`))).toMatch(/HttpOnly; SameSite=Lax/);
    const status = await user.api.queue.status();
    expect(status).toMatchObject({ status: 'active', position: null });
    expect(Date.parse(status.activeUntil!)).toBeGreaterThan(Date.now());
  });

  it('returns the same live token when a user issues again, even concurrently', async () => {
    const { config } = await oneSlotTaken();
    const user = await new TestUser(db, config).start();
    const concertId = await concertOnSale(db, { settingsFrom: config });
    const tokens = await Promise.all(Array.from({ length: 8 }, () => user.api.queue.issue({ concertId })));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(tokens[0]).toMatchObject({ status: 'waiting', position: 1 });
  });

  it('admits at most QUEUE_MAX_ACTIVE under concurrent issuing, in place order', async () => {
    await emptyLine(db);
    const config = testConfig({ QUEUE_MAX_ACTIVE: 5 });
    const users = await Promise.all(Array.from({ length: 30 }, () => new TestUser(db, config).start()));
    await Promise.all(users.map((u) => u.join()));
    // Everyone polls once (admission happens as part of reading tokens), and again.
    for (let round = 0; round < 2; round++) await Promise.all(users.map((u) => u.api.queue.status()));
    expect(await activeCount()).toBe(5);

    const rows = await db.execute<{ id: number; status: string }>(
      // By place: concurrent joins take their draw numbers (ids) and their places a moment apart, so
      // the two orders may differ between two joins at once; admission follows the place.
      sql`SELECT id::int, status FROM queue_tokens WHERE token IN ${users.map((u) => u.token)} ORDER BY place`,
    );
    expect(rows.map((r) => r.status)).toEqual([...Array(5).fill('active'), ...Array(25).fill('waiting')]);
    // The waiting positions are 1..25, in place order.
    const byToken = new Map(users.map((u) => [u.token, u]));
    const waitingInOrder = rows.slice(5).map((r) => r.id);
    const positions = await Promise.all(
      waitingInOrder.map(async (id) => {
        const [t] = await db
          .select({ token: queueTokens.token })
          .from(queueTokens)
          .where(sql`${queueTokens.id} = ${id}`);
        return (await byToken.get(t!.token)!.api.queue.status()).position;
      }),
    );
    expect(positions).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('moves the line when a turn expires, and reports the old token as expired', async () => {
    const { config, first } = await oneSlotTaken();
    const second = new TestUser(db, config);
    expect(await second.join()).toMatchObject({ status: 'waiting', position: 1 });
    expect((await second.api.queue.status()).estimatedWaitSeconds).toBeGreaterThan(0);

    await runOutTurn(db, first.token);
    expect(await second.api.queue.status()).toMatchObject({ status: 'active' });
    expect(await first.api.queue.status()).toMatchObject({
      status: 'expired',
      position: null,
      estimatedWaitSeconds: null,
      activeUntil: null,
    });
    await expectFailure(first.api.concert.dates({ concertId: first.concertId }), 'UNAUTHORIZED', 'TOKEN_EXPIRED');
    // Issuing again after the turn ended puts the user at the back with a new token.
    const again = await first.api.queue.issue({ concertId: first.concertId });
    expect(again.token).not.toBe(first.token);
    expect(again).toMatchObject({ status: 'waiting', position: 1 });
  });

  it('lets a waiting token that stopped polling give up its place, so it never takes a slot', async () => {
    const { config, first } = await oneSlotTaken();
    const gone = new TestUser(db, config);
    await gone.join();
    const patient = new TestUser(db, config);
    expect(await patient.join()).toMatchObject({ status: 'waiting', position: 2 });

    await stopPolling(db, gone.token);
    await runOutTurn(db, first.token);
    expect(await patient.api.queue.status()).toMatchObject({ status: 'active' });
    expect(await gone.api.queue.status()).toMatchObject({ status: 'expired' });
  });

  it('refuses a waiting token on protected procedures with its position, and others’ or unknown tokens', async () => {
    const { config, first } = await oneSlotTaken();
    const waiting = new TestUser(db, config);
    await waiting.join();
    const error = await expectFailure(waiting.api.concert.dates({ concertId: waiting.concertId }), 'FORBIDDEN', 'TOKEN_NOT_ACTIVE');
    expect((error.cause as DomainError).details).toMatchObject({ position: 1 });

    // Someone else's token, sent in the header an API client uses, is not valid for this user.
    const thief = await new TestUser(db, config).start();
    thief.headers.set(QUEUE_TOKEN_HEADER, first.token);
    await expectFailure(thief.api.wallet.balance(), 'UNAUTHORIZED', 'TOKEN_INVALID');
    await expectFailure(thief.api.queue.status(), 'UNAUTHORIZED', 'TOKEN_INVALID');
    thief.headers.set(QUEUE_TOKEN_HEADER, 'no-such-token');
    await expectFailure(thief.api.wallet.balance(), 'UNAUTHORIZED', 'TOKEN_INVALID');
    thief.headers.delete(QUEUE_TOKEN_HEADER);
    await expectFailure(thief.api.wallet.balance(), 'UNAUTHORIZED', 'TOKEN_INVALID');
    // The header works for the token's owner even without the cookie.
    first.cookies.delete(QUEUE_TOKEN_COOKIE);
    first.cookies.delete(queueTokenCookie(first.concertId));
    first.headers.set(QUEUE_TOKEN_HEADER, first.token);
    expect(await first.api.wallet.balance()).toEqual({ balance: 0 });
  });

  it('computes a position from the admission cursor, not by counting the line', async () => {
    const { config, first } = await oneSlotTaken();
    // 5,000 people join ahead (filled with SQL, taking the line's next places), then one more joins through the API.
    await db.execute(sql`
      WITH fillers AS (INSERT INTO users (name) SELECT 'filler-' || g FROM generate_series(1, 5000) g RETURNING id)
      INSERT INTO queue_tokens (token, user_id, concert_id, place)
      SELECT 'filler-' || f.id, f.id, ${first.concertId}, take_line_place(${first.concertId}::int) FROM fillers f`);
    const late = new TestUser(db, config);
    const issued = await late.join();
    expect(issued.status).toBe('waiting');
    expect(issued.position).toBe(5001);

    // The same fan polls through a connection that records every statement it sends, without the
    // queue pass, so the database answers (a poll with one runs no SQL: polls.test.ts).
    const statements: string[] = [];
    const recording = drizzle(client, { schema, logger: { logQuery: (query) => statements.push(query) } });
    const poller = new TestUser(recording, config);
    for (const [name, value] of late.cookies) if (!name.startsWith(QUEUE_PASS_COOKIE_PREFIX)) poller.cookies.set(name, value);
    expect(await poller.api.queue.status()).toMatchObject({ status: 'waiting', position: 5001 });
    // One read of the line (the token with the queue state), and nothing in it counts or aggregates
    // the line. (The seats a waiting fan is told of are counted apart, at most once a second.)
    const lineReads = statements.filter((s) => /queue_tokens/i.test(s));
    expect(lineReads).toHaveLength(1);
    expect(lineReads[0]).toMatch(/from "queue_tokens"/i);
    expect(lineReads[0]).not.toMatch(/\b(count|sum|row_number|rank)\s*\(/i);
    expect(statements.length).toBeLessThanOrEqual(2);
  });
});

describe('the live-token rule', () => {
  it('says the same in SQL and in TypeScript', async () => {
    const config = testConfig();
    const concertId = await concertOnSale(db);
    // active and running, active but run out, waiting and polling, waiting but silent, done
    const rows = await db.execute<{ id: number }>(sql`
      WITH u AS (INSERT INTO users (name) SELECT 'rule-' || g FROM generate_series(1, 5) g RETURNING id, name),
      t AS (
        INSERT INTO queue_tokens (token, user_id, concert_id, place, status, expires_at, last_seen_at)
        SELECT 'rule-token-' || u.id, u.id, ${concertId}, 1, c.status, now() + c.expires, now() - c.silent
        FROM u JOIN (VALUES
          ('rule-1', 'active', interval '1 minute', interval '0'),
          ('rule-2', 'active', interval '-1 second', interval '0'),
          ('rule-3', 'waiting', NULL, interval '10 seconds'),
          ('rule-4', 'waiting', NULL, interval '1 hour'),
          ('rule-5', 'done', interval '0', interval '0')
        ) AS c(name, status, expires, silent) ON c.name = u.name
        RETURNING id)
      SELECT id::int FROM t`);
    const ids = rows.map((r) => r.id);
    const read = await db
      .select({
        status: queueTokens.status,
        expiresAt: queueTokens.expiresAt,
        lastSeenAt: queueTokens.lastSeenAt,
        now: sql<Date>`now()`.mapWith((v: string | Date) => new Date(v)),
        live: sql<boolean>`(${runningTurn}) OR (${queueTokens.status} = 'waiting' AND ${stillPolling(config)})`,
      })
      .from(queueTokens)
      .where(sql`${queueTokens.id} IN ${ids}`)
      .orderBy(queueTokens.id);
    expect(read.map((r) => r.live)).toEqual([true, false, true, false, false]);
    expect(read.map((r) => isLiveToken(r, config))).toEqual([true, false, true, false, false]);
  });
});
