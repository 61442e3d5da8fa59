import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, inject } from 'vitest';
import { connect, type Database } from '@/db/client';
import { withDatabase } from '@/db/embedded';
import { applySessionDefaults } from '@/db/session-defaults';
import { TEMPLATE_DATABASE } from './global-setup';

/** Enough connections for the concurrency tests to be really concurrent. */
const TEST_POOL_MAX = 24;

/**
 * Set by the `pooler` project (vitest.config.ts): the test files of that project reach their database
 * through PgBouncer in transaction mode, connected as DATABASE_POOLER=transaction connects.
 */
const viaPooler = process.env.TEST_DATABASE_POOLER === 'transaction';

/** The server URL test databases are reached by: directly, or through PgBouncer in the pooler project. */
function reachableServerUrl(): string {
  if (!viaPooler) return inject('testServerUrl');
  const url = inject('poolerServerUrl');
  if (!url) throw new Error('The pooler tests need PgBouncer: `apt-get install pgbouncer` (.ci/run does), or set PGBOUNCER_PATH.');
  return url;
}

/**
 * A fresh database for one test file, cloned from the migrated template and dropped afterwards:
 * test files never see each other's rows. Its `url` is how the app would reach it (through the pooler
 * in the pooler project); `directUrl` reaches the server itself, as migrations do.
 */
export interface TestDatabase extends Database {
  /** How the app reaches it: through PgBouncer in the pooler project, else directly. */
  url: string;
  /** The server itself, bypassing any pooler: for a test's own lock holders and for migrations. */
  directUrl: string;
  /** Another app instance's pool on it (its own caches), connected as `url` is (pooler included). */
  connectAgain: (options: { max: number }) => Database;
}

export async function useTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('testServerUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  const directUrl = withDatabase(serverUrl, name);
  // A clone does not inherit the template's database settings: the session limits, as a migration sets them.
  const owner = postgres(directUrl, { max: 1, onnotice: () => {} });
  await applySessionDefaults(owner).finally(() => owner.end());
  const url = withDatabase(reachableServerUrl(), name);
  const pooler = viaPooler ? 'transaction' : 'none';
  const database = connect(url, { max: TEST_POOL_MAX, pooler });
  afterAll(async () => {
    await database.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return { ...database, url, directUrl, connectAgain: ({ max }) => connect(url, { max, pooler }) };
}
