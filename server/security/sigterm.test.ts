import { spawn } from 'node:child_process';
import fs from 'node:fs';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../db/embedded';
import { checkInvariants } from '../invariants';
import { CookieJar } from '../testing/cookie-jar';
import { useTestDatabase } from '../testing/test-database';

/**
 * SIGTERM to the production server (`npm start`'s, on the production build) in the middle of load:
 * the requests it was handling finish and are answered, nothing is half-written, and it exits 0.
 * `npm test` builds before this runs; without a build (`npm run test:unit` alone) it is skipped.
 */
const built = fs.existsSync('.next/BUILD_ID');
const database = await useTestDatabase();

describe('SIGTERM during load', () => {
  it.skipIf(!built)(
    'finishes the requests in flight, writes nothing by halves, and exits cleanly',
    async () => {
      const port = await freePort();
      const { scripts } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
      const [, ...args] = scripts.start.split(/\s+/);
      const child = spawn(process.execPath, args, {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          NODE_ENV: 'production',
          DATABASE_URL: database.url,
          PORT: String(port),
          SESSION_SECRET: 'sigterm-test-secret-0123456789abcdef',
          OPERATOR_PASSWORD: 'sigterm-test-operator',
          RATE_LIMIT_PER_MINUTE: '0',
        },
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const base = `http://127.0.0.1:${port}/api/trpc`;
      await expect
        .poll(
          () =>
            fetch(`${base}/health.ping`).then(
              (r) => r.ok,
              () => false,
            ),
          { timeout: 60_000, interval: 250 },
        )
        .toBe(true);

      const post = async (path: string, cookie: string, body: unknown, jar?: CookieJar) => {
        const res = await fetch(`${base}/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify(body),
        });
        jar?.absorbAll(res.headers);
        return { status: res.status };
      };
      const fans: string[] = [];
      for (let i = 0; i < 10; i++) {
        const jar = new CookieJar();
        await post('session.start', '', {}, jar);
        await post('queue.issue', jar.header(), {}, jar);
        fans.push(jar.header());
      }

      let received = 0;
      const charges = fans.flatMap((cookie) =>
        Array.from({ length: 10 }, () =>
          post('wallet.charge', cookie, { amount: 1_000 }).then(
            (r) => (received++, r.status),
            (e: Error) => (received++, `network: ${(e.cause as { code?: string })?.code ?? e.message}`),
          ),
        ),
      );
      await new Promise((r) => setTimeout(r, 30));
      child.kill('SIGTERM');
      const outcomes = await Promise.all(charges);
      expect(await exited).toBe(0);

      // Every request was either answered (200) or never taken (refused connection): no 5xx, and the
      // ledger holds exactly the answered charges.
      const answered = outcomes.filter((o) => o === 200).length;
      expect(outcomes.filter((o) => o !== 200 && !String(o).startsWith('network:'))).toEqual([]);
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'charge'`;
      expect(n).toBe(answered);
      expect((await checkInvariants(sql, 100)).filter((r) => r.breaches.length)).toEqual([]);
      await sql.end();
      console.log(
        `sigterm: ${answered} of ${outcomes.length} charges answered before the stop, ${outcomes.length - answered} refused at the door`,
      );
      expect(received).toBe(outcomes.length);
    },
    120_000,
  );
});
