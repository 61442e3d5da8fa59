import { z } from 'zod';
import { bigId } from '../ids';
import { idempotencyKeySchema, idempotencyOf } from '../idempotency/service';
import { idempotencyKeyOf, queueTokenOf, router, sessionProcedure } from '../trpc/init';
import { payWithTurn } from './service';

export const paymentRouter = router({
  /** Pays a hold; needs the active turn (checked in the service: a replay of a finished payment does not). */
  pay: sessionProcedure
    .input(z.object({ reservationId: bigId, idempotencyKey: idempotencyKeySchema.optional() }))
    .mutation(({ ctx, input }) =>
      payWithTurn(
        ctx.db,
        ctx.config,
        ctx.userId,
        queueTokenOf(ctx),
        input.reservationId,
        idempotencyOf('payment.pay', idempotencyKeyOf(ctx, input.idempotencyKey), input),
      ),
    ),
});
