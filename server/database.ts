import { connect, type Database } from '@/db/client';
import { env } from './env';
import { flushHeartbeats } from './queue/heartbeats';
import { flushJoinStats } from './queue/join-stats';

const cache = globalThis as unknown as { __ticketsDatabase?: Database };

/**
 * The process's database, opened on first use with the validated configuration. It is kept on
 * `globalThis` so that Next's hot reload in development does not open a new pool on every edit.
 * Closing it first writes the waiting fans' pending heartbeats (server/queue/heartbeats.ts), so a
 * server that stops does not make fans who were polling it look gone.
 */
export function getDatabase(): Database {
  if (!cache.__ticketsDatabase) {
    const config = env();
    if (!config.DATABASE_URL) {
      throw new Error(
        'DATABASE_URL is not set. Start the app with `npm run dev` or `npm start`, which start an embedded PostgreSQL, or set DATABASE_URL.',
      );
    }
    const database = connect(config.DATABASE_URL, {
      max: config.DATABASE_POOL_MAX,
      pooler: config.DATABASE_POOLER,
    });
    cache.__ticketsDatabase = {
      ...database,
      close: async () => {
        await flushHeartbeats(database.db).catch((error: unknown) => console.error('Could not write the last queue heartbeats:', error));
        await flushJoinStats(database.db).catch((error: unknown) => console.error('Could not write the last join counts:', error));
        await database.close();
      },
    };
  }
  return cache.__ticketsDatabase;
}
