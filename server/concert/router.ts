import { z } from 'zod';
import { intId } from '@/server/ids';
import { concertOfConcert, concertOfSchedule } from '@/server/sale/scope';
import { activeTokenForConcertProcedure } from '@/server/queue/procedures';
import { router, sessionProcedure } from '@/server/trpc/init';
import { listConcerts, listDates, listSeats, suggestBestAvailable } from './service';

export const concertRouter = router({
  list: sessionProcedure.query(({ ctx }) => listConcerts(ctx.db)),
  dates: activeTokenForConcertProcedure(z.object({ concertId: intId }), (ctx, input) => concertOfConcert(ctx.db, input.concertId)).query(
    ({ ctx, input }) => listDates(ctx.db, { concertId: input.concertId }),
  ),
  seats: activeTokenForConcertProcedure(z.object({ scheduleId: intId }), (ctx, input) => concertOfSchedule(ctx.db, input.scheduleId)).query(
    ({ ctx, input }) => listSeats(ctx.db, { scheduleId: input.scheduleId, userId: ctx.userId }),
  ),
  /** Suggests the best free seats next to each other (nothing is held); the configured hold limit caps `quantity`. */
  bestAvailable: activeTokenForConcertProcedure(
    z.object({ scheduleId: intId, quantity: z.number().int().min(1).max(100), section: z.string().min(1).max(100).optional() }),
    (ctx, input) => concertOfSchedule(ctx.db, input.scheduleId),
  ).query(({ ctx, input }) => suggestBestAvailable(ctx.db, ctx.config, { ...input, userId: ctx.userId })),
});
