import postgres from 'postgres';
import { afterEach, expect, it } from 'vitest';
import { assertPostgresPatched, POSTGRES_PATCH_MARK, postgresPatched } from './postgres-patch';

const marks = globalThis as Record<symbol, unknown>;
afterEach(() => {
  marks[POSTGRES_PATCH_MARK] = true;
});

it('the loaded postgres.js carries the patch (patch-package ran at postinstall)', () => {
  expect(typeof postgres).toBe('function');
  expect(postgresPatched()).toBe(true);
  expect(() => assertPostgresPatched()).not.toThrow();
});

it('a postgres.js without the patch stops start-up', () => {
  delete marks[POSTGRES_PATCH_MARK];
  expect(() => assertPostgresPatched()).toThrow(/missing its crash fix/);
});
