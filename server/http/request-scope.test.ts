import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Run in a child process: Vitest's own handlers would catch the rejection in this one, and what is
 * tested is precisely that the process survives it.
 */
const SCRIPT = `
import { inRequestScope, logUnhandledErrors } from ${JSON.stringify(path.join(import.meta.dirname, 'request-scope.ts'))};
logUnhandledErrors();
inRequestScope('req-test-1234', () => {
  setTimeout(() => void Promise.reject(new Error('a bug in a request')), 5);
});
setTimeout(() => console.log('still serving'), 100);
`;

describe('unhandled rejections', () => {
  it('are logged with the id of the request they came from, and do not end the process', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.stderr).toMatch(/\[req-test-1234\] unhandled rejection: Error: a bug in a request/);
    expect(child.stdout).toContain('still serving');
    expect(child.status).toBe(0);
  });
});
