import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { assertPostgresPatched } from './postgres-patch';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;
/** A transaction handle: what `db.transaction(tx => …)` passes. Services accept `Db | Tx`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close: () => Promise<void>;
}

export interface ConnectOptions {
  max?: number;
  /** For PgBouncer/Supavisor in transaction mode, which cannot keep prepared statements. */
  pooler?: 'none' | 'session' | 'transaction';
}

/** Lock waits and statements are bounded so that nothing hangs a request. */
const LOCK_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 15_000;
const IDLE_TIMEOUT_SECONDS = 20;
const CONNECT_TIMEOUT_SECONDS = 10;
/**
 * Reconnect delay after failed connection attempts, in seconds. postgres.js backs off up to 20 s by
 * default, and queries wait for it: while the database is down that would hold requests for 20 s
 * instead of answering 503 at once.
 */
const reconnectBackoff = (attempts: number) => Math.min(0.05 * 2 ** attempts, 1);

export function connect(url: string, options: ConnectOptions = {}): Database {
  assertPostgresPatched();
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: IDLE_TIMEOUT_SECONDS,
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    backoff: reconnectBackoff,
    prepare: options.pooler !== 'transaction',
    // No array-type lookup on connect. That query runs outside any caller's promise, so when the
    // connection is killed while it runs, its rejection is unhandled and can crash the process
    // (porsager/postgres#1192, #1205, #1223). The app sends no array parameters: drizzle's inArray
    // expands to IN ($1, $2, …), and no query binds a JavaScript array.
    fetch_types: false,
    onnotice: () => {},
    connection: {
      lock_timeout: LOCK_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS,
    },
  });
  return { db: drizzle(sql, { schema }), sql, close: () => sql.end({ timeout: 5 }) };
}
