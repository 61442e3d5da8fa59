import { expect, it } from 'vitest';
import { useTestDatabase } from '@/server/testing/test-database';

/**
 * CI canary (VITEST_CANARY=unhandled-rejection): every test passes, but a promise rejects with nobody
 * listening, as a killed connection's stray query once did. Vitest reports it as an unhandled error;
 * `.ci/run` requires that to fail the run.
 */
const { sql } = await useTestDatabase();

it('passes, while a rejection escapes', async () => {
  void Promise.reject(new Error('canary: an unhandled rejection'));
  const [{ one } = { one: 0 }] = await sql<{ one: number }[]>`SELECT 1 AS one`;
  expect(one).toBe(1);
});
