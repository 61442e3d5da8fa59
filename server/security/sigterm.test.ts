import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createConcert } from '@/server/seed';
import { checkInvariants } from '@/server/invariants';
import { CookieJar } from '@/server/testing/cookie-jar';
import { productionBuildExists, startProductionProcess } from '@/server/testing/production-process';
import { useTestDatabase } from '@/server/testing/test-database';

/**
 * SIGTERM to the production server (`npm start`'s command line, on the production build) in the
 * middle of load, with one process and with two workers (the primary stops both): every request it
 * took is answered, none is dropped, nothing is half-written, and it exits 0. A request may only fail by never reaching it (refused at the door): the server counts the
 * requests it received (server/testing/request-counter.mjs), so "refused" is checked, not assumed.
 * `npm test` builds before this runs; without a build (`npm run test:unit` alone) it is skipped.
 */
const database = await useTestDatabase();
const FANS = 10;
const CHARGES_PER_FAN = 10;
/** Requests the server must have in hand when the signal comes. */
const IN_HAND_AT_SIGTERM = 10;

async function countCharges(): Promise<number> {
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'charge'`;
  await sql.end();
  return n;
}

describe.each([1, 2])('SIGTERM during load, WEB_CONCURRENCY=%i', (workers) => {
  it.skipIf(!productionBuildExists())(
    'answers every request it took, drops none, writes nothing by halves, and exits cleanly',
    async () => {
      const { concertId } = await createConcert(database.db, {
        title: `SIGTERM ${workers}`,
        artist: 'Testers',
        venue: 'Test Hall',
        dayOffsets: [20],
      });
      const server = await startProductionProcess({
        databaseUrl: database.url,
        env: { RATE_LIMIT_PER_MINUTE: '0', WEB_CONCURRENCY: String(workers) },
      });
      const post = async (path: string, cookie: string, body: unknown, jar?: CookieJar) => {
        const res = await fetch(`${server.api}/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify(body),
        });
        jar?.absorbAll(res.headers);
        return res.status;
      };
      const fans: string[] = [];
      for (let i = 0; i < FANS; i++) {
        const jar = new CookieJar();
        expect(await post('session.start', '', {}, jar)).toBe(200);
        expect(await post('queue.issue', jar.header(), { concertId }, jar)).toBe(200);
        fans.push(jar.header());
      }

      const receivedBefore = server.counts.received;
      const chargesBefore = await countCharges();
      const charges = fans.flatMap((cookie) =>
        Array.from({ length: CHARGES_PER_FAN }, () =>
          post('wallet.charge', cookie, { amount: 1_000 }).then(
            (status) => status,
            (e: Error) => `network: ${(e.cause as { code?: string })?.code ?? e.message}`,
          ),
        ),
      );
      await expect.poll(() => server.counts.received - receivedBefore, { interval: 1 }).toBeGreaterThanOrEqual(IN_HAND_AT_SIGTERM);
      expect(server.strayErrors()).toBe(0);
      const { code } = await server.stop();
      const outcomes = await Promise.all(charges);
      expect(code).toBe(0);

      // The server's own count: every request it received was answered in full, none dropped.
      const final = server.finalCounts();
      expect(final.dropped).toBe(0);
      // Every worker took part (each fan's connections spread over both).
      if (workers > 1) expect([...server.countsByWorker().values()].filter((c) => c.received > 0)).toHaveLength(workers);
      expect(final.answered).toBe(final.received);
      // The clients' side: only 200s and network errors; the 200s are exactly the charges the server
      // received, so every network error was a request that never reached it.
      const answered = outcomes.filter((o) => o === 200).length;
      expect(outcomes.filter((o) => o !== 200 && !String(o).startsWith('network:'))).toEqual([]);
      expect(final.received - receivedBefore).toBe(answered);
      // And the ledger holds exactly the answered charges.
      expect((await countCharges()) - chargesBefore).toBe(answered);
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      expect((await checkInvariants(sql, 100)).filter((r) => r.breaches.length)).toEqual([]);
      await sql.end();
      console.log(
        `sigterm (${workers} worker${workers > 1 ? 's' : ''}): ${answered} of ${outcomes.length} charges taken and answered before the stop, ${outcomes.length - answered} refused at the door, 0 dropped`,
      );
    },
    120_000,
  );
});
