import { z } from 'zod';
import { attributionOf } from '@/server/audit/actor';
import { auditListInput, listAudit, listAuditActors } from '@/server/audit/list';
import { recordAudit } from '@/server/audit/record';
import type { Context } from '@/server/trpc/context';
import { operatorProcedure, operatorWithRole, publicProcedure, router } from '@/server/trpc/init';
import { rateLimited } from '@/server/trpc/middleware/rate-limited';
import { DomainError } from '@/server/errors';
import { MAX_NAME_LENGTH } from '@/server/session/service';
import { MAX_PASSWORD_LENGTH } from '@/server/shared/limits';
import { createConcert, createConcertInput } from './concert';
import { acceptInvitation, inviteOperator, viewInvitation } from './invitations';
import { OPERATOR_COOKIE, OPERATOR_SESSION_SECONDS } from './operator';
import { operatorOfCookie, revokeOperatorSession } from './operator-sessions';
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

/** Records the sign-in, sets the session's cookie and answers who signed in. */
async function signedIn(
  ctx: Context,
  { cookie, expiresAt, operator }: SignedInOperator,
  action: 'admin.login' | 'admin.invitation.accept',
) {
  // The entry first: a sign-in that could not be recorded sets no cookie.
  await recordAudit(ctx.db, { actor: operator, requestId: ctx.requestId }, { action, target: 'console' });
  ctx.setCookie(OPERATOR_COOKIE, cookie, OPERATOR_SESSION_SECONDS);
  return { expiresAt: expiresAt.toISOString(), operator };
}

/** An operator-management change, on record after it succeeded: who did it, to whom, the role before and after. */
async function recordOperatorChange(
  ctx: Context & { operator: { id: string; name: string; role: string } },
  entry: {
    action: 'admin.operator.invite' | 'admin.operator.setRole' | 'admin.operator.remove' | 'admin.operator.endSessions';
    target: string;
    after?: Record<string, unknown>;
  },
) {
  await recordAudit(ctx.db, attributionOf(ctx), entry);
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
      signedIn(
        ctx,
        await withRetryAfter(ctx, () => signInOperator({ db: ctx.db, config: ctx.config, address: ctx.clientIp }, input)),
        'admin.login',
      ),
    ),
  /** Anyone may sign out; only an operator who was signed in is recorded (a stranger's call writes nothing). */
  logout: publicProcedure.mutation(async ({ ctx }) => {
    const operator = await operatorOfCookie(ctx.db, ctx.config, ctx.cookies.get(OPERATOR_COOKIE));
    if (operator) await recordAudit(ctx.db, { actor: operator, requestId: ctx.requestId }, { action: 'admin.logout', target: 'console' });
    await revokeOperatorSession(ctx.db, ctx.config, ctx.cookies.get(OPERATOR_COOKIE));
    ctx.setCookie(OPERATOR_COOKIE, '', 0);
    return { ok: true as const };
  }),
  /** Who is signed in, any role. */
  me: operatorProcedure.query(({ ctx }) => ctx.operator),
  concert: router({
    create: operatorWithRole('manager')
      .input(createConcertInput)
      .mutation(({ ctx, input }) => createConcert(ctx.db, ctx.config, input, attributionOf(ctx))),
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
      .mutation(({ ctx, input }) => updateSale(ctx.db, input, attributionOf(ctx))),
    pause: operatorWithRole('manager')
      .input(saleRef)
      .mutation(({ ctx, input }) => pauseSale(ctx.db, input, attributionOf(ctx))),
    resume: operatorWithRole('manager')
      .input(saleRef)
      .mutation(({ ctx, input }) => resumeSale(ctx.db, input, attributionOf(ctx))),
    close: operatorWithRole('manager')
      .input(saleRef)
      .mutation(({ ctx, input }) => closeSale(ctx.db, input, attributionOf(ctx))),
  }),
  audit: router({
    /** The audit log, newest first, filtered by concert, actor and action, a page at a time: a sale's for managers, all of it for owners. */
    list: operatorWithRole('manager')
      .input(auditListInput)
      .query(({ ctx, input }) => {
        if (input?.concertId === undefined && ctx.operator.role !== 'owner') {
          throw new DomainError('OPERATOR_ROLE_REQUIRED', 'The whole audit log is for owners; a sale’s entries are on its page.', {
            role: 'owner',
          });
        }
        return listAudit(ctx.db, input);
      }),
    /** Everyone with an entry, for the console's filter. */
    actors: operatorWithRole('owner').query(({ ctx }) => listAuditActors(ctx.db)),
  }),
  operator: router({
    list: operatorWithRole('owner').query(({ ctx }) => listOperators(ctx.db)),
    invite: operatorWithRole('owner')
      .input(z.object({ email, role }))
      .mutation(async ({ ctx, input }) => {
        const invitation = await inviteOperator(ctx.db, ctx.config, input);
        await recordOperatorChange(ctx, { action: 'admin.operator.invite', target: input.email, after: { role: input.role } });
        return invitation;
      }),
    setRole: operatorWithRole('owner')
      .input(operatorRef.extend({ role }))
      .mutation(async ({ ctx, input }) => {
        await setOperatorRole(ctx.db, input);
        await recordOperatorChange(ctx, { action: 'admin.operator.setRole', target: input.operatorId, after: { role: input.role } });
        return null;
      }),
    remove: operatorWithRole('owner')
      .input(operatorRef)
      .mutation(async ({ ctx, input }) => {
        await removeOperator(ctx.db, input);
        await recordOperatorChange(ctx, { action: 'admin.operator.remove', target: input.operatorId });
        return null;
      }),
    endSessions: operatorWithRole('owner')
      .input(operatorRef)
      .mutation(async ({ ctx, input }) => {
        const ended = await endSessionsOf(ctx.db, input);
        await recordOperatorChange(ctx, { action: 'admin.operator.endSessions', target: input.operatorId, after: ended });
        return ended;
      }),
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
      .mutation(async ({ ctx, input }) => signedIn(ctx, await acceptInvitation(ctx.db, ctx.config, input), 'admin.invitation.accept')),
  }),
});
