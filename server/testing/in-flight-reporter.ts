import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Keeps a file listing the test files running right now (VITEST_IN_FLIGHT_FILE, default
 * test-results/vitest-in-flight.txt), rewritten as each starts and ends. When CI's time limit stops a
 * hung run, `.ci/run` prints it: the file that hung is named, not guessed.
 */
export const IN_FLIGHT_FILE = process.env.VITEST_IN_FLIGHT_FILE ?? 'test-results/vitest-in-flight.txt';

export default class InFlightReporter implements Reporter {
  private readonly running = new Map<string, number>();

  private write() {
    const lines = [...this.running].map(([file, started]) => `${file} (started ${new Date(started).toISOString()})`);
    fs.mkdirSync(path.dirname(IN_FLIGHT_FILE), { recursive: true });
    fs.writeFileSync(IN_FLIGHT_FILE, lines.length ? `${lines.join('\n')}\n` : '');
  }

  onTestRunStart() {
    this.running.clear();
    this.write();
  }

  onTestModuleStart(module: TestModule) {
    this.running.set(module.relativeModuleId, Date.now());
    this.write();
  }

  onTestModuleEnd(module: TestModule) {
    this.running.delete(module.relativeModuleId);
    this.write();
  }
}
