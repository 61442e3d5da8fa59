import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEAT_MAP_MAX_AGE_MS } from '@/server/concert/seat-map';
import { checkInvariants } from '@/server/invariants';
import { LINE_REFRESH_MS } from '@/server/queue/line-cache';
import { createConcert } from '@/server/seed';
import { CookieJar } from '@/server/testing/cookie-jar';
import { productionBuildExists, startProductionProcess, type ProductionProcess } from '@/server/testing/production-process';
import { useTestDatabase } from '@/server/testing/test-database';
import { testConfig } from '@/server/testing/test-user';
import type { AppRouter } from '@/server/trpc/root';

/**
 * A hosted deployment's shape (docs/operations.md): two app instances (separate `npm start`
 * processes, one connection pool each) on one PostgreSQL through PgBouncer in transaction mode, so no
 * LISTEN and no session state between transactions. Runs only in the `pooler` project
 * (vitest.config.ts), whose test database is reached through PgBouncer.
 *
 * What each instance caches is kept fresh without notifications, by time: a line's state is read
 * again at most LINE_REFRESH_MS after the last read, a seat map at most SEAT_MAP_MAX_AGE_MS after;
 * an instance forgets at once what it changed itself. So a change made through one instance shows on
 * the other within those bounds, which is what these tests hold them to (plus a second for a busy
 * machine). Decisions never come from a cache: holds and payments lock their rows.
 */
const database = await useTestDatabase();
const { db, sql: client } = database;
const config = testConfig({ QUEUE_MAX_ACTIVE: 1 });
/** The bound a change made on one instance must show on the other within. */
const SEEN_WITHIN_MS = Math.max(LINE_REFRESH_MS, SEAT_MAP_MAX_AGE_MS) + 1_000;
const LOCK_TIMEOUT_MS = 5_000;

let a: ProductionProcess;
let b: ProductionProcess;

/** A fan's browser: one cookie jar, and a typed client on each instance. */
function fan() {
  const jar = new CookieJar();
  const on = (server: ProductionProcess) =>
    createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: server.api,
          headers: () => (jar.size ? { cookie: jar.header() } : {}),
          fetch: async (input, init) => {
            const res = await fetch(input, init);
            jar.absorbAll(res.headers);
            return res;
          },
        }),
      ],
    });
  return { a: on(a), b: on(b) };
}

