import { z } from 'zod';
import { intId } from '../ids';
import { concertOfConcert, concertOfSchedule } from '../sale/scope';
import { activeTokenForConcertProcedure, router, sessionProcedure } from '../trpc/init';
import { listConcerts, listDates, listSeats } from './service';

export const concertRouter = router({
  list: sessionProcedure.query(({ ctx }) => listConcerts(ctx.db)),
  dates: activeTokenForConcertProcedure(z.object({ concertId: intId }), (ctx, input) => concertOfConcert(ctx.db, input.concertId)).query(
    ({ ctx, input }) => listDates(ctx.db, { concertId: input.concertId }),
  ),
  seats: activeTokenForConcertProcedure(z.object({ scheduleId: intId }), (ctx, input) => concertOfSchedule(ctx.db, input.scheduleId)).query(
    ({ ctx, input }) => listSeats(ctx.db, { scheduleId: input.scheduleId, userId: ctx.userId }),
  ),
});
