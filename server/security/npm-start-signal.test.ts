import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '@/db/embedded';
import { productionBuildExists } from '@/server/testing/production-process';
import { UNSENT_MAIL_ENV } from '@/server/testing/unsent-mail';
import { useTestDatabase } from '@/server/testing/test-database';

/**
 * A process manager stops `npm start` by signalling npm, not the server below it. The signal must
 * reach the server (package.json's `exec node …`), which then stops answering and exits; without
 * `exec`, the shell npm runs the script in dies and the server is orphaned, still serving.
 */
const database = await useTestDatabase();
const ping = (base: string) =>
  fetch(`${base}/health.ping`).then(
    (r) => r.ok,
    () => false,
  );

describe('SIGTERM to npm start', () => {
  it.skipIf(!productionBuildExists())(
    'stops the server itself, not only npm',
    async () => {
      const port = await freePort();
      const npm = spawn('npm', ['start', '--silent'], {
        stdio: 'ignore',
        env: {
          ...process.env,
          NODE_ENV: 'production',
          DATABASE_URL: database.url,
          PORT: String(port),
          SESSION_SECRET: 'npm-start-signal-secret-0123456789abcdef',
          OPERATOR_PASSWORD: 'npm-start-signal-operator',
          ...UNSENT_MAIL_ENV,
        },
      });
      const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
      const base = `http://127.0.0.1:${port}/api/trpc`;
      await expect.poll(() => ping(base), { timeout: 60_000, interval: 250 }).toBe(true);
      npm.kill('SIGTERM');
      await exited;
      // The server's own graceful stop takes well under this; an orphan would answer forever.
      await expect.poll(() => ping(base), { timeout: 15_000, interval: 250 }).toBe(false);
    },
    90_000,
  );
});
