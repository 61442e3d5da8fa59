import { z } from 'zod';
import { bigId } from '../ids';
import { requireActiveToken } from '../queue/service';
import { queueTokenOf, router, sessionProcedure } from '../trpc/init';
import { findPayment, pay } from './service';

export const paymentRouter = router({
  /**
   * Pays a hold. Needs the active token like every booking step, except that replaying a payment
   * that already went through (a retry after a lost response, when the payment has ended the turn)
   * returns the first payment and moves no money.
   */
  pay: sessionProcedure.input(z.object({ reservationId: bigId })).mutation(async ({ ctx, input }) => {
    const replay = await findPayment(ctx.db, ctx.userId, input.reservationId);
    if (replay) return replay;
    await requireActiveToken(ctx.db, ctx.config, ctx.userId, queueTokenOf(ctx));
    return pay(ctx.db, ctx.config, ctx.userId, input.reservationId);
  }),
});
