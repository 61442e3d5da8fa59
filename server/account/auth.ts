import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import type { Db } from '@/db/client';
import { authAccounts, authSessions, authUsers, authVerifications, users, wallets } from '@/db/schema';
import type { Config } from '@/server/env';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@/server/shared/limits';
import { accountMail, type MailSender } from './mail';
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
      schema: { user: authUsers, session: authSessions, account: authAccounts, verification: authVerifications },
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

export type Auth = ReturnType<typeof createAuth>;

const instances = new WeakMap<Db, Auth>();

/** The library's instance for this database (one per process; tests have their own database). */
export function authOf(db: Db, config: AccountConfig, mail: MailSender): Auth {
  let auth = instances.get(db);
  if (!auth) instances.set(db, (auth = createAuth(db, config, mail)));
  return auth;
}
