import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * postgres.js 3.4.9 crashes the process when a connection dies with a small write pending: an
 * uncatchable TypeError from a setImmediate (porsager/postgres#1154, #1208; fixed by PR #1209, not
 * released as of 3.4.9, the latest). patches/postgres+3.4.9.patch (applied by patch-package at
 * postinstall) settles the pending query with CONNECTION_CLOSED, a retryable error, instead. This is
 * the marker that patch adds.
 */
export const POSTGRES_PATCH_MARKER = '/* patched: null-socket guard (porsager/postgres#1208) */';
/** Both builds: `src/` is what an ES import loads, `cjs/src/` what a require (Next) loads. */
const PATCHED_FILES = ['src/connection.js', 'cjs/src/connection.js'];

let verified = false;

/** The postgres.js files under `root` that lack the patch (or all of them, if none is there). */
export function unpatchedFiles(root: string): string[] {
  const present = PATCHED_FILES.map((file) => path.join(root, file)).filter((file) => fs.existsSync(file));
  if (present.length === 0) return PATCHED_FILES.map((file) => path.join(root, file));
  return present.filter((file) => !fs.readFileSync(file, 'utf8').includes(POSTGRES_PATCH_MARKER));
}

/**
 * Stops start-up when the installed postgres.js lacks the patch (an install that skipped
 * postinstall, a version bump): a server that one killed connection can take down must not start.
 * Resolved from the working directory, where npm scripts and Next run, so it reads the package
 * that is loaded.
 */
export function assertPostgresPatched(): void {
  if (verified) return;
  const entry = createRequire(path.join(process.cwd(), 'package.json')).resolve('postgres');
  const unpatched = unpatchedFiles(path.resolve(path.dirname(entry), '..', '..'));
  if (unpatched.length > 0) {
    throw new Error(
      `postgres.js is missing its crash fix (patches/postgres+3.4.9.patch) in ${unpatched.join(', ')}: run \`npm install\` (its postinstall applies the patch with patch-package).`,
    );
  }
  verified = true;
}
