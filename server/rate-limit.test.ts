import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '@/db/client';
import { deleteExpiredRateLimits, knownRefusal, takeRateLimit } from './rate-limit';
import { useTestDatabase } from './testing/test-database';

const database = await useTestDatabase();
/** A second app instance: its own connection pool on the same database. */
const other = connect(database.url, { max: 4 });
afterAll(() => other.close());

const at = (iso: string) => new Date(iso);

describe('rate limits in PostgreSQL', () => {
  it('allows `limit` calls a window per key, then says when the window ends', async () => {
    const take = (key: string, time: string) => takeRateLimit(database.db, { key, limit: 3, at: at(time) });
    const first = [];
    for (let i = 0; i < 3; i++) first.push((await take('a', '2030-01-01T00:00:10Z')).allowed);
    expect(first).toEqual([true, true, true]);
    expect(await take('a', '2030-01-01T00:00:40Z')).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect((await take('b', '2030-01-01T00:00:40Z')).allowed).toBe(true); // another key is counted apart
    expect((await take('a', '2030-01-01T00:01:00Z')).allowed).toBe(true); // a new window
  });

  it('counts across app instances: two pools on one database share the limit', async () => {
    const limit = 10;
    const time = at('2030-01-02T00:00:05Z');
    // Both instances at once, as a client spreading calls over a load balancer would.
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, i) => takeRateLimit((i % 2 ? other : database).db, { key: 'shared', limit, at: time })),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(limit);
  });

  it("remembers the database's refusals on its own clock, until the window ends, so the request layer can refuse alike", async () => {
    for (let i = 0; i < 2; i++) expect((await takeRateLimit(database.db, { key: 'remembered', limit: 2 })).allowed).toBe(true);
    expect(knownRefusal('remembered')).toBeUndefined();
    const refused = await takeRateLimit(database.db, { key: 'remembered', limit: 2 });
    expect(refused.allowed).toBe(false);
    expect(knownRefusal('remembered')).toBe(refused.retryAfterSeconds);
    expect(knownRefusal('remembered', Date.now() + refused.retryAfterSeconds * 1_000 + 1)).toBeUndefined();
    // A refusal counted at a test's own clock says nothing of now.
    await takeRateLimit(database.db, { key: 'at a time', limit: 0, at: at('2030-01-03T00:00:00Z') });
    expect(knownRefusal('at a time')).toBeUndefined();
  });

  it('deletes rows of windows long over, and keeps current ones', async () => {
    await takeRateLimit(database.db, { key: 'old', limit: 1, at: at('2020-01-01T00:00:00Z') });
    await takeRateLimit(database.db, { key: 'current', limit: 1 });
    await deleteExpiredRateLimits(database.db);
    const keys = await database.db.execute<{ key: string }>(sql`SELECT key FROM rate_limits WHERE key IN ('old', 'current')`);
    expect(keys.map((r) => r.key)).toEqual(['current']);
  });

  it('costs about one round trip per call (measured)', async () => {
    const CALLS = 100;
    const ROUNDS = 5;
    const perCall = async (work: (i: number) => Promise<unknown>) => {
      const started = performance.now();
      for (let i = 0; i < CALLS; i++) await work(i);
      return (performance.now() - started) / CALLS;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    // Interleaved rounds, medians: the machine is shared. The baseline is the cheapest round trip there is.
    const baseline: number[] = [];
    const limiter: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(await perCall(() => database.sql`SELECT 1`));
      limiter.push(await perCall((i) => takeRateLimit(database.db, { key: `bench ${i % 50}`, limit: 1_000_000 })));
    }
    console.log(
      `rate limiter: ${median(limiter).toFixed(3)} ms per call (median of ${ROUNDS}×${CALLS}); a SELECT 1 round trip: ${median(baseline).toFixed(3)} ms`,
    );
    expect(median(limiter)).toBeLessThan(50);
  });
});
