/**
 * One Playwright web server: a fresh embedded PostgreSQL (temporary folder, port E2E_DB_PORT),
 * migrated and seeded, then the production server exactly as `npm start` runs it (package.json's start
 * command line: the compiled launcher, dist/serve.js, on the production build) on PORT, with the
 * environment it was given (e.g. QUEUE_MAX_ACTIVE=1), and with E2E_MAIL_PORT a mailbox for its mail.
 * Stops them all on SIGTERM/SIGINT.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, withDatabase } from '@/db/embedded';
import { APP_DATABASE, ensureDatabase, migrateAndSeed } from '@/server/provision';
import { npmStartNodeArgs } from '@/server/testing/start-command';
import { startMailCatcher } from './mail-catcher';

/** package.json's start script as argv for this Node binary. */
function startCommand(): string[] {
  return npmStartNodeArgs();
}

async function main() {
  if (!fs.existsSync('dist/serve.js')) throw new Error('No production build: run `npm run build` first.');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-e2e-pg-'));
  fs.chmodSync(dir, 0o755);
  const db = await startEmbeddedPostgres({ dir: path.join(dir, 'data'), port: Number(process.env.E2E_DB_PORT), persistent: false });
  const url = withDatabase(db.url, APP_DATABASE);
  await ensureDatabase(db.url, APP_DATABASE);
  await migrateAndSeed(url);
  // With E2E_MAIL_PORT, the server's mail goes to a mailbox the tests read (e2e/mail-catcher.ts).
  const mailbox = process.env.E2E_MAIL_PORT ? await startMailCatcher(Number(process.env.E2E_MAIL_PORT)) : undefined;
  const app = spawn(process.execPath, startCommand(), {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...(mailbox && { SMTP_URL: mailbox.smtpUrl }),
      DATABASE_URL: url,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    },
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // The server drains its requests on SIGTERM; the database goes after it.
    if (app.exitCode === null && app.signalCode === null) {
      const exited = new Promise((resolve) => app.once('exit', resolve));
      app.kill('SIGTERM');
      await exited;
    }
    await mailbox?.close();
    await db.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  app.on('exit', () => void stop());
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
