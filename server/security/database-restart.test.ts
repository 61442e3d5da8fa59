import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '@/db/client';
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from '@/db/embedded';
import { applyMigrations } from '@/db/migrate';
import { reasonOf } from '@/server/trpc/errors';
import { checkInvariants } from '@/server/invariants';
import { admittedUser, testConfig } from '@/server/testing/test-user';

/**
 * The database goes away under load and comes back: while it is down every call fails fast with a
 * retryable 503 (UNAVAILABLE), nothing hangs, and afterwards the same app (no restart) works again.
 * This test has a PostgreSQL server of its own, since it stops it.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-restart-pg-'));
fs.chmodSync(dir, 0o755);
const port = await freePort();
const start = () => startEmbeddedPostgres({ dir: path.join(dir, 'data'), port });
let server: EmbeddedServer = await start();
const url = server.url;
await applyMigrations(url);
const { db, close } = connect(url, { max: 10 });
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
/** A fan's pause between calls: a client's pace, not a wait for anything. */
const THINK_TIME_MS = 20;
const CALLS_BEFORE_OUTAGE = 20;
const ANSWERS_WHILE_DOWN = 3;

afterAll(async () => {
  await close();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('database restart', () => {
  it('fails fast with 503 while the database is down, and recovers without a restart', async () => {
    const fans = await Promise.all(Array.from({ length: 5 }, () => admittedUser(db, config)));
    const succeeded: number[] = [];
    let running = true;
    const outcomes = { ok: 0, unavailable: 0, other: [] as string[], slowest: 0 };
    const load = Promise.all(
      fans.map(async (fan) => {
        while (running) {
          const t0 = Date.now();
          try {
            await fan.api.wallet.charge({ amount: 100 });
            outcomes.ok++;
            succeeded.push(100);
          } catch (error) {
            const reason = error instanceof TRPCError ? reasonOf(error) : String(error);
            if (reason === 'UNAVAILABLE') outcomes.unavailable++;
            else outcomes.other.push(reason);
          }
          outcomes.slowest = Math.max(outcomes.slowest, Date.now() - t0);
          await new Promise((r) => setTimeout(r, THINK_TIME_MS));
        }
      }),
    );
    await expect.poll(() => outcomes.ok, { timeout: 20_000 }).toBeGreaterThanOrEqual(CALLS_BEFORE_OUTAGE);
    await server.stop();
    // Down until every fan has been answered 503 a few times: the outage is seen, not assumed.
    await expect.poll(() => outcomes.unavailable, { timeout: 20_000 }).toBeGreaterThanOrEqual(fans.length * ANSWERS_WHILE_DOWN);
    const okBeforeRestart = outcomes.ok;
    server = await start();
    await expect.poll(() => outcomes.ok, { timeout: 20_000 }).toBeGreaterThan(okBeforeRestart + 10);
    running = false;
    await load;

    console.log(
      `database restart: ${outcomes.ok} calls succeeded, ${outcomes.unavailable} answered 503 while it was down, slowest ${outcomes.slowest} ms`,
    );
    expect(outcomes.other).toEqual([]);
    expect(outcomes.slowest).toBeLessThan(3_000); // fails fast: no call waits out the outage
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    expect((await checkInvariants(sql, config.QUEUE_MAX_ACTIVE)).filter((r) => r.breaches.length)).toEqual([]);
    await sql.end();
  }, 60_000);
});
