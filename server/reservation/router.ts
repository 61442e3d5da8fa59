import { z } from 'zod';
import { bigId, intId } from '../ids';
import { concertOfReservation, concertOfSeat } from '../sale/scope';
import { activeTokenForConcertProcedure, activeTokenProcedure } from '../queue/procedures';
import { router } from '../trpc/init';
import { cancelHold, holdSeat, listReservations } from './service';

export const reservationRouter = router({
  hold: activeTokenForConcertProcedure(z.object({ seatId: intId }), (ctx, input) => concertOfSeat(ctx.db, input.seatId)).mutation(
    ({ ctx, input }) => holdSeat(ctx.db, ctx.config, { userId: ctx.userId, token: ctx.token, seatId: input.seatId }),
  ),
  list: activeTokenProcedure.query(({ ctx }) => listReservations(ctx.db, { userId: ctx.userId })),
  cancel: activeTokenForConcertProcedure(z.object({ reservationId: bigId }), (ctx, input) =>
    concertOfReservation(ctx.db, { userId: ctx.userId, reservationId: input.reservationId }),
  ).mutation(async ({ ctx, input }) => {
    return cancelHold(ctx.db, ctx.config, { userId: ctx.userId, reservationId: input.reservationId });
  }),
});
