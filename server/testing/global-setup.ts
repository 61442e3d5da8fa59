import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, withDatabase } from '@/db/embedded';
import { applyMigrations } from '@/db/migrate';
import { ensureDatabase } from '@/server/provision';
import { pgbouncerPath, startPgBouncer } from './pgbouncer';

export const TEMPLATE_DATABASE = 'tickets_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test server, connected to its maintenance database. */
    testServerUrl: string;
    /** The same server through PgBouncer in transaction mode, or '' when PgBouncer is not installed. */
    poolerServerUrl: string;
  }
}

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL's server, or a throw-away embedded one. The
 * migrated schema goes into a template database that every test file clones (see test-database.ts).
 * PgBouncer (when installed) stands in front of it for the tests run through a pooler.
 */
export default async function setup(project: TestProject) {
  let serverUrl = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  if (!serverUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-test-pg-'));
    fs.chmodSync(dir, 0o755); // the embedded server runs as `postgres` when tests run as root
    const server = await startEmbeddedPostgres({ dir: path.join(dir, 'data'), persistent: false });
    serverUrl = server.url;
    stop = async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const templateUrl = withDatabase(serverUrl, TEMPLATE_DATABASE);
  await ensureDatabase(serverUrl, TEMPLATE_DATABASE);
  await applyMigrations(templateUrl);
  project.provide('testServerUrl', serverUrl);
  const pooler = pgbouncerPath() ? await startPgBouncer(serverUrl, { mode: 'transaction' }) : undefined;
  project.provide('poolerServerUrl', pooler?.url ?? '');
  return async () => {
    await pooler?.stop();
    await stop();
  };
}
