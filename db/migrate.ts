import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { connect } from './client';
import { applyFunctions } from './functions';
import { applySessionDefaults } from './session-defaults';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** One migrator at a time per database (two servers starting at once, a build beside a running start). */
const MIGRATION_LOCK = 7_316_004;

/**
 * Applies the committed drizzle-kit migrations that the database has not had yet, then the current
 * database functions (db/functions.ts) and the session limits as the database's defaults
 * (db/session-defaults.ts), under one advisory lock.
 */
export async function applyMigrations(url: string): Promise<void> {
  const database = connect(url, { max: 1 });
  try {
    await database.sql`SET client_min_messages = warning`;
    // Waiting for another migrator is expected: no time limit on taking this lock (then the usual ones).
    await database.sql`SET lock_timeout = 0`;
    await database.sql`SET statement_timeout = 0`;
    await database.sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
    await database.sql`RESET lock_timeout`;
    await database.sql`RESET statement_timeout`;
    try {
      await migrate(database.db, { migrationsFolder: MIGRATIONS_DIR });
      await applyFunctions(database.sql);
      await applySessionDefaults(database.sql);
    } finally {
      await database.sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`;
    }
  } finally {
    await database.close();
  }
}
