import { connect, type Database } from '../db/client';
import { env } from './env';

const cache = globalThis as unknown as { __ticketsDatabase?: Database };

/**
 * The process's database, opened on first use with the validated configuration. It is kept on
 * `globalThis` so that Next's hot reload in development does not open a new pool on every edit.
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
