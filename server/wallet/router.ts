import { z } from 'zod';
import { bigId } from '@/server/ids';
import { idempotencyKeySchema, idempotencyOf } from '@/server/idempotency/service';
import { idempotencyKeyOf } from '@/server/idempotency/request-key';
import { accountOrActiveTokenProcedure } from '@/server/queue/procedures';
import { router } from '@/server/trpc/init';
import { charge, getBalance, history, MAX_CHARGE, MIN_CHARGE } from './service';

const MAX_HISTORY_PAGE = 100;

export const walletRouter = router({
  balance: accountOrActiveTokenProcedure.query(async ({ ctx }) => ({ balance: await getBalance(ctx.db, { userId: ctx.userId }) })),
  charge: accountOrActiveTokenProcedure
    .input(
      z.object({
        amount: z.number().int('must be whole won').min(MIN_CHARGE).max(MAX_CHARGE),
        idempotencyKey: idempotencyKeySchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      charge(ctx.db, {
        userId: ctx.userId,
        amount: input.amount,
        idempotency: idempotencyOf('wallet.charge', idempotencyKeyOf(ctx, input.idempotencyKey), input),
      }),
    ),
  history: accountOrActiveTokenProcedure
    .input(z.object({ cursor: bigId.optional(), limit: z.number().int().min(1).max(MAX_HISTORY_PAGE).optional() }).optional())
    .query(({ ctx, input }) => history(ctx.db, { ...input, userId: ctx.userId })),
});
