import { z } from 'zod';
import { bigId, intId } from '@/server/ids';
import { concertOfReservation, concertOfSeat } from '@/server/sale/scope';
import { activeTokenForConcertProcedure, activeTokenProcedure } from '@/server/queue/procedures';
import { router } from '@/server/trpc/init';
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
