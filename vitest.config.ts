import { defineConfig } from 'vitest/config';

/**
 * VITEST_CANARY=<name> runs only server/testing/canaries/<name>.canary.ts, a test that must fail the
 * run (`.ci/run` checks that it does, through this same set-up). The normal run never includes them.
 */
const canary = process.env.VITEST_CANARY;

const SUITE = ['server/**/*.test.ts', 'db/**/*.test.ts', 'app/**/*.test.ts', 'docs/**/*.test.ts'];
/**
 * Tests that load a real `npm start` and time a bystander's calls: they run after the rest of the
 * suite, one at a time, so what they time is the server under their load (and whatever else the
 * machine runs), not another test file's.
 */
const LOAD_TESTS = ['server/security/burst.test.ts'];
/**
 * The integration tests of the line, holds, payments, orders and sales, run a second time through
 * PgBouncer in transaction mode (as hosted deployments run: docs/operations.md), with the tests of two
 * app instances sharing it (server/http/pooler-instances.test.ts). Their databases are reached through
 * the pooler, with DATABASE_POOLER=transaction's connection settings (server/testing/test-database.ts).
 */
const POOLER_TESTS = [
  'server/queue/**/*.test.ts',
  'server/order/**/*.test.ts',
  'server/payment/**/*.test.ts',
  'server/reservation/**/*.test.ts',
  'server/sale/**/*.test.ts',
  'server/concert/**/*.test.ts',
];
const POOLER_ONLY = ['server/http/pooler-instances.test.ts'];
/**
 * Not through the pooler: polls.test.ts checks the LISTEN path and counts statements on a raw pool of
 * its own; behind a pooler there is no LISTEN, and pooler-instances.test.ts holds polls to the bounds
 * they keep without it.
 */
const DIRECT_ONLY = ['server/queue/polls.test.ts'];

export default defineConfig({
  // The '@/…' imports (tsconfig.json paths).
  resolve: { tsconfigPaths: true },
  test: {
    globalSetup: ['server/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // expect.poll waits on a condition up to this long (Vitest's default, 1 s, is a guess of a fast
    // machine's speed: twenty requests arriving took longer on a busy one). As Playwright's expect.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    reporters: ['default', './server/testing/summary-reporter.ts', './server/testing/in-flight-reporter.ts'],
    projects: canary
      ? [{ extends: true, test: { name: 'canary', include: [`server/testing/canaries/${canary}.canary.ts`] } }]
      : [
          { extends: true, test: { name: 'suite', include: SUITE, exclude: [...LOAD_TESTS, ...POOLER_ONLY], sequence: { groupOrder: 0 } } },
          {
            extends: true,
            test: {
              name: 'pooler',
              include: [...POOLER_TESTS, ...POOLER_ONLY],
              exclude: DIRECT_ONLY,
              env: { TEST_DATABASE_POOLER: 'transaction' },
              sequence: { groupOrder: 0 },
            },
          },
          { extends: true, test: { name: 'load', include: LOAD_TESTS, fileParallelism: false, sequence: { groupOrder: 1 } } },
        ],
  },
});
