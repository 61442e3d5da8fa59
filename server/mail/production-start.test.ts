import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { productionBuildExists } from '@/server/testing/production-process';
import { npmStartNodeArgs } from '@/server/testing/start-command';
import { UNSENT_MAIL_ENV } from '@/server/testing/unsent-mail';

/** The launcher checks its configuration before it opens the database: this one is never reached. */
const NO_DATABASE = 'postgres://nobody:nothing@127.0.0.1:1/none';
const REFUSAL_WITHIN_MS = 20_000;

/** `npm start`'s command line on a deployment's environment (DATABASE_URL set) with `mail` for its mail settings. */
function startWith(mail: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(SMTP_URL|MAIL_FROM|MAIL_OUTBOX)$/.test(name)));
  const child = spawn(process.execPath, npmStartNodeArgs(), {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...inherited,
      NODE_ENV: 'production',
      DATABASE_URL: NO_DATABASE,
      SESSION_SECRET: 'mail-start-test-secret-0123456789abcdef',
      OPERATOR_PASSWORD: 'mail-start-test-operator',
      WEB_CONCURRENCY: '1',
      ...mail,
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), REFUSAL_WITHIN_MS);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

describe('npm start without mail settings', () => {
  it.skipIf(!productionBuildExists())(
    'refuses to start, naming SMTP_URL and MAIL_FROM, in one message without a stack',
    async () => {
      const { code, stderr } = await startWith({});
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        [
          'Invalid configuration:',
          '  SMTP_URL: is required in production (where mail is sent: smtp://user:pass@host:587)',
          '  MAIL_FROM: is required in production (e.g. "Concert Tickets <tickets@example.com>")',
        ].join('\n'),
      );
      const malformed = await startWith({ ...UNSENT_MAIL_ENV, SMTP_URL: 'smtp.example.com:587' });
      expect(malformed.code).toBe(1);
      expect(malformed.stderr).toMatch(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL with a host/);
    },
    2 * REFUSAL_WITHIN_MS + 5_000,
  );
});
