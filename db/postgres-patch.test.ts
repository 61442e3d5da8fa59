import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { assertPostgresPatched, POSTGRES_PATCH_MARKER, unpatchedFiles } from './postgres-patch';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-postgres-patch-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

it('the installed postgres.js carries the patch (patch-package ran at postinstall)', () => {
  expect(() => assertPostgresPatched()).not.toThrow();
});

it('a postgres.js without the patch is caught, file by file', () => {
  const write = (file: string, code: string) => {
    fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    fs.writeFileSync(path.join(scratch, file), code);
  };
  expect(unpatchedFiles(scratch)).toHaveLength(2); // nothing there at all
  write('src/connection.js', `function nextWrite(fn) {\n  ${POSTGRES_PATCH_MARKER}\n}`);
  write('cjs/src/connection.js', 'function nextWrite(fn) {}');
  expect(unpatchedFiles(scratch)).toEqual([path.join(scratch, 'cjs/src/connection.js')]);
});
