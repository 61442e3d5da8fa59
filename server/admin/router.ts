import { z } from 'zod';
import { DomainError } from '@/server/errors';
import { operatorProcedure, publicProcedure, router } from '@/server/trpc/init';
import { rateLimited } from '@/server/trpc/middleware/rate-limited';
import { createConcert, createConcertInput } from './concert';
import { closeSale, pauseSale, resumeSale, updateSale } from './sale-controls';
import { saleRef, updateSaleInput } from './sale-input';
import { saleHistory, saleStats } from './sale-stats';
import { listSales } from './sale-view';
import { OPERATOR_COOKIE, OPERATOR_SESSION_SECONDS, passwordMatches, signOperator } from './operator';

const MAX_PASSWORD_LENGTH = 200;

/** The operator's console: sign-in, concerts and their sales. Every procedure but login/logout needs the operator cookie. */
export const adminRouter = router({
  login: publicProcedure
    .use(rateLimited('admin.login'))
    .input(z.object({ password: z.string().min(1).max(MAX_PASSWORD_LENGTH) }))
    .mutation(({ ctx, input }) => {
      if (!passwordMatches(ctx.config, input.password)) {
        throw new DomainError('OPERATOR_LOGIN_FAILED', 'That is not the operator password.');
      }
      const { value, expiresAt } = signOperator(ctx.config);
      ctx.setCookie(OPERATOR_COOKIE, value, OPERATOR_SESSION_SECONDS);
      return { expiresAt: expiresAt.toISOString() };
    }),
  logout: publicProcedure.mutation(({ ctx }) => {
    ctx.setCookie(OPERATOR_COOKIE, '', 0);
    return { ok: true as const };
  }),
  concert: router({
    create: operatorProcedure.input(createConcertInput).mutation(({ ctx, input }) => createConcert(ctx.db, ctx.config, input)),
  }),
  sale: router({
    list: operatorProcedure.query(({ ctx }) => listSales(ctx.db)),
    stats: operatorProcedure.input(saleRef).query(({ ctx, input }) => saleStats(ctx.db, ctx.config, input)),
    history: operatorProcedure.input(saleRef).query(({ ctx, input }) => saleHistory(ctx.db, input)),
    update: operatorProcedure.input(updateSaleInput).mutation(({ ctx, input }) => updateSale(ctx.db, input)),
    pause: operatorProcedure.input(saleRef).mutation(({ ctx, input }) => pauseSale(ctx.db, input)),
    resume: operatorProcedure.input(saleRef).mutation(({ ctx, input }) => resumeSale(ctx.db, input)),
    close: operatorProcedure.input(saleRef).mutation(({ ctx, input }) => closeSale(ctx.db, input)),
  }),
});
