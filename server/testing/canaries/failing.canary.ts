import { expect, it } from 'vitest';
import { useTestDatabase } from '@/server/testing/test-database';

/**
 * CI canary (VITEST_CANARY=failing): a test that fails on purpose, run through the real set-up (global
 * setup with the embedded PostgreSQL, a cloned database). `.ci/run` requires the run to exit non-zero;
 * if it exits 0, `npm test` cannot fail and CI stops before trusting it.
 */
const { sql } = await useTestDatabase();

it('fails on purpose', async () => {
  const [{ one } = { one: 0 }] = await sql<{ one: number }[]>`SELECT 1 AS one`;
  expect(one).toBe(2);
});
