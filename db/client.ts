import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { assertPostgresPatched } from './postgres-patch';
import * as schema from './schema';
import { SESSION_DEFAULTS } from './session-defaults';

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
    // The session limits (db/session-defaults.ts) as start-up parameters, when connected directly. A
    // pooler refuses parameters it does not know ("unsupported startup parameter"): behind one, they
    // are the database's defaults instead, set by every migration.
    connection: (options.pooler ?? 'none') === 'none' ? SESSION_DEFAULTS : {},
  });
  if (options.pooler === 'transaction') withoutListen.add(sql);
  const observers: WriteObserver[] = [];
  writeObservers.set(sql, observers);
  const logger = {
    logQuery(query: string) {
      for (const observer of observers) if (observer.writes.test(query)) observer.onWrite();
    },
  };
  return { db: drizzle(sql, { schema, logger }), sql, close: () => sql.end({ timeout: 5 }) };
}

interface WriteObserver {
  writes: RegExp;
  onWrite: () => void;
}

/** Per pool made by `connect`: who wants to know of statements that write which tables. */
const writeObservers = new WeakMap<object, WriteObserver[]>();

/**
 * Calls `onWrite` whenever a statement that writes (inserts into, updates or deletes from) one of
 * `tables` is sent through this handle's pool, by this process: before it runs, so an observer that
 * caches what those tables hold can forget it and read it again after the write. Statements of other
 * processes are not seen (see `listenOn`). Returns false for a handle not made by `connect`.
 */
export function observeWrites(db: Db, { tables, onWrite }: { tables: string[]; onWrite: () => void }): boolean {
  const observers = writeObservers.get(poolOf(db));
  if (!observers) return false;
  const names = tables.map((t) => t.replace(/[^a-z_]/g, '')).join('|');
  observers.push({ writes: new RegExp(`\\b(?:update|insert\\s+into|delete\\s+from)\\s+"?(?:${names})"?[\\s(]`, 'i'), onWrite });
  return true;
}

/**
 * The postgres.js pool under a drizzle handle (drizzle keeps it as `$client`): per-pool state of the
 * process (caches, batches) is keyed by it, so several drizzle handles over one pool share it; hot
 * statements written once as tagged queries run on it (postgres.js prepares each once per connection,
 * unless DATABASE_POOLER=transaction turns that off), with no query building per call.
 */
export function poolOf(db: Db): postgres.Sql {
  return (db as Db & { $client: postgres.Sql }).$client;
}

/** Pools behind a transaction-mode pooler, where a session's LISTEN does not survive its transaction. */
const withoutListen = new WeakSet<object>();

/**
 * Subscribes to a PostgreSQL notification channel on a handle's server. postgres.js keeps one
 * dedicated connection for it (besides the pool) and opens it again after it drops, calling
 * `onListening` each time the subscription is (re)established: notifications sent while it was down
 * are lost, so a subscriber should then forget what it cached. Returns false, subscribing nothing,
 * behind a transaction-mode pooler (where LISTEN does not work): subscribers must not depend on it.
 * Never rejects: a failed first attempt is retried by postgres.js when the connection comes back.
 */
export function listenOn(
  db: Db,
  { channel, onNotify, onListening }: { channel: string; onNotify: (payload: string) => void; onListening: () => void },
): boolean {
  const client = poolOf(db);
  if (withoutListen.has(client)) return false;
  client.listen(channel, onNotify, onListening).catch(() => {
    // The subscription is retried when the listening connection reconnects; until then, nothing is pushed.
  });
  return true;
}
