import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { createConcert, seedDemoData } from '../seed';
import { checkInvariants } from '../invariants';
import { connectionKiller } from '../testing/connection-killer';
import { CookieJar } from '../testing/cookie-jar';
import { startKillingProxy } from '../testing/killing-proxy';
import { productionBuildExists, startProductionProcess } from '../testing/production-process';
import { CLIENT_RETRY, retryDelayMs } from '../testing/retry';
import { useTestDatabase } from '../testing/test-database';

/**
 * Killed database connections against the real `npm start` process (compiled launcher, production
 * build), not in-process: every backend of its database is terminated again and again while HTTP
 * clients call it. The process must stay up (a stray rejection from a killed connection once could
 * crash it: postgres.js's array-type fetch on connect), answer only 200 or a retryable 503/409
 * meanwhile, work again afterwards, and the books must balance. Skipped without a build, like the
 * SIGTERM test.
 */
const database = await useTestDatabase();
beforeAll(() => seedDemoData(database.db));

const FANS = 8;
const KILL_EVERY_MS = 150;
/** Connections killed under load before the clients stop (bounded by LOAD_LIMIT_MS). */
const MIN_KILLS = 60;
const LOAD_LIMIT_MS = 60_000;
const CHARGE = 1_000;
/** Connections cut in their first query before the clients stop. */
const MIN_FIRST_QUERY_KILLS = 30;
/** Calls at once after the faults: more than the server's pool (DATABASE_POOL_MAX, 10). */
const FLUSH_CALLS = 30;
const RETRYABLE = new Set([503, 409]);

interface Answer {
  status: number;
  reason?: string;
}

