import { z } from 'zod';
import { intId } from '../ids';
import { activeTokenProcedure, router, sessionProcedure } from '../trpc/init';
import { bestAvailableProcedure } from '../order/contract';
import { listConcerts, listDates, listSeats } from './service';

export const concertRouter = router({
  list: sessionProcedure.query(({ ctx }) => listConcerts(ctx.db)),
  dates: activeTokenProcedure
    .input(z.object({ concertId: intId }))
    .query(({ ctx, input }) => listDates(ctx.db, { concertId: input.concertId })),
  seats: activeTokenProcedure
    .input(z.object({ scheduleId: intId }))
    .query(({ ctx, input }) => listSeats(ctx.db, { scheduleId: input.scheduleId, userId: ctx.userId })),
  bestAvailable: bestAvailableProcedure,
});
