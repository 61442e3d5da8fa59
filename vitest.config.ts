import { defineConfig } from 'vitest/config';

/**
 * VITEST_CANARY=<name> runs only server/testing/canaries/<name>.canary.ts, a test that must fail the
 * run (`.ci/run` checks that it does, through this same set-up). The normal run never includes them.
 */
const canary = process.env.VITEST_CANARY;

export default defineConfig({
  test: {
    include: canary ? [`server/testing/canaries/${canary}.canary.ts`] : ['server/**/*.test.ts', 'db/**/*.test.ts', 'app/**/*.test.ts'],
    globalSetup: ['server/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // expect.poll waits on a condition up to this long (Vitest's default, 1 s, is a guess of a fast
    // machine's speed: twenty requests arriving took longer on a busy one). As Playwright's expect.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    reporters: ['default', './server/testing/summary-reporter.ts', './server/testing/in-flight-reporter.ts'],
  },
});
