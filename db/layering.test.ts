import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

/** Layers point one way (app/ → server/ → db/): nothing under db/ imports from server/ or app/. */
it('db/ imports nothing from server/ or app/', () => {
  const files = fs.readdirSync('db', { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
  const upward = files.flatMap((file) =>
    [...fs.readFileSync(path.join('db', file), 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)]
      .map((m) => m[1]!)
      .filter((spec) => spec.startsWith('.') && /^(server|app)(\/|$)/.test(path.relative('.', path.join('db', path.dirname(file), spec))))
      .map((spec) => `${file}: ${spec}`),
  );
  expect(upward).toEqual([]);
});
