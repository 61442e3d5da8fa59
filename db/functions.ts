import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type postgres from 'postgres';

/**
 * The database functions, one file each: db/functions/<name>.sql holds the current definition of the
 * function <name> (CREATE OR REPLACE FUNCTION). The migrations are the history of the tables; the
 * functions' bodies live here only, and the migrator (db/migrate.ts) applies every file after the
 * journal's migrations (db/functions.test.ts fails on a migration that creates or replaces a
 * function: the file would silently win). A function changes by changing its file; a change of its
 * arguments or result type (which CREATE OR REPLACE cannot make) also needs a migration that drops the
 * old one. A trigger on a new function cannot be created by a migration, which runs before the file:
 * its file creates it after the function (CREATE OR REPLACE TRIGGER).
 *
 * The files are applied with dependencies first: a file that calls another file's function (`name(`
 * outside comments) comes after it (SQL-language functions are checked against what exists when they
 * are created); otherwise in name order.
 */
export const FUNCTIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'functions');

export interface FunctionFile {
  /** The function's name: the file's name without `.sql`. */
  name: string;
  text: string;
}

const withoutComments = (text: string) => text.replace(/--[^\n]*/g, '');

/** The function files of `dir`, each after the functions it calls. A cycle is an error. */
export function functionFiles(dir = FUNCTIONS_DIR): FunctionFile[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ name: f.slice(0, -'.sql'.length), text: fs.readFileSync(path.join(dir, f), 'utf8') }));
  const names = new Set(files.map((f) => f.name));
  const calls = new Map(
    files.map((f) => {
      const code = withoutComments(f.text);
      return [f.name, [...names].filter((other) => other !== f.name && new RegExp(`\\b${other}\\s*\\(`).test(code))];
    }),
  );
  const ordered: FunctionFile[] = [];
  const placed = new Set<string>();
  while (ordered.length < files.length) {
    const next = files.find((f) => !placed.has(f.name) && calls.get(f.name)!.every((callee) => placed.has(callee)));
    if (!next) {
      const left = files.filter((f) => !placed.has(f.name)).map((f) => f.name);
      throw new Error(`db/functions: these functions call each other in a cycle: ${left.join(', ')}`);
    }
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}

/** Creates or replaces every function of `dir`, in one transaction. */
export async function applyFunctions(sql: postgres.Sql, dir = FUNCTIONS_DIR): Promise<void> {
  const files = functionFiles(dir);
  await sql.begin(async (tx) => {
    for (const file of files) await tx.unsafe(file.text);
  });
}

/** The functions of the current schema (not an extension's), each name with its definitions. */
async function definitions(sql: postgres.Sql | postgres.TransactionSql): Promise<Map<string, string>> {
  const rows = await sql<{ name: string; definition: string }[]>`
    SELECT p.proname AS name, pg_get_functiondef(p.oid) AS definition
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema() AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    ORDER BY 1, 2`;
  const byName = new Map<string, string>();
  for (const row of rows) byName.set(row.name, [byName.get(row.name), row.definition].filter(Boolean).join('\n'));
  return byName;
}

class RolledBack extends Error {}

/**
 * Where the database's functions are not their files: a function without a file, a file without its
 * function, and a function whose definition is not its file's (found by applying the files in a
 * transaction that is rolled back and comparing pg_get_functiondef before and after: exact, nothing
 * parsed). Empty when they agree.
 */
export async function functionDrift(sql: postgres.Sql, dir = FUNCTIONS_DIR): Promise<string[]> {
  const files = functionFiles(dir);
  const fileNames = new Set(files.map((f) => f.name));
  const problems: string[] = [];
  const before = await definitions(sql);
  for (const name of before.keys())
    if (!fileNames.has(name)) problems.push(`${name}: in the database, but no file db/functions/${name}.sql`);
  for (const name of fileNames) if (!before.has(name)) problems.push(`${name}: db/functions/${name}.sql is not in the database`);
  let after = new Map<string, string>();
  await sql
    .begin(async (tx) => {
      for (const file of files) await tx.unsafe(file.text);
      after = await definitions(tx);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  for (const [name, definition] of after) {
    if (!fileNames.has(name)) {
      if (!before.has(name)) problems.push(`${name}: created by a file not named for it`);
    } else if (before.has(name) && before.get(name) !== definition)
      problems.push(`${name}: the database's definition is not db/functions/${name}.sql`);
  }
  return problems;
}
