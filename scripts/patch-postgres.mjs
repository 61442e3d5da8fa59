/**
 * postinstall: guards postgres.js 3.4.9 against a process crash when a connection dies with a small
 * write pending (porsager/postgres#1154, #1208; the fix of PR #1209, not released yet). Without it,
 * a killed database connection throws an uncatchable TypeError from a setImmediate and takes the
 * whole server down. The patch settles the pending query with CONNECTION_CLOSED (a retryable error)
 * and resets the write timer on teardown. Idempotent; fails loudly if the driver's code changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const MARKER = '/* patched: null-socket guard (porsager/postgres#1208) */';
// The package's exports hide package.json: find it from the entry point (cjs/src/index.js).
const root = path.resolve(path.dirname(createRequire(import.meta.url).resolve('postgres')), '..', '..');
const files = ['src/connection.js', 'cjs/src/connection.js'].map((f) => path.join(root, f));

const replacements = [
  [
    `  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)`,
    `  function nextWrite(fn) {\n    ${MARKER}\n    if (!socket) {\n      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  [
    `    terminated = true\n    if (stream || query || initial || sent.length)\n      error(Errors.connection('CONNECTION_DESTROYED', options))\n\n    clearImmediate(nextWriteTimer)\n`,
    `    terminated = true\n    if (stream || query || initial || sent.length)\n      error(Errors.connection('CONNECTION_DESTROYED', options))\n\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n`,
  ],
  [
    `    incomings = null\n    clearImmediate(nextWriteTimer)\n`,
    `    incomings = null\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n`,
  ],
];

for (const file of files) {
  let code = fs.readFileSync(file, 'utf8');
  if (code.includes(MARKER)) continue;
  for (const [from, to] of replacements) {
    if (!code.includes(from)) {
      console.error(
        `patch-postgres: ${path.relative(process.cwd(), file)} does not contain the expected code. Has postgres.js changed (package.json pins 3.4.9)? If the upstream fix landed, remove this patch.`,
      );
      process.exit(1);
    }
    code = code.replace(from, to);
  }
  fs.writeFileSync(file, code);
}
console.log('patch-postgres: null-socket guard in place');
