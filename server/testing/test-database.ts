import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, inject } from 'vitest';
import { connect, type Database } from '@/db/client';
import { withDatabase } from '@/db/embedded';
import { TEMPLATE_DATABASE } from './global-setup';

/** Enough connections for the concurrency tests to be really concurrent. */
const TEST_POOL_MAX = 24;

/**
 * A fresh database for one test file, cloned from the migrated template and dropped afterwards:
 * test files never see each other's rows.
 */
export async function useTestDatabase(): Promise<Database & { url: string }> {
  const serverUrl = inject('testServerUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  const url = withDatabase(serverUrl, name);
  const database = connect(url, { max: TEST_POOL_MAX });
  afterAll(async () => {
    await database.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return { ...database, url };
}
