import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql as drizzleSql } from 'drizzle-orm';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@/db/client';
import { seedDemoData } from '@/server/seed';
import { asDomainError } from '@/server/errors';
import { createNodeHandler } from '@/server/http/node-handler';
import { stopServer } from '@/server/http/production-server';
import { checkInvariants } from '@/server/invariants';
import { emptyLine } from '@/server/testing/clock';
import { connectionKiller } from '@/server/testing/connection-killer';
import { withRetries } from '@/server/testing/retry';
import { seatPicker } from '@/server/testing/seats';
import { useTestDatabase } from '@/server/testing/test-database';
import { admittedUser, expectFailure, testConfig, TestUser } from '@/server/testing/test-user';

/**
 * Real faults, then the invariant check: connections killed mid-transaction, lock waits that must not
 * hang, two app instances on one database, and a stop with requests in flight.
 */
const database = await useTestDatabase();
const { db, sql } = database;
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
beforeAll(() => seedDemoData(db));

async function expectInvariants(maxActive = config.QUEUE_MAX_ACTIVE, through: postgres.Sql = sql) {
  const breached = (await checkInvariants(through, maxActive)).filter((r) => r.breaches.length > 0);
  expect(breached).toEqual([]);
}

const freeSeatIds = seatPicker(db).ids;

/** The killed-connection test: charges per fan (at least, at most), and kills it must see. */
const CHARGE = 50_000;
const MIN_CHARGES = 5;
const MAX_CHARGES = 100;
const MIN_KILLS = 20;
const KILL_EVERY_MS = 150;

