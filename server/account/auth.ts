import { randomUUID } from 'node:crypto';
import { passkey } from '@better-auth/passkey';
import { betterAuth } from 'better-auth';
import { APIError } from 'better-auth/api';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import type { Db } from '@/db/client';
import { authAccounts, authPasskeys, authSessions, authUsers, authVerifications, users, wallets } from '@/db/schema';
import type { Config } from '@/server/env';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@/server/shared/limits';
import { accountMail, type MailSender } from './mail';
import { readPendingSignUp } from './pending-sign-up';
import { ACCOUNT_COOKIE_PREFIX } from './session-cookies';

/**
 * Accounts are better-auth's: password hashing (scrypt), sessions a device can be signed out of,
 * email verification and password reset. Its HTTP routes are not mounted: the tRPC procedures of
 * server/account/router.ts call `auth.api.*` behind the same request layer as every other call
 * (body caps, admission, rate limits, one error format).
 */

/**
 * How long the signed copy of a session (`account.session_data`) is trusted without reading the
 * database: a signed-out or revoked session is refused by every call at most this long afterwards.
 */
export const SESSION_COPY_SECONDS = 60;
export const ACCOUNT_SESSION_DAYS = 30;
/** Verification links and password-reset links stop working after this long. */
export const EMAIL_LINK_SECONDS = 60 * 60;

export type AccountConfig = Pick<Config, 'SESSION_SECRET' | 'NODE_ENV' | 'APP_ORIGIN'>;

function createAuth(db: Db, config: AccountConfig, mail: MailSender) {
  const sendMail = accountMail(config, mail);
  return betterAuth({
    appName: 'Concert Tickets',
    baseURL: config.APP_ORIGIN,
    basePath: '/api/auth',
    secret: config.SESSION_SECRET,
    telemetry: { enabled: false },
    // Refusals (a wrong password) are answers, not incidents: the library logs only its errors.
    logger: { level: 'error' },
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: { user: authUsers, session: authSessions, account: authAccounts, verification: authVerifications, passkey: authPasskeys },
    }),
    advanced: {
      database: { generateId: 'uuid' },
      cookiePrefix: ACCOUNT_COOKIE_PREFIX,
      useSecureCookies: config.NODE_ENV === 'production',
      // The request layer (server/http) checks Origin and rate limits every call before it reaches here.
      disableCSRFCheck: true,
      disableOriginCheck: true,
    },
    rateLimit: { enabled: false },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      autoSignIn: true,
      resetPasswordTokenExpiresIn: EMAIL_LINK_SECONDS,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: ({ user, token }) => sendMail.resetPassword({ to: user.email, name: user.name, token }),
    },
    emailVerification: {
      sendOnSignUp: true,
      expiresIn: EMAIL_LINK_SECONDS,
      sendVerificationEmail: ({ user, token }) => sendMail.verifyEmail({ to: user.email, name: user.name, token }),
    },
    session: {
      expiresIn: ACCOUNT_SESSION_DAYS * 24 * 60 * 60,
      cookieCache: { enabled: true, maxAge: SESSION_COPY_SECONDS, strategy: 'compact' },
    },
    user: { deleteUser: { enabled: true } },
    plugins: [passkeys(config)],
    databaseHooks: {
      user: {
        create: {
          // An account's id is a new person's `users.id`: its wallet and purchases hang off that row.
          before: async (user) => {
            const [person] = await db.insert(users).values({ name: user.name }).returning({ id: users.id });
            await db.insert(wallets).values({ userId: person!.id });
            return { data: { ...user, id: person!.id } };
          },
        },
      },
    },
  });
}

/**
 * Passkeys (WebAuthn) bound to APP_ORIGIN. A signed-in account adds one to itself; a guest signs up
 * with one: the registration's `context` is a pending sign-up (server/account/pending-sign-up.ts),
 * and the account is created only once the passkey is verified.
 */
function passkeys(config: AccountConfig) {
  const pendingOf = (context: string | null | undefined) => {
    const pending = readPendingSignUp(config.SESSION_SECRET, context);
    if (!pending) throw APIError.from('BAD_REQUEST', { code: 'INVALID_TOKEN', message: 'This sign-up has run out. Start again.' });
    return pending;
  };
  return passkey({
    rpID: new URL(config.APP_ORIGIN).hostname,
    rpName: 'Concert Tickets',
    origin: config.APP_ORIGIN,
    registration: {
      requireSession: false,
      resolveUser: ({ context }) => {
        const pending = pendingOf(context);
        return { id: randomUUID(), name: pending.email, displayName: pending.name };
      },
      afterVerification: async ({ ctx, context }) => {
        if (!context) return; // a signed-in account adding a passkey to itself
        const pending = pendingOf(context);
        if (await ctx.context.internalAdapter.findUserByEmail(pending.email)) {
          throw APIError.from('BAD_REQUEST', { code: 'USER_ALREADY_EXISTS', message: 'This email already has an account.' });
        }
        const user = await ctx.context.internalAdapter.createUser(
          { email: pending.email, name: pending.name, emailVerified: false },
          { method: 'passkey' },
        );
        return { userId: user.id };
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const instances = new WeakMap<Db, Auth>();

/** The library's instance for this database (one per process; tests have their own database). */
export function authOf(db: Db, config: AccountConfig, mail: () => MailSender): Auth {
  let auth = instances.get(db);
  if (!auth) instances.set(db, (auth = createAuth(db, config, mail())));
  return auth;
}
