import os from 'node:os';
import { z } from 'zod';
import { HEARTBEAT_SECONDS, LONGEST_POLL_INTERVAL_SECONDS, MIN_ABANDON_SECONDS } from './shared/timing';

/**
 * Configuration, read from the environment and validated once. A bad value stops start-up with a
 * message naming the variable. Everything else imports `env` (or receives a `Config`) from here.
 */
const DEV_SESSION_SECRET = 'dev-only-session-secret-change-me-0123456789';
/** The operator console's password outside production when OPERATOR_PASSWORD is unset (printed at start). */
export const DEV_OPERATOR_PASSWORD = 'operator-dev-password';
export const MIN_OPERATOR_PASSWORD_LENGTH = 12;
/** More workers than this is a typo, not a machine (each holds its own pool of DATABASE_POOL_MAX connections). */
export const MAX_WEB_CONCURRENCY = 64;
/** Who mail comes from outside production when MAIL_FROM is unset. */
export const DEV_MAIL_FROM = 'Concert Tickets <tickets@localhost>';

/** `tickets@example.com` or `Concert Tickets <tickets@example.com>`: one address, no line breaks (a header cannot be smuggled in). */
const MAIL_ADDRESS = /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

const intFrom = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** `transaction` (PgBouncer/Supavisor transaction mode) turns off prepared statements. */
    DATABASE_POOLER: z.enum(['none', 'session', 'transaction']).default('none'),
    DATABASE_POOL_MAX: intFrom(1, 10),
    PORT: intFrom(1, 3000).pipe(z.number().max(65535)),
    /** `npm start`'s worker processes (one per core by default); each has its own pool of DATABASE_POOL_MAX connections. */
    WEB_CONCURRENCY: intFrom(1, os.availableParallelism()).pipe(z.number().max(MAX_WEB_CONCURRENCY)),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * The site's origin as fans' browsers see it (scheme, host, port): links in account mail and
     * passkeys are bound to it. Defaults to the Vercel deployment's URL there, else http://localhost:PORT.
     */
    APP_ORIGIN: z
      .url({ protocol: /^https?$/ })
      .refine((v) => new URL(v).origin === v.replace(/\/$/, ''), 'must be an origin: scheme, host and port only (no path)')
      .transform((v) => new URL(v).origin)
      .optional(),
    VERCEL_URL: z.string().optional(),
    /** Signs operators in at /admin. */
    OPERATOR_PASSWORD: z
      .string()
      .min(MIN_OPERATOR_PASSWORD_LENGTH, `must be at least ${MIN_OPERATOR_PASSWORD_LENGTH} characters`)
      .max(200)
      .optional(),
    QUEUE_MAX_ACTIVE: intFrom(1, 100),
    QUEUE_ACTIVE_TTL_SECONDS: intFrom(1, 600),
    /** A waiting token not polled for this long gives up its place in line (never while its page still polls). */
    QUEUE_ABANDON_SECONDS: z.coerce
      .number()
      .int()
      .min(
        MIN_ABANDON_SECONDS,
        `must be at least ${MIN_ABANDON_SECONDS}: the ${HEARTBEAT_SECONDS} s heartbeat plus the waiting room's longest poll interval ` +
          `(${LONGEST_POLL_INTERVAL_SECONDS} s), or fans who are still polling lose their place`,
      )
      .default(180),
    HOLD_TTL_SECONDS: intFrom(1, 300),
    HOLD_MAX_PER_USER: intFrom(1, 4),
    /** Seats one user may hold and buy for one concert (all its dates together). */
    PURCHASE_MAX_PER_USER: intFrom(1, 4),
    /** A paid order can be cancelled (and refunded) until this many hours before its show. */
    REFUND_DEADLINE_HOURS: intFrom(0, 24),
    /** A ticket can be passed to another account until this many hours before its show (docs/tickets-and-door.md). */
    TRANSFER_CUTOFF_HOURS: intFrom(0, 2),
    /** An offer to an email with no account yet waits this many hours (never past the cut-off). */
    TRANSFER_OFFER_HOURS: intFrom(1, 48),
    /** Calls a minute per client address to session.start, to queue.issue and to admin.login; 0 turns the limit off. */
    RATE_LIMIT_PER_MINUTE: intFrom(0, 60),
    /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS): where mail is sent. Required in production. */
    SMTP_URL: z.url({ protocol: /^smtps?$/, hostname: /.+/, error: 'must be an smtp:// or smtps:// URL with a host' }).optional(),
    /** The From of every message: an address, optionally with a display name. Required in production. */
    MAIL_FROM: z
      .string()
      .trim()
      .regex(MAIL_ADDRESS, 'must be an address, optionally with a display name: "Concert Tickets <tickets@example.com>"')
      .optional(),
    /**
     * Write mail to the development outbox (server/mail/outbox-file.ts) instead of sending it, in
     * production too. A local `npm start` on the embedded database sets it when SMTP_URL is unset.
     */
    MAIL_OUTBOX: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /**
     * Operator sign-ins a minute per address and per account (server/admin/sign-in-limits.ts); past
     * it, a block that doubles with each one in a row.
     */
    OPERATOR_SIGN_IN_PER_MINUTE: intFrom(1, 5),
    /**
     * `on`: joining a line (`queue.issue`) needs a solved proof-of-work challenge (`queue.challenge`,
     * docs/line-cost.md); `off`: it does not, as before. On by default, except under NODE_ENV=test.
     */
    JOIN_CHALLENGE: z.enum(['on', 'off']).optional(),
    /** Behind a proxy that sets X-Forwarded-For (Vercel, a load balancer): read the client from it. */
    TRUST_PROXY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .transform((raw, ctx) => {
    const production = raw.NODE_ENV === 'production';
    if (production && !raw.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required in production' });
    }
    if (production && !raw.OPERATOR_PASSWORD) {
      ctx.addIssue({ code: 'custom', path: ['OPERATOR_PASSWORD'], message: 'is required in production' });
    }
    const mailUnset = !raw.SMTP_URL && !raw.MAIL_OUTBOX;
    if (production && mailUnset) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_URL'],
        message: 'is required in production (where mail is sent: smtp://user:pass@host:587)',
      });
    }
    if (production && !raw.MAIL_FROM) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_FROM'],
        message: 'is required in production (e.g. "Concert Tickets <tickets@example.com>")',
      });
    }
    if (raw.SMTP_URL && raw.MAIL_OUTBOX) {
      ctx.addIssue({ code: 'custom', path: ['MAIL_OUTBOX'], message: 'cannot be true when SMTP_URL is set: mail goes one way' });
    }
    if (production && (!raw.SESSION_SECRET || !raw.OPERATOR_PASSWORD || mailUnset || !raw.MAIL_FROM)) return z.NEVER;
    if (raw.SMTP_URL && raw.MAIL_OUTBOX) return z.NEVER;
    const { VERCEL_URL, ...settings } = raw;
    return {
      ...settings,
      APP_ORIGIN: raw.APP_ORIGIN ?? (VERCEL_URL ? `https://${VERCEL_URL}` : `http://localhost:${raw.PORT}`),
      SESSION_SECRET: raw.SESSION_SECRET ?? DEV_SESSION_SECRET,
      JOIN_CHALLENGE: raw.JOIN_CHALLENGE ?? (raw.NODE_ENV === 'test' ? 'off' : 'on'),
      OPERATOR_PASSWORD: raw.OPERATOR_PASSWORD ?? DEV_OPERATOR_PASSWORD,
      MAIL_FROM: raw.MAIL_FROM ?? DEV_MAIL_FROM,
    };
  });

export type Env = z.output<typeof schema>;

/** What the domain services need to know; a subset so tests can pass their own. */
export type Config = Pick<
  Env,
  | 'QUEUE_MAX_ACTIVE'
  | 'QUEUE_ACTIVE_TTL_SECONDS'
  | 'QUEUE_ABANDON_SECONDS'
  | 'HOLD_TTL_SECONDS'
  | 'HOLD_MAX_PER_USER'
  | 'PURCHASE_MAX_PER_USER'
  | 'REFUND_DEADLINE_HOURS'
  | 'TRANSFER_CUTOFF_HOURS'
  | 'TRANSFER_OFFER_HOURS'
  | 'RATE_LIMIT_PER_MINUTE'
  | 'OPERATOR_SIGN_IN_PER_MINUTE'
  | 'SESSION_SECRET'
  | 'OPERATOR_PASSWORD'
  | 'NODE_ENV'
  | 'APP_ORIGIN'
  | 'SMTP_URL'
  | 'MAIL_FROM'
  | 'MAIL_OUTBOX'
  | 'JOIN_CHALLENGE'
>;

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty variable means "not set", as in most deployment dashboards.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The process's configuration, parsed on first use and then kept. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
