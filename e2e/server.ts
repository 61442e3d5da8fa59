/**
 * One Playwright web server: a fresh embedded PostgreSQL (temporary folder, port E2E_DB_PORT),
 * migrated and seeded, then the production build (`next start`) on PORT with the environment it was
 * given (e.g. QUEUE_MAX_ACTIVE=1). Stops both on SIGTERM/SIGINT.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, withDatabase } from '../db/embedded';
import { APP_DATABASE, ensureDatabase, migrateAndSeed } from '../db/provision';

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-e2e-pg-'));
  fs.chmodSync(dir, 0o755);
  const db = await startEmbeddedPostgres({ dir: path.join(dir, 'data'), port: Number(process.env.E2E_DB_PORT), persistent: false });
  const url = withDatabase(db.url, APP_DATABASE);
  await ensureDatabase(db.url, APP_DATABASE);
  await migrateAndSeed(url);
  const next = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', process.env.PORT ?? '3000'], {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  const stop = async () => {
    next.kill('SIGTERM');
    await db.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  next.on('exit', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