describe('faults', () => {
  it('killed connections: charges, holds and payments happen exactly once with idempotent retries, and the service recovers', async () => {
    const fans = await Promise.all(Array.from({ length: 12 }, () => admittedUser(db, config)));
    const seats = await freeSeatIds(fans.length);
    const counts = { retries: 0 };
    // The killer strikes again only once every fan still at work has had a call answered since its
    // last round: the kills hit calls in flight, and no fan's retries are all killed, however slow the machine.
    const answered = new Set<number>();
    const finished = new Set<number>();
    const killer = connectionKiller(database.url, KILL_EVERY_MS, {
      ready: () => {
        if (fans.some((_, i) => !finished.has(i) && !answered.has(i))) return false;
        answered.clear();
        return true;
      },
    });
    let charged: number[];
    try {
      // Each fan charges until the killer has killed MIN_KILLS connections under them (so the faults
      // really hit the calls, however fast the machine), then holds and pays.
      charged = await Promise.all(
        fans.map(async (fan, i) => {
          const answer = async <T>(call: () => Promise<T>) => {
            const result = await withRetries(call, counts);
            answered.add(i);
            return result;
          };
          let c = 0;
          try {
            while (c < MIN_CHARGES || (killer.kills() < MIN_KILLS && c < MAX_CHARGES)) {
              await answer(() => fan.api.wallet.charge({ amount: CHARGE, idempotencyKey: `fault-charge-${i}-${c}` }));
              c++;
            }
            const hold = await answer(() => fan.api.reservation.hold({ seatId: seats[i]! }));
            await answer(() => fan.api.payment.pay({ reservationId: hold.reservationId, idempotencyKey: `fault-pay-${i}` }));
          } finally {
            finished.add(i);
          }
          return c;
        }),
      );
    } finally {
      await killer.stop();
    }
    const kills = killer.kills();
    const operations = charged.reduce((a, b) => a + b, 0) + 2 * fans.length;
    console.log(`faults: ${kills} connections killed, ${counts.retries} retryable errors, ${operations} operations`);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);

    // Exactly once: each charge and the payment once, whatever was killed when. (Paying ended the
    // turns, so this reads the database directly, on a connection opened after the kills: the pool's
    // idle ones may have been killed, and fail their next use once.)
    const check = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      for (const [i, fan] of fans.entries()) {
        const [row] = await check<{ balance: number; price: number; entries: number }[]>`
          SELECT w.balance, (SELECT price FROM seats WHERE id = ${seats[i]!}) AS price,
                 (SELECT count(*)::int FROM ledger_entries WHERE user_id = w.user_id) AS entries
          FROM wallets w WHERE w.user_id = ${fan.userId}`;
        expect(row).toEqual({ balance: charged[i]! * CHARGE - row!.price, price: row!.price, entries: charged[i]! + 1 });
      }
      await expectInvariants(config.QUEUE_MAX_ACTIVE, check);
    } finally {
      await check.end();
    }
    // No restart: a connection killed while idle fails its next use once (a retryable 503), and the
    // pool replaces it; after one round every call succeeds again.
    const flush = { retries: 0 };
    await Promise.all(Array.from({ length: 40 }, () => withRetries(() => new TestUser(db, config).start(), flush)));
    const after = await Promise.allSettled(Array.from({ length: 20 }, () => new TestUser(db, config).start()));
    expect(after.filter((r) => r.status === 'rejected')).toEqual([]);
  }, 90_000);

  it('bounds lock waits: a seat locked elsewhere for too long is BUSY (retry), not a hang', async () => {
    const fan = await admittedUser(db, config);
    await fan.api.wallet.charge({ amount: 500_000 });
    const [seatId] = await freeSeatIds(1);
    const hold = await fan.api.reservation.hold({ seatId: seatId! });
    const blocker = postgres(database.url, { max: 1, onnotice: () => {} });
    // The blocker holds the seat's row lock until the payment has given up on it: longer than
    // lock_timeout, whatever the machine's speed.
    let locked!: () => void;
    let release!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const blocking = blocker.begin(async (tx) => {
      await tx`SELECT id FROM seats WHERE id = ${seatId!} FOR UPDATE`;
      locked();
      await released;
    });
    await isLocked;
    const started = Date.now();
    await expectFailure(fan.api.payment.pay({ reservationId: hold.reservationId }), 'CONFLICT', 'BUSY');
    // BUSY once lock_timeout (5 s) has passed: the blocker lets go only after this, so a hang would
    // never answer. The bound leaves a busy machine its seconds beyond lock_timeout.
    expect(Date.now() - started).toBeLessThan(15_000);
    release();
    await blocking;
    await blocker.end();
    expect(await fan.api.payment.pay({ reservationId: hold.reservationId })).toMatchObject({ reservationId: hold.reservationId });
  }, 20_000);

  it('bounds slow statements: every pooled connection has a statement_timeout, and a statement it cancels is a retryable 503', async () => {
    const [{ statement_timeout: limit } = { statement_timeout: '' }] = await db.execute<{ statement_timeout: string }>(
      drizzleSql`SHOW statement_timeout`,
    );
    expect(limit).toBe('15s');
    const started = Date.now();
    const error = await db
      .transaction(async (tx) => {
        await tx.execute(drizzleSql`SET LOCAL statement_timeout = '200ms'`);
        await tx.execute(drizzleSql`SELECT pg_sleep(5)`);
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(asDomainError(error)?.reason).toBe('UNAVAILABLE');
  });

  it('two app instances on one database: no double booking, and the active cap holds across both', async () => {
    const instanceA = connect(database.url, { max: 8 });
    const instanceB = connect(database.url, { max: 8 });
    const capped = testConfig({ QUEUE_MAX_ACTIVE: 5 });
    await emptyLine(db);
    const people = await Promise.all(
      Array.from({ length: 30 }, (_, i) => new TestUser(i % 2 ? instanceA.db : instanceB.db, capped).start()),
    );
    await Promise.all(people.map((p) => p.join()));
    for (let round = 0; round < 3; round++) await Promise.all(people.map((p) => p.api.queue.status()));
    await expectInvariants(5);
    const [{ active } = { active: 0 }] = await sql<
      { active: number }[]
    >`SELECT count(*)::int AS active FROM queue_tokens WHERE status = 'active' AND expires_at > now()`;
    expect(active).toBe(5);

    // The admitted five, on both instances, all click the same seat and a few others.
    const admitted = [];
    for (const p of people) if ((await p.api.queue.status()).status === 'active') admitted.push(p);
    const seats = await freeSeatIds(3);
    const results = await Promise.allSettled(admitted.flatMap((p) => seats.map((seatId) => p.api.reservation.hold({ seatId }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    await expectInvariants(5);
    await instanceA.close();
    await instanceB.close();
  });

  it('a stop lets requests in flight finish, then refuses new connections', async () => {
    const handle = createNodeHandler({ db, config });
    let received = 0;
    const server = http.createServer((req, res) => {
      received++;
      void handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
    const fans = await Promise.all(Array.from({ length: 20 }, () => admittedUser(db, config)));
    const inFlight = fans.map((fan) =>
      fetch(`${url}/wallet.charge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: [...fan.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        body: JSON.stringify({ amount: 1_000 }),
      }).then((r) => r.status),
    );
    await expect.poll(() => received).toBe(fans.length); // all twenty are being handled
    await stopServer(server);
    expect(new Set(await Promise.all(inFlight))).toEqual(new Set([200]));
    await expect(fetch(`${url}/health.ping`)).rejects.toThrow();
    await expectInvariants();
  });
});
