/**
 * postgres.js 3.4.9 crashes the process when a connection dies with a small write pending: an
 * uncatchable TypeError from a setImmediate (porsager/postgres#1154, #1208; fixed by PR #1209, not
 * released as of 3.4.9, the latest). patches/postgres+3.4.9.patch (applied by patch-package at
 * postinstall) settles the pending query with CONNECTION_CLOSED, a retryable error, instead, and
 * marks the patched module as loaded: both builds (`src/`, what an ES import loads; `cjs/src/`, what a
 * require loads) set this global when they are evaluated.
 *
 * The check reads that mark from the module that is running, not the files on disk: nothing here
 * names a path, so a bundler tracing the server's files (Next's output file tracing) follows no
 * directory from it, and what is checked is what runs.
 */
export const POSTGRES_PATCH_MARK = Symbol.for('postgres.js null-socket guard');

/** Whether the postgres.js that this process loaded carries the patch. */
export const postgresPatched = (): boolean => (globalThis as Record<symbol, unknown>)[POSTGRES_PATCH_MARK] === true;

/**
 * Stops start-up when the loaded postgres.js lacks the patch (an install that skipped postinstall, a
 * version bump): a server that one killed connection can take down must not start. Call it after
 * postgres.js is imported (db/client.ts `connect` does).
 */
export function assertPostgresPatched(): void {
  if (postgresPatched()) return;
  throw new Error(
    'postgres.js is missing its crash fix (patches/postgres+3.4.9.patch): run `npm install` (its postinstall applies the patch with patch-package).',
  );
}
