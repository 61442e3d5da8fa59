import type postgres from 'postgres';

/**
 * The limits every session of the app runs under, so that nothing hangs a request: a lock wait ends
 * in `lock_timeout` (the app answers BUSY), a statement in `statement_timeout`, and a transaction left
 * open by a dead caller in `idle_in_transaction_session_timeout`.
 *
 * They reach a session two ways, from this one list:
 * - connected directly, as start-up parameters of each connection (db/client.ts);
 * - behind PgBouncer or Supavisor (`DATABASE_POOLER=session|transaction`), which refuse start-up
 *   parameters they do not know, as the database's own defaults: `applySessionDefaults` (run by every
 *   migration, db/migrate.ts) sets them with `ALTER DATABASE … SET`, so every server connection the
 *   pooler opens starts with them, whichever client's transaction it then carries.
 */
export const SESSION_DEFAULTS = {
  lock_timeout: 5_000,
  statement_timeout: 15_000,
  idle_in_transaction_session_timeout: 15_000,
} as const satisfies Record<string, number>;

/** PostgreSQL's "insufficient_privilege": the migrating role does not own the database. */
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Makes SESSION_DEFAULTS the current database's defaults for new sessions. Needs the database's owner
 * (or a superuser): a role that lacks it gets a warning naming what to run, not a failed migration,
 * since a direct connection still gets the limits as start-up parameters.
 */
export async function applySessionDefaults(sql: postgres.Sql, warn: (message: string) => void = console.warn): Promise<void> {
  const [row] = await sql<{ name: string }[]>`SELECT current_database() AS name`;
  const name = row!.name;
  try {
    for (const [setting, ms] of Object.entries(SESSION_DEFAULTS)) {
      await sql.unsafe(`ALTER DATABASE ${quoteIdentifier(name)} SET ${setting} = ${ms}`);
    }
  } catch (error) {
    if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw error;
    const settings = Object.entries(SESSION_DEFAULTS)
      .map(([setting, ms]) => `SET ${setting} = ${ms}`)
      .join('; ');
    warn(
      `Could not make the session limits the database's defaults (the migrating role does not own "${name}"). ` +
        `Behind a pooler (DATABASE_POOLER) they would not apply: have the owner run ALTER DATABASE … ${settings} (or ALTER ROLE … SET for the app's role).`,
    );
  }
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
