import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { withDatabase } from './embedded';
import { applyFunctions, FUNCTIONS_DIR, functionDrift, functionFiles } from './functions';
import { applyMigrations, MIGRATIONS_DIR } from './migrate';

/** A database of its own, migrated from nothing by the migrator every path uses. */
const name = `f_${randomBytes(6).toString('hex')}`;
const admin = postgres(inject('testServerUrl'), { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = withDatabase(inject('testServerUrl'), name);
await applyMigrations(url);
const sql = postgres(url, { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

const fileOf = (fn: string) => fs.readFileSync(path.join(FUNCTIONS_DIR, `${fn}.sql`), 'utf8');

/** A copy of db/functions/ to change. */
function functionsCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'functions-'));
  fs.cpSync(FUNCTIONS_DIR, dir, { recursive: true });
  return dir;
}

describe('db/functions: one file per database function', () => {
  it('the migrated database has every function of its file, and no function without one', async () => {
    expect(await functionDrift(sql)).toEqual([]);
  });

  it('migrating again changes nothing', async () => {
    await applyMigrations(url);
    expect(await functionDrift(sql)).toEqual([]);
  });

  it('two migrators at once on a new database both succeed, one after the other', async () => {
    const fresh = `f_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`CREATE DATABASE ${fresh}`);
    try {
      const freshUrl = withDatabase(inject('testServerUrl'), fresh);
      await Promise.all([applyMigrations(freshUrl), applyMigrations(freshUrl), applyMigrations(freshUrl)]);
      const check = postgres(freshUrl, { max: 1, onnotice: () => {} });
      try {
        expect(await functionDrift(check)).toEqual([]);
        const [journal] = await check<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
        expect(journal!.n).toBe(fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length);
      } finally {
        await check.end();
      }
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`);
    }
  });

  it('a function body changed in the database without its file is reported, and the migrator restores the file', async () => {
    const planted = fileOf('admit_line').replace('-- The clock once the lock is held', '-- Changed without its file: the clock');
    expect(planted).not.toBe(fileOf('admit_line'));
    await sql.unsafe(planted);
    expect(await functionDrift(sql)).toEqual([`admit_line: the database's definition is not db/functions/admit_line.sql`]);
    await applyMigrations(url);
    expect(await functionDrift(sql)).toEqual([]);
  });

  it('a changed setting of a function (not only its body) is reported', async () => {
    await sql`ALTER FUNCTION pay_order_refuse(text, jsonb) STABLE`;
    expect(await functionDrift(sql)).toEqual([`pay_order_refuse: the database's definition is not db/functions/pay_order_refuse.sql`]);
    await applyFunctions(sql);
    expect(await functionDrift(sql)).toEqual([]);
  });

  it('a function without a file, and a file without its function, are reported', async () => {
    await sql`CREATE FUNCTION planted_without_file() RETURNS integer LANGUAGE sql AS 'SELECT 1'`;
    const dir = functionsCopy();
    fs.writeFileSync(
      path.join(dir, 'planted_without_function.sql'),
      `CREATE OR REPLACE FUNCTION planted_without_function() RETURNS integer LANGUAGE sql AS 'SELECT 2';\n`,
    );
    fs.writeFileSync(
      path.join(dir, 'misnamed.sql'),
      `CREATE OR REPLACE FUNCTION planted_elsewhere() RETURNS integer LANGUAGE sql AS 'SELECT 3';\n`,
    );
    try {
      expect((await functionDrift(sql, dir)).sort()).toEqual([
        'misnamed: db/functions/misnamed.sql is not in the database',
        'planted_elsewhere: created by a file not named for it',
        'planted_without_file: in the database, but no file db/functions/planted_without_file.sql',
        'planted_without_function: db/functions/planted_without_function.sql is not in the database',
      ]);
      // The check changed nothing.
      expect(await sql`SELECT 1 FROM pg_proc WHERE proname IN ('planted_without_function', 'planted_elsewhere')`).toHaveLength(0);
    } finally {
      await sql`DROP FUNCTION planted_without_file()`;
    }
    expect(await functionDrift(sql)).toEqual([]);
  });

  it('applies a function after the functions it calls, and refuses a cycle', () => {
    const order = functionFiles().map((f) => f.name);
    for (const file of functionFiles())
      for (const callee of order)
        if (callee !== file.name && new RegExp(`\\b${callee}\\s*\\(`).test(file.text.replace(/--[^\n]*/g, '')))
          expect(order.indexOf(callee), `${file.name} calls ${callee}`).toBeLessThan(order.indexOf(file.name));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'functions-cycle-'));
    fs.writeFileSync(path.join(dir, 'a.sql'), 'CREATE OR REPLACE FUNCTION a() RETURNS int LANGUAGE sql AS $$ SELECT b() $$;');
    fs.writeFileSync(path.join(dir, 'b.sql'), 'CREATE OR REPLACE FUNCTION b() RETURNS int LANGUAGE sql AS $$ SELECT a() $$;');
    expect(() => functionFiles(dir)).toThrow(/cycle: a, b/);
  });
});

/**
 * The migrations that created functions before they had files of their own. A later migration that
 * creates or replaces a function would be overwritten by the file at once (the files are applied after
 * the journal): a function changes in its file, never in a migration.
 */
const MIGRATIONS_WITH_FUNCTIONS_BEFORE_FILES = ['0006_line_admission', '0007_hold_seats_function', '0008_sale_changes_notify'];

function migrationsDefiningFunctions(dir: string): string[] {
  const journal = JSON.parse(fs.readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return journal.entries
    .map((e) => e.tag)
    .filter((tag) => !MIGRATIONS_WITH_FUNCTIONS_BEFORE_FILES.includes(tag))
    .filter((tag) =>
      /\b(CREATE\s+(OR\s+REPLACE\s+)?|ALTER\s+)(FUNCTION|PROCEDURE)\b/i.test(
        fs.readFileSync(path.join(dir, `${tag}.sql`), 'utf8').replace(/--[^\n]*/g, ''),
      ),
    );
}

describe('the migrations leave function bodies to db/functions', () => {
  it('no migration creates, replaces or alters a function', () => {
    expect(migrationsDefiningFunctions(MIGRATIONS_DIR)).toEqual([]);
  });

  it('a migration that changes a function body is reported', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const journalPath = path.join(dir, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string; when: number }[] };
    const last = journal.entries.at(-1)!;
    journal.entries.push({ ...last, idx: last.idx + 1, tag: '9999_planted', when: last.when + 1 });
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    fs.writeFileSync(
      path.join(dir, '9999_planted.sql'),
      fileOf('admit_line').replace('-- The clock once the lock is held', '-- Changed in a migration'),
    );
    expect(migrationsDefiningFunctions(dir)).toEqual(['9999_planted']);
  });
});