/** How long until `read` returns true, polling every 50 ms; fails past `bound`. */
async function msUntil(read: () => Promise<boolean>, bound: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await read()) return performance.now() - started;
    if (performance.now() - started > bound) throw new Error(`not seen within ${bound} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const reasonOf = (error: unknown) =>
  error instanceof TRPCClientError ? (error.data as { reason?: string } | undefined)?.reason : undefined;

describe.skipIf(!productionBuildExists() || process.env.TEST_DATABASE_POOLER !== 'transaction')(
  'two app instances through PgBouncer in transaction mode',
  () => {
    let concertId: number;
    let scheduleId: number;
    beforeAll(async () => {
      const made = await createConcert(db, {
        title: 'Pooler night',
        artist: 'Two Instances',
        venue: 'Hall',
        dayOffsets: [20],
        sale: { maxActive: 1, turnSeconds: 300 },
      });
      concertId = made.concertId;
      scheduleId = made.scheduleIds[0]!;
    });

    /** Starts the instances this test uses (each stops when the test ends: startProductionProcess). */
    async function instances(count: 1 | 2) {
      const env = { DATABASE_POOLER: 'transaction', DATABASE_POOL_MAX: '4', RATE_LIMIT_PER_MINUTE: '0' };
      const started = await Promise.all(Array.from({ length: count }, () => startProductionProcess({ databaseUrl: database.url, env })));
      [a, b = started[0]!] = started as [ProductionProcess, ProductionProcess?];
    }

    it('the session limits hold through the pooler: a lock wait ends in BUSY, never a hang', { timeout: 90_000 }, async () => {
      await instances(1);
      const [shown] = await client<{ lock_timeout: string }[]>`SHOW lock_timeout`;
      expect(shown?.lock_timeout).toBe(`${LOCK_TIMEOUT_MS / 1000}s`);

      const alice = fan();
      await alice.a.session.start.mutate({ name: 'Alice' });
      const line = await createConcert(db, { title: 'Locked', artist: 'L', venue: 'V', dayOffsets: [20] });
      await alice.a.queue.issue.mutate({ concertId: line.concertId });
      const [seat] = await db.execute<{ id: number }>(
        sql`SELECT id FROM seats WHERE schedule_id = ${line.scheduleIds[0]!} ORDER BY id LIMIT 1`,
      );
      // Another transaction holds Alice's user row (a hold locks it first) for longer than lock_timeout.
      const [aliceRow] = await db.execute<{ id: string }>(sql`SELECT user_id AS id FROM queue_tokens WHERE concert_id = ${line.concertId}`);
      const direct = (await import('postgres')).default(database.directUrl, { max: 1, onnotice: () => {} });
      try {
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const holder = direct.begin(async (tx) => {
          await tx`SELECT 1 FROM users WHERE id = ${aliceRow!.id} FOR UPDATE`;
          locked();
          await released;
        });
        await isLocked;
        const started = performance.now();
        const refused = await alice.a.order.hold.mutate({ seatIds: [seat!.id] }).then(
          () => 'held',
          (error: unknown) => reasonOf(error),
        );
        const waited = performance.now() - started;
        release();
        await holder;
        expect(refused).toBe('BUSY');
        expect(waited).toBeGreaterThanOrEqual(LOCK_TIMEOUT_MS - 500);
        expect(waited).toBeLessThan(LOCK_TIMEOUT_MS + 5_000);
      } finally {
        await direct.end();
      }
    });

    it('keeps the line, the seat map, payments and orders right across instances, without LISTEN', { timeout: 120_000 }, async () => {
      await instances(2);
      const [alice, bob] = [fan(), fan()];
      await alice.a.session.start.mutate({ name: 'Alice' });
      await bob.b.session.start.mutate({ name: 'Bob' });
      // Alice joins on A and is admitted (one turn at a time); Bob joins on B and waits behind her.
      expect((await alice.a.queue.issue.mutate({ concertId })).status).toBe('active');
      const waiting = await bob.b.queue.issue.mutate({ concertId });
      expect(waiting).toMatchObject({ status: 'waiting', position: 1 });
      // Bob polls the other instance: it knows his place too.
      expect(await bob.a.queue.status.query({ concertId })).toMatchObject({ status: 'waiting', position: 1 });

      // The operator pauses the sale (a write neither instance made): both tell Bob within their bound.
      await client`UPDATE sales SET paused = true, paused_at = now() WHERE concert_id = ${concertId}`;
      for (const on of [bob.a, bob.b]) {
        const seen = await msUntil(async () => (await on.queue.status.query({ concertId })).saleState === 'paused', SEEN_WITHIN_MS);
        expect(seen).toBeLessThan(SEEN_WITHIN_MS);
      }
      await client`UPDATE sales SET paused = false, paused_at = NULL WHERE concert_id = ${concertId}`;

      // Alice holds two seats on A: B's map shows them held within its bound (only an admitted fan reads a map).
      const seats = await db.execute<{ id: number }>(sql`SELECT id FROM seats WHERE schedule_id = ${scheduleId} ORDER BY id LIMIT 3`);
      const [first, second, third] = seats.map((s) => s.id) as [number, number, number];
      const order = await alice.a.order.hold.mutate({ seatIds: [first, second] });
      const statusOn = async (client: ReturnType<typeof fan>['a'], seatId: number) =>
        (await client.concert.seats.query({ scheduleId })).find((s) => s.seatId === seatId)?.status;
      expect(await msUntil(async () => (await statusOn(alice.b, first)) === 'held', SEEN_WITHIN_MS)).toBeLessThan(SEEN_WITHIN_MS);

      // She pays on B with money charged on A. A payment ends her turn, so Bob, polling B, is admitted
      // within B's bound; A's map shows her seats sold (B wrote it); A's order list shows the order paid.
      await alice.a.wallet.charge.mutate({ amount: 1_000_000 });
      const paid = await alice.b.order.pay.mutate({ orderId: order.orderId });
      expect(paid.bookingCode).toMatch(/\S/);
      const admittedAfter = await msUntil(async () => (await bob.b.queue.status.query({ concertId })).status === 'active', SEEN_WITHIN_MS);
      expect(admittedAfter).toBeLessThan(SEEN_WITHIN_MS);
      expect(await msUntil(async () => (await statusOn(bob.a, second)) === 'sold', SEEN_WITHIN_MS)).toBeLessThan(SEEN_WITHIN_MS);
      const [listed] = (await alice.a.order.list.query()).filter((o) => o.orderId === order.orderId);
      expect(listed).toMatchObject({ status: 'confirmed' });
      expect(paid.balance).toBe(1_000_000 - paid.amount);

      // Bob holds on B; his hold runs out; A's order list and map say so (judged by the database's clock).
      const bobs = await bob.b.order.hold.mutate({ seatIds: [third] });
      await client.begin(async (tx) => {
        await tx`UPDATE orders SET held_until = now() - interval '1 second' WHERE id = ${bobs.orderId}`;
        await tx`UPDATE reservations SET held_until = now() - interval '1 second' WHERE order_id = ${bobs.orderId}`;
      });
      const [expired] = (await bob.a.order.list.query()).filter((o) => o.orderId === bobs.orderId);
      expect(expired?.status).toBe('expired');
      expect(await msUntil(async () => (await statusOn(bob.a, third)) === 'available', SEEN_WITHIN_MS)).toBeLessThan(SEEN_WITHIN_MS);

      expect((await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0)).toEqual([]);
      expect(a.strayErrors() + b.strayErrors()).toBe(0);
    });
  },
);
