import type { Reporter, TestModule } from 'vitest/node';

/** Ends the run with the plain `N passed, N failed, N skipped` line that CI reads. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const module of testModules) for (const test of module.children.allTests()) counts[test.result().state]++;
    const failedModules = testModules.filter((m) => m.state() === 'failed' && m.children.size === 0).length;
    console.log(`\nvitest: ${counts.passed} passed, ${counts.failed + failedModules} failed, ${counts.skipped + counts.pending} skipped`);
  }
}
