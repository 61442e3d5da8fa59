import { z } from 'zod';
import { DomainError } from '@/server/errors';
import { publicProcedure, router, sessionProcedure } from '@/server/trpc/init';
import { rateLimited } from '@/server/trpc/middleware/rate-limited';
import type { Context } from '@/server/trpc/context';
import { SESSION_COOKIE } from '@/server/session/service';
import { verifySession } from '@/server/session/signing';
import { MAX_NAME_LENGTH } from '@/server/session/service';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@/server/shared/limits';
import * as passkeys from './passkeys';
import * as accounts from './service';

/**
 * Accounts (server/account/service.ts): sign up, sign in and out, the devices signed in, email
 * verification and password reset. Signing up or in moves this browser's guest into the account and
 * ends the guest cookie: from then on the account's session is who the browser is.
 */

const email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
const password = z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH);
/** Links carry the library's tokens: letters and digits (and a few URL-safe signs). */
const linkToken = z.string().regex(/^[\w.-]{8,200}$/);
/** What the browser's authenticator answered, passed to the library untouched (it checks every field). */
const webAuthnAnswer = z.record(z.string(), z.unknown());

/** WebAuthn options for the browser; the challenge's cookie goes back with them. */
function withCookies<T>(ctx: Context, answer: accounts.Answer<T>): T {
  sendCookies(ctx, answer.setCookies);
  return answer.value;
}

const callOf = (ctx: Context): accounts.AccountCall => ({ db: ctx.db, config: ctx.config, cookie: ctx.headers.get('cookie') ?? '' });

function sendCookies(ctx: Context, setCookies: string[]) {
  for (const cookie of setCookies) ctx.appendHeader('set-cookie', cookie);
}

/** The guest this browser is (its `sid`), whose things move into the account it signs in to. */
const guestOf = (ctx: Context) => verifySession(ctx.config.SESSION_SECRET, ctx.cookies.get(SESSION_COOKIE));

function entered(ctx: Context, answer: accounts.Answer<accounts.SignedIn>) {
  sendCookies(ctx, answer.setCookies);
  ctx.setCookie(SESSION_COOKIE, '', 0);
  return answer.value;
}

/** A signed-in account (not a guest). */
const accountProcedure = sessionProcedure.use(({ ctx, next }) => {
  if (!ctx.account) throw new DomainError('ACCOUNT_REQUIRED', 'Sign in first.');
  return next({ ctx: { account: ctx.account } });
});

export const accountRouter = router({
  signUp: publicProcedure
    .use(rateLimited('account.signUp'))
    .input(z.object({ name: z.string().trim().min(1).max(MAX_NAME_LENGTH), email, password }))
    .mutation(async ({ ctx, input }) => entered(ctx, await accounts.signUp(callOf(ctx), { ...input, guestId: guestOf(ctx) }))),
  signIn: publicProcedure
    .use(rateLimited('account.signIn'))
    .input(z.object({ email, password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }))
    .mutation(async ({ ctx, input }) => entered(ctx, await accounts.signIn(callOf(ctx), { ...input, guestId: guestOf(ctx) }))),
  passkeySignUpOptions: publicProcedure
    .use(rateLimited('account.passkeySignUpOptions'))
    .input(z.object({ name: z.string().trim().min(1).max(MAX_NAME_LENGTH), email }))
    .mutation(async ({ ctx, input }) => withCookies(ctx, await passkeys.signUpOptions(callOf(ctx), input))),
  passkeySignUp: publicProcedure
    .use(rateLimited('account.passkeySignUp'))
    .input(z.object({ response: webAuthnAnswer }))
    .mutation(async ({ ctx, input }) =>
      entered(ctx, await passkeys.signUp(callOf(ctx), { guestId: guestOf(ctx), response: input.response })),
    ),
  passkeySignInOptions: publicProcedure
    .use(rateLimited('account.passkeySignInOptions'))
    .mutation(async ({ ctx }) => withCookies(ctx, await passkeys.signInOptions(callOf(ctx)))),
  passkeySignIn: publicProcedure
    .use(rateLimited('account.passkeySignIn'))
    .input(z.object({ response: webAuthnAnswer }))
    .mutation(async ({ ctx, input }) =>
      entered(ctx, await passkeys.signIn(callOf(ctx), { guestId: guestOf(ctx), response: input.response })),
    ),
  passkeys: accountProcedure.query(({ ctx }) => passkeys.list(callOf(ctx))),
  passkeyAddOptions: accountProcedure.mutation(async ({ ctx }) => withCookies(ctx, await passkeys.addOptions(callOf(ctx)))),
  passkeyAdd: accountProcedure
    .input(z.object({ response: webAuthnAnswer, name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional() }))
    .mutation(async ({ ctx, input }) => {
      await passkeys.add(callOf(ctx), input);
      return null;
    }),
  passkeyRemove: accountProcedure.input(z.object({ passkeyId: z.uuid() })).mutation(async ({ ctx, input }) => {
    await passkeys.remove(callOf(ctx), input);
    return null;
  }),
  signOut: accountProcedure.mutation(async ({ ctx }) => {
    sendCookies(ctx, (await accounts.signOut(callOf(ctx))).setCookies);
    return null;
  }),
  devices: accountProcedure.query(({ ctx }) => accounts.devices(callOf(ctx), { currentSessionId: ctx.account.sessionId })),
  signOutDevice: accountProcedure
    .input(z.object({ sessionId: z.union([z.uuid(), z.literal('others')]) }))
    .mutation(async ({ ctx, input }) => {
      if (input.sessionId === ctx.account.sessionId) throw new DomainError('INVALID_INPUT', 'To sign this device out, use sign out.');
      await accounts.signOutDevice(callOf(ctx), input);
      return null;
    }),
  requestPasswordReset: publicProcedure
    .use(rateLimited('account.requestPasswordReset'))
    .input(z.object({ email }))
    .mutation(async ({ ctx, input }) => {
      await accounts.requestPasswordReset(callOf(ctx), input);
      return null;
    }),
  resetPassword: publicProcedure
    .use(rateLimited('account.resetPassword'))
    .input(z.object({ token: linkToken, password }))
    .mutation(async ({ ctx, input }) => {
      await accounts.resetPassword(callOf(ctx), input);
      return null;
    }),
  verifyEmail: publicProcedure
    .use(rateLimited('account.verifyEmail'))
    .input(z.object({ token: z.string().min(8).max(4096) }))
    .mutation(async ({ ctx, input }) => {
      sendCookies(ctx, (await accounts.verifyEmail(callOf(ctx), input)).setCookies);
      return null;
    }),
  resendVerification: accountProcedure.use(rateLimited('account.resendVerification')).mutation(async ({ ctx }) => {
    await accounts.resendVerification(callOf(ctx), { email: ctx.account.email });
    return null;
  }),
  /** With the password; without one (an account with passkeys only), the session must be less than a day old. */
  delete: accountProcedure
    .input(z.object({ password: z.string().min(1).max(MAX_PASSWORD_LENGTH).optional() }))
    .mutation(async ({ ctx, input }) => {
      sendCookies(ctx, (await accounts.deleteAccount(callOf(ctx), { userId: ctx.userId, password: input.password })).setCookies);
      return null;
    }),
});
