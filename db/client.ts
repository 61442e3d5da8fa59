import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { env } from '../server/env';
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
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: IDLE_TIMEOUT_SECONDS,
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    backoff: reconnectBackoff,
    prepare: options.pooler !== 'transaction',
    onnotice: () => {},
    connection: {
      lock_timeout: LOCK_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS,
    },
  });
  return { db: drizzle(sql, { schema }), sql, close: () => sql.end({ timeout: 5 }) };
}

const cache = globalThis as unknown as { __ticketsDatabase?: Database };

/**
 * The process's database, opened on first use. It is kept on `globalThis` so that Next's hot
 * reload in development does not open a new pool on every edit.
 */
export function getDatabase(): Database {
  if (!cache.__ticketsDatabase) {
    const config = env();
    if (!config.DATABASE_URL) {
      throw new Error(
        'DATABASE_URL is not set. Start the app with `npm run dev` or `npm start`, which start an embedded PostgreSQL, or set DATABASE_URL.',
      );
    }
    cache.__ticketsDatabase = connect(config.DATABASE_URL, {
      max: config.DATABASE_POOL_MAX,
      pooler: config.DATABASE_POOLER,
    });
  }
  return cache.__ticketsDatabase;
}
