import { z } from 'zod';
import type { Context } from '@/server/trpc/context';
import { operatorProcedure, operatorWithRole, publicProcedure, router } from '@/server/trpc/init';
import { rateLimited } from '@/server/trpc/middleware/rate-limited';
import { DomainError } from '@/server/errors';
import { MAX_NAME_LENGTH } from '@/server/session/service';
import { MAX_PASSWORD_LENGTH } from '@/server/shared/limits';
import { createConcert, createConcertInput } from './concert';
import { acceptInvitation, inviteOperator, viewInvitation } from './invitations';
import { OPERATOR_COOKIE, OPERATOR_SESSION_SECONDS } from './operator';
import { revokeOperatorSession } from './operator-sessions';
import { endSessionsOf, listOperators, removeOperator, setOperatorRole } from './operators';
import { OPERATOR_ROLES, BUILT_IN_OWNER } from './roles';
import { closeSale, pauseSale, resumeSale, updateSale } from './sale-controls';
import { saleRef, updateSaleInput } from './sale-input';
import { saleHistory, saleStats } from './sale-stats';
import { listSales } from './sale-view';
import { signInOperator, type SignedInOperator } from './sign-in';

/** The operator password and account passwords: the longest either may be. */
const MAX_SIGN_IN_PASSWORD_LENGTH = 200;

const email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
const role = z.enum(OPERATOR_ROLES);
const operatorRef = z.object({ operatorId: z.union([z.uuid(), z.literal(BUILT_IN_OWNER.id)]) });
/** Invitation tokens are 32 random bytes in base64url. */
const invitationToken = z.string().regex(/^[\w-]{16,100}$/);

/** Sets the session's cookie and answers who signed in. */
function signedIn(ctx: Context, { cookie, expiresAt, operator }: SignedInOperator) {
  ctx.setCookie(OPERATOR_COOKIE, cookie, OPERATOR_SESSION_SECONDS);
  return { expiresAt: expiresAt.toISOString(), operator };
}

/** A sign-in refused for too many attempts carries its wait as Retry-After too. */
async function withRetryAfter<T>(ctx: Context, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const seconds = error instanceof DomainError ? error.details.retryAfterSeconds : undefined;
    if (typeof seconds === 'number') ctx.appendHeader('retry-after', String(seconds));
    throw error;
  }
}

/**
 * The operator's console: sign-in, concerts and their sales, and (owners) the operators. Every
 * procedure but login, logout and the invitation's own needs a live operator session; each needs a role.
 */
export const adminRouter = router({
  login: publicProcedure
    .use(rateLimited('admin.login'))
    .input(z.object({ email: email.optional(), password: z.string().min(1).max(MAX_SIGN_IN_PASSWORD_LENGTH) }))
    .mutation(async ({ ctx, input }) =>
      signedIn(ctx, await withRetryAfter(ctx, () => signInOperator({ db: ctx.db, config: ctx.config, address: ctx.clientIp }, input))),
    ),
  logout: publicProcedure.mutation(async ({ ctx }) => {
    await revokeOperatorSession(ctx.db, ctx.config, ctx.cookies.get(OPERATOR_COOKIE));
    ctx.setCookie(OPERATOR_COOKIE, '', 0);
    return { ok: true as const };
  }),
  /** Who is signed in, any role. */
  me: operatorProcedure.query(({ ctx }) => ctx.operator),
  concert: router({
    create: operatorWithRole('manager')
      .input(createConcertInput)
      .mutation(({ ctx, input }) => createConcert(ctx.db, ctx.config, input)),
  }),
  sale: router({
    list: operatorWithRole('manager').query(({ ctx }) => listSales(ctx.db)),
    stats: operatorWithRole('manager')
      .input(saleRef)
      .query(({ ctx, input }) => saleStats(ctx.db, ctx.config, input)),
    history: operatorWithRole('manager')
      .input(saleRef)
      .query(({ ctx, input }) => saleHistory(ctx.db, input)),
    update: operatorWithRole('manager')
      .input(updateSaleInput)
      .mutation(({ ctx, input }) => updateSale(ctx.db, input)),
    pause: operatorWithRole('manager')
      .input(saleRef)
      .mutation(({ ctx, input }) => pauseSale(ctx.db, input)),
    resume: operatorWithRole('manager')
      .input(saleRef)
      .mutation(({ ctx, input }) => resumeSale(ctx.db, input)),
    close: operatorWithRole('manager')
      .input(saleRef)
      .mutation(({ ctx, input }) => closeSale(ctx.db, input)),
  }),
  operator: router({
    list: operatorWithRole('owner').query(({ ctx }) => listOperators(ctx.db)),
    invite: operatorWithRole('owner')
      .input(z.object({ email, role }))
      .mutation(({ ctx, input }) => inviteOperator(ctx.db, ctx.config, input)),
    setRole: operatorWithRole('owner')
      .input(operatorRef.extend({ role }))
      .mutation(async ({ ctx, input }) => {
        await setOperatorRole(ctx.db, input);
        return null;
      }),
    remove: operatorWithRole('owner')
      .input(operatorRef)
      .mutation(async ({ ctx, input }) => {
        await removeOperator(ctx.db, input);
        return null;
      }),
    endSessions: operatorWithRole('owner')
      .input(operatorRef)
      .mutation(({ ctx, input }) => endSessionsOf(ctx.db, input)),
  }),
  /** The invitee's side: what the link invites to, and accepting it (which signs the new operator in). */
  invitation: router({
    view: publicProcedure
      .use(rateLimited('admin.invitation.view'))
      .input(z.object({ token: invitationToken }))
      .query(({ ctx, input }) => viewInvitation(ctx.db, input)),
    accept: publicProcedure
      .use(rateLimited('admin.invitation.accept'))
      .input(
        z.object({
          token: invitationToken,
          name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(),
          password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
        }),
      )
      .mutation(async ({ ctx, input }) => signedIn(ctx, await acceptInvitation(ctx.db, ctx.config, input))),
  }),
});
