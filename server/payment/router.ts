import { z } from 'zod';
import { bigId } from '@/server/ids';
import { idempotencyKeySchema, idempotencyOf } from '@/server/idempotency/service';
import type { Context } from '@/server/trpc/context';
import { idempotencyKeyOf } from '@/server/idempotency/request-key';
import { activeTokenOrReplayLookupProcedure } from '@/server/queue/procedures';
import { router } from '@/server/trpc/init';
import { pay, paymentLookup } from './service';

const payInput = z.object({ reservationId: bigId, idempotencyKey: idempotencyKeySchema.optional() });

const idempotencyOfPay = (ctx: Context, input: z.output<typeof payInput>) =>
  idempotencyOf('payment.pay', idempotencyKeyOf(ctx, input.idempotencyKey), input);

export const paymentRouter = router({
  /** Pays a hold with the active turn; repeating a payment that went through returns it with the session only. */
  pay: activeTokenOrReplayLookupProcedure(payInput, (ctx, input) =>
    paymentLookup(ctx.db, { userId: ctx.userId, reservationId: input.reservationId, idempotency: idempotencyOfPay(ctx, input) }),
  ).mutation(
    async ({ ctx, input }) =>
      ctx.replay ??
      (await pay(ctx.db, ctx.config, {
        userId: ctx.userId,
        reservationId: input.reservationId,
        idempotency: idempotencyOfPay(ctx, input),
        requestId: ctx.requestId,
      })),
  ),
});
