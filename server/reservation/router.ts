import { z } from 'zod';
import { bigId, intId } from '../ids';
import { activeTokenProcedure, router } from '../trpc/init';
import { cancelHold, holdSeat, listReservations } from './service';

export const reservationRouter = router({
  hold: activeTokenProcedure
    .input(z.object({ seatId: intId }))
    .mutation(({ ctx, input }) => holdSeat(ctx.db, ctx.config, { userId: ctx.userId, token: ctx.token, seatId: input.seatId })),
  list: activeTokenProcedure.query(({ ctx }) => listReservations(ctx.db, { userId: ctx.userId })),
  cancel: activeTokenProcedure
    .input(z.object({ reservationId: bigId }))
    .mutation(({ ctx, input }) => cancelHold(ctx.db, ctx.config, { userId: ctx.userId, reservationId: input.reservationId })),
});
