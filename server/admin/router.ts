import { z } from 'zod';
import { attributionOf } from '@/server/audit/actor';
import { auditListInput, listAudit, listAuditActors } from '@/server/audit/list';
import { recordAudit } from '@/server/audit/record';
import { DomainError } from '@/server/errors';
import { operatorProcedure, publicProcedure, router } from '@/server/trpc/init';
import { rateLimited } from '@/server/trpc/middleware/rate-limited';
import { createConcert, createConcertInput } from './concert';
import { closeSale, pauseSale, resumeSale, updateSale } from './sale-controls';
import { saleRef, updateSaleInput } from './sale-input';
import { saleHistory, saleStats } from './sale-stats';
import { listSales } from './sale-view';
import { BUILT_IN_OPERATOR, OPERATOR_COOKIE, OPERATOR_SESSION_SECONDS, operatorOf, passwordMatches, signOperator } from './operator';

const MAX_PASSWORD_LENGTH = 200;

/**
 * The operator's console: sign-in, concerts and their sales, the audit log. Every procedure but
 * login/logout needs the operator cookie. Every mutation appends an audit entry (server/audit/).
 */
export const adminRouter = router({
  login: publicProcedure
    .use(rateLimited('admin.login'))
    .input(z.object({ password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }))
    .mutation(async ({ ctx, input }) => {
      if (!passwordMatches(ctx.config, input.password)) {
        throw new DomainError('OPERATOR_LOGIN_FAILED', 'That is not the operator password.');
      }
      const { value, expiresAt } = signOperator(ctx.config);
      // The entry first: a sign-in that could not be recorded sets no cookie.
      await recordAudit(ctx.db, { actor: BUILT_IN_OPERATOR, requestId: ctx.requestId }, { action: 'admin.login', target: 'console' });
      ctx.setCookie(OPERATOR_COOKIE, value, OPERATOR_SESSION_SECONDS);
      return { expiresAt: expiresAt.toISOString() };
    }),
  /** Anyone may sign out; only an operator who was signed in is recorded (a stranger's call writes nothing). */
  logout: publicProcedure.mutation(async ({ ctx }) => {
    const operator = await operatorOf(ctx);
    if (operator) await recordAudit(ctx.db, { actor: operator, requestId: ctx.requestId }, { action: 'admin.logout', target: 'console' });
    ctx.setCookie(OPERATOR_COOKIE, '', 0);
    return { ok: true as const };
  }),
  concert: router({
    create: operatorProcedure
      .input(createConcertInput)
      .mutation(({ ctx, input }) => createConcert(ctx.db, ctx.config, input, attributionOf(ctx))),
  }),
  sale: router({
    list: operatorProcedure.query(({ ctx }) => listSales(ctx.db)),
    stats: operatorProcedure.input(saleRef).query(({ ctx, input }) => saleStats(ctx.db, ctx.config, input)),
    history: operatorProcedure.input(saleRef).query(({ ctx, input }) => saleHistory(ctx.db, input)),
    update: operatorProcedure.input(updateSaleInput).mutation(({ ctx, input }) => updateSale(ctx.db, input, attributionOf(ctx))),
    pause: operatorProcedure.input(saleRef).mutation(({ ctx, input }) => pauseSale(ctx.db, input, attributionOf(ctx))),
    resume: operatorProcedure.input(saleRef).mutation(({ ctx, input }) => resumeSale(ctx.db, input, attributionOf(ctx))),
    close: operatorProcedure.input(saleRef).mutation(({ ctx, input }) => closeSale(ctx.db, input, attributionOf(ctx))),
  }),
  audit: router({
    /** The audit log, newest first, filtered by concert, actor and action, a page at a time. */
    list: operatorProcedure.input(auditListInput).query(({ ctx, input }) => listAudit(ctx.db, input)),
    /** Everyone with an entry, for the console's filter. */
    actors: operatorProcedure.query(({ ctx }) => listAuditActors(ctx.db)),
  }),
});
