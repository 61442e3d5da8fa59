import { z } from 'zod';
import { intId } from '../ids';
import { activeTokenProcedure, router, sessionProcedure } from '../trpc/init';
import { listConcerts, listDates, listSeats, suggestBestAvailable } from './service';

export const concertRouter = router({
  list: sessionProcedure.query(({ ctx }) => listConcerts(ctx.db)),
  dates: activeTokenProcedure
    .input(z.object({ concertId: intId }))
    .query(({ ctx, input }) => listDates(ctx.db, { concertId: input.concertId })),
  seats: activeTokenProcedure
    .input(z.object({ scheduleId: intId }))
    .query(({ ctx, input }) => listSeats(ctx.db, { scheduleId: input.scheduleId, userId: ctx.userId })),
  /** Suggests the best free seats next to each other (nothing is held); the configured hold limit caps `quantity`. */
  bestAvailable: activeTokenProcedure
    .input(z.object({ scheduleId: intId, quantity: z.number().int().min(1).max(100), section: z.string().min(1).max(100).optional() }))
    .query(({ ctx, input }) => suggestBestAvailable(ctx.db, ctx.config, { ...input, userId: ctx.userId })),
});