/** HTTP calls to the server at `api`, tallied by status and reason. */
function client(api: string) {
  const statuses = new Map<string, number>();
  /** One call; a network error (the process gone or dropping requests) fails the test. */
  const call = async (procedure: string, jar: CookieJar, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${api}/${procedure}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', cookie: jar.header() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    jar.absorbAll(res.headers);
    const json = (await res.json()) as { error?: { data?: { reason?: string } } };
    const answer = { status: res.status, reason: json.error?.data?.reason };
    const key = `${answer.status}${answer.reason ? ` ${answer.reason}` : ''}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    return answer;
  };
  /** As a client does: a retryable answer is retried with backoff, a bounded number of times. */
  const until200 = async (procedure: string, jar: CookieJar, body?: unknown): Promise<Answer> => {
    for (let attempt = 1; ; attempt++) {
      const answer = await call(procedure, jar, body);
      if (!RETRYABLE.has(answer.status) || attempt >= CLIENT_RETRY.attempts) return answer;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
    }
  };

  return { call, until200, statuses };
}

describe('killed database connections, against npm start', () => {
  it.skipIf(!productionBuildExists())(
    'the process stays up and answers, retries succeed exactly once, and it recovers',
    async () => {
      const server = await startProductionProcess({
        databaseUrl: database.url,
        env: { RATE_LIMIT_PER_MINUTE: '0', QUEUE_MAX_ACTIVE: '1000' },
      });
      const { call, until200, statuses } = client(server.api);
      const { concertId } = await createConcert(database.db, {
        title: 'Killed connections',
        artist: 'Testers',
        venue: 'Test Hall',
        dayOffsets: [20],
      });
      // The demo data's own purchases (its sold-out concert) are there before the fans charge.
      const chargesSoFar = () =>
        database.sql<{ entries: number; total: number }[]>`
          SELECT count(*)::int AS entries, coalesce(sum(amount), 0)::int AS total FROM ledger_entries WHERE kind = 'charge'`.then(
          (r) => r[0]!,
        );
      const before = await chargesSoFar();
      const jars = Array.from({ length: FANS }, () => new CookieJar());
      for (const jar of jars) {
        expect((await call('session.start', jar, {})).status).toBe(200);
        expect((await call('queue.issue', jar, { concertId })).status).toBe(200);
      }

      // The killer strikes again only once every fan still at work has had a charge answered since its
      // last round: the kills hit calls in flight, and no fan's retries are all killed, however slow the machine.
      const answered = new Set<number>();
      const finished = new Set<number>();
      const killer = connectionKiller(database.url, KILL_EVERY_MS, {
        ready: () => {
          if (jars.some((_, i) => !finished.has(i) && !answered.has(i))) return false;
          answered.clear();
          return true;
        },
      });
      let charged: number[];
      try {
        const deadline = Date.now() + LOAD_LIMIT_MS;
        charged = await Promise.all(
          jars.map(async (jar, i) => {
            let charges = 0;
            try {
              while (killer.kills() < MIN_KILLS && Date.now() < deadline) {
                const charge = await until200('wallet.charge', jar, { amount: CHARGE, idempotencyKey: `killed-${i}-${charges}` });
                expect(charge).toEqual({ status: 200, reason: undefined });
                answered.add(i);
                charges++;
                // A read too, answered 200 or a retryable 503, never anything else.
                expect([200, 503]).toContain((await call('concert.list', jar)).status);
              }
            } finally {
              finished.add(i);
            }
            return charges;
          }),
        );
      } finally {
        await killer.stop();
      }
      const kills = killer.kills();
      const answers = Object.fromEntries(statuses);
      console.log(
        `killed connections (npm start): ${kills} connections killed, ${charged.reduce((a, b) => a + b, 0)} charges, answers ${JSON.stringify(answers)}`,
      );
      expect(server.alive()).toBe(true);
      expect(server.strayErrors()).toBe(0);
      expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
      expect(Object.keys(answers).filter((k) => !/^(200|503 UNAVAILABLE|409 BUSY)$/.test(k))).toEqual([]);

      // Afterwards, no restart: a pooled connection killed while idle may fail its next use once
      // (a 503); after a round wider than the pool, every call is answered 200.
      const round = (call: (jar: CookieJar) => Promise<Answer>) =>
        Promise.all(Array.from({ length: FLUSH_CALLS }, (_, i) => call(jars[i % FANS]!)));
      expect((await round((jar) => until200('wallet.balance', jar))).every((a) => a.status === 200)).toBe(true);
      expect((await round((jar) => call('wallet.balance', jar))).filter((a) => a.status !== 200)).toEqual([]);

      // Each charge once, whatever was killed when; and the invariants.
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      const after = await chargesSoFar();
      const expected = charged.reduce((a, b) => a + b, 0);
      expect({ entries: after.entries - before.entries, total: after.total - before.total }).toEqual({
        entries: expected,
        total: expected * CHARGE,
      });
      expect((await checkInvariants(sql, 1000)).filter((r) => r.breaches.length)).toEqual([]);
      await sql.end();

      expect(await server.stop()).toEqual({ code: 0, signal: null });
      expect(server.finalCounts().dropped).toBe(0);
    },
    120_000,
  );
  it.skipIf(!productionBuildExists())(
    'connections killed in their first query (where postgres.js fetches array types on connect) do not take it down',
    async () => {
      const proxy = await startKillingProxy(database.url);
      const server = await startProductionProcess({
        databaseUrl: proxy.url,
        env: { RATE_LIMIT_PER_MINUTE: '0', QUEUE_MAX_ACTIVE: '1000' },
      });
      const { call, until200, statuses } = client(server.api);
      const jar = new CookieJar();
      expect((await call('session.start', jar, {})).status).toBe(200);

      // From now on every new connection dies in its first query; the killer below ends the pool's
      // current ones, so new connections are made (and cut) all the time.
      proxy.setKilling(true);
      const killer = connectionKiller(database.url, KILL_EVERY_MS);
      try {
        const deadline = Date.now() + LOAD_LIMIT_MS;
        await Promise.all(
          Array.from({ length: FANS }, async () => {
            while (proxy.kills() < MIN_FIRST_QUERY_KILLS && Date.now() < deadline && server.alive())
              expect([200, 503]).toContain((await call('concert.list', jar)).status);
          }),
        );
      } finally {
        proxy.setKilling(false);
        await killer.stop();
      }
      console.log(
        `killed in their first query (npm start): ${proxy.kills()} connections, answers ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      expect(server.alive()).toBe(true);
      expect(server.strayErrors()).toBe(0);
      expect(proxy.kills()).toBeGreaterThanOrEqual(MIN_FIRST_QUERY_KILLS);
      expect((await until200('concert.list', jar)).status).toBe(200);
      expect(await server.stop()).toEqual({ code: 0, signal: null });
      await proxy.close();
    },
    120_000,
  );
});
