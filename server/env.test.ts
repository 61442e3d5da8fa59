import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEV_MAIL_FROM, DEV_OPERATOR_PASSWORD, EnvError, parseEnv } from './env';
import { HEARTBEAT_SECONDS, LONGEST_POLL_INTERVAL_SECONDS } from './shared/timing';

const OPERATOR = 'a-long-operator-password';
/** What production needs besides the secrets: where mail goes and who it is from. */
const MAIL = { SMTP_URL: 'smtp://mailer:secret@smtp.example.com:587', MAIL_FROM: 'Concert Tickets <tickets@example.com>' };

describe('parseEnv', () => {
  it('applies the documented defaults', () => {
    expect(parseEnv({})).toMatchObject({
      PORT: 3000,
      QUEUE_MAX_ACTIVE: 100,
      QUEUE_ACTIVE_TTL_SECONDS: 600,
      HOLD_TTL_SECONDS: 300,
      HOLD_MAX_PER_USER: 4,
      PURCHASE_MAX_PER_USER: 4,
      REFUND_DEADLINE_HOURS: 24,
      DATABASE_POOLER: 'none',
      WEB_CONCURRENCY: os.availableParallelism(),
    });
  });

  it('runs one worker per core unless WEB_CONCURRENCY says otherwise, and refuses a count that is not one', () => {
    expect(parseEnv({ WEB_CONCURRENCY: '1' }).WEB_CONCURRENCY).toBe(1);
    expect(parseEnv({ WEB_CONCURRENCY: '3' }).WEB_CONCURRENCY).toBe(3);
    for (const bad of ['0', '-2', '1.5', 'all', '65']) expect(() => parseEnv({ WEB_CONCURRENCY: bad }), bad).toThrow(/WEB_CONCURRENCY/);
  });

  it('names the variable that is wrong', () => {
    expect(() => parseEnv({ QUEUE_MAX_ACTIVE: 'lots' })).toThrow(/QUEUE_MAX_ACTIVE/);
    expect(() => parseEnv({ HOLD_TTL_SECONDS: '0' })).toThrow(/HOLD_TTL_SECONDS/);
    expect(() => parseEnv({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => parseEnv({ PURCHASE_MAX_PER_USER: '0' })).toThrow(/PURCHASE_MAX_PER_USER/);
    expect(() => parseEnv({ REFUND_DEADLINE_HOURS: '-1' })).toThrow(/REFUND_DEADLINE_HOURS/);
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x' })).toThrow(EnvError);
  });

  it('refuses a QUEUE_ABANDON_SECONDS that would expire fans who are still polling', () => {
    // A waiting room polls at most every LONGEST_POLL_INTERVAL_SECONDS; last_seen_at is refreshed at most every HEARTBEAT_SECONDS.
    const shortest = HEARTBEAT_SECONDS + LONGEST_POLL_INTERVAL_SECONDS;
    expect(() => parseEnv({ QUEUE_ABANDON_SECONDS: String(Math.floor(shortest)) })).toThrow(
      /QUEUE_ABANDON_SECONDS: must be at least 33: the 20 s heartbeat plus the waiting room's longest poll interval \(12.5 s\)/,
    );
    expect(() => parseEnv({ QUEUE_ABANDON_SECONDS: '10' })).toThrow(EnvError);
    expect(parseEnv({ QUEUE_ABANDON_SECONDS: String(Math.ceil(shortest)) }).QUEUE_ABANDON_SECONDS).toBe(33);
    expect(parseEnv({}).QUEUE_ABANDON_SECONDS).toBeGreaterThanOrEqual(shortest);
  });

  it('requires a real SESSION_SECRET in production only', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET: is required in production/);
    expect(() => parseEnv({ NODE_ENV: 'production', SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET/);
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), OPERATOR_PASSWORD: OPERATOR, ...MAIL }).SESSION_SECRET).toBe(
      'x'.repeat(32),
    );
    expect(parseEnv({ NODE_ENV: 'development' }).SESSION_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('requires an OPERATOR_PASSWORD of 12 characters or more in production, with a dev default elsewhere', () => {
    const secret = 'x'.repeat(32);
    expect(() => parseEnv({ NODE_ENV: 'production', SESSION_SECRET: secret })).toThrow(/OPERATOR_PASSWORD: is required in production/);
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET: is required[\s\S]*OPERATOR_PASSWORD: is required/);
    expect(() => parseEnv({ OPERATOR_PASSWORD: 'short' })).toThrow(/OPERATOR_PASSWORD: must be at least 12 characters/);
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: secret, OPERATOR_PASSWORD: OPERATOR, ...MAIL }).OPERATOR_PASSWORD).toBe(
      OPERATOR,
    );
    expect(parseEnv({ NODE_ENV: 'development' }).OPERATOR_PASSWORD).toBe(DEV_OPERATOR_PASSWORD);
    expect(parseEnv({ NODE_ENV: 'test' }).OPERATOR_PASSWORD).toBe(DEV_OPERATOR_PASSWORD);
  });

  it('requires SMTP_URL and MAIL_FROM in production, and has a development From elsewhere', () => {
    const secrets = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), OPERATOR_PASSWORD: OPERATOR };
    expect(() => parseEnv(secrets)).toThrow(/SMTP_URL: is required in production[\s\S]*MAIL_FROM: is required in production/);
    expect(() => parseEnv({ ...secrets, MAIL_FROM: MAIL.MAIL_FROM })).toThrow(/SMTP_URL: is required in production/);
    expect(() => parseEnv({ ...secrets, SMTP_URL: MAIL.SMTP_URL })).toThrow(/MAIL_FROM: is required in production/);
    expect(() => parseEnv({ ...secrets, ...MAIL, SMTP_URL: '' })).toThrow(/SMTP_URL: is required in production/);
    expect(parseEnv({ ...secrets, ...MAIL })).toMatchObject(MAIL);
    // A local `npm start` on the embedded database writes to the outbox instead (scripts/serve.ts).
    expect(parseEnv({ ...secrets, MAIL_FROM: MAIL.MAIL_FROM, MAIL_OUTBOX: 'true' }).MAIL_OUTBOX).toBe(true);
    expect(parseEnv({}).MAIL_FROM).toBe(DEV_MAIL_FROM);
    expect(parseEnv({}).SMTP_URL).toBeUndefined();
    expect(parseEnv({}).MAIL_OUTBOX).toBe(false);
  });

  it('refuses an SMTP_URL that is not an smtp:// or smtps:// URL with a host', () => {
    for (const good of ['smtp://127.0.0.1:2525', 'smtps://user:pa%40ss@smtp.example.com:465', 'smtp://smtp.example.com']) {
      expect(parseEnv({ SMTP_URL: good }).SMTP_URL, good).toBe(good);
    }
    for (const bad of ['smtp.example.com:587', 'http://smtp.example.com', 'smtp://', 'smtp:///nohost', 'not a url']) {
      expect(() => parseEnv({ SMTP_URL: bad }), bad).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL with a host/);
    }
  });

  it('refuses a MAIL_FROM that is not one address (line breaks included), and SMTP_URL beside MAIL_OUTBOX', () => {
    for (const good of ['tickets@example.com', 'Concert Tickets <tickets@example.com>', '"Tickets, Seoul" <t@example.com>']) {
      expect(parseEnv({ MAIL_FROM: good }).MAIL_FROM, good).toBe(good);
    }
    for (const bad of ['tickets', 'Tickets <tickets>', 'a@example.com, b@example.com', 'Tickets <t@example.com>\r\nBcc: x@example.com']) {
      expect(() => parseEnv({ MAIL_FROM: bad }), bad).toThrow(/MAIL_FROM: must be an address/);
    }
    expect(() => parseEnv({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_OUTBOX: 'true' })).toThrow(
      /MAIL_OUTBOX: cannot be true when SMTP_URL is set/,
    );
  });

  it('treats an empty variable as unset', () => {
    const parsed = parseEnv({ DATABASE_URL: '', PORT: '' });
    expect(parsed.DATABASE_URL).toBeUndefined();
    expect(parsed.PORT).toBe(3000);
  });
});
