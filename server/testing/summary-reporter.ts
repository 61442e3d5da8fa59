import type { Reporter, TestModule } from 'vitest/node';

/** Ends the run with the plain `N passed, N failed, N skipped` line that CI reads. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    let failedModules = 0;
    for (const module of testModules) {
      const before = counts.failed;
      for (const test of module.children.allTests()) counts[test.result().state]++;
      // A file that failed with no failing test (it did not load, or a hook of a suite threw and its
      // tests were skipped) is one failure: the run failed, and the line must say so.
      if (module.state() === 'failed' && counts.failed === before) failedModules++;
    }
    console.log(`\nvitest: ${counts.passed} passed, ${counts.failed + failedModules} failed, ${counts.skipped + counts.pending} skipped`);
  }
}
