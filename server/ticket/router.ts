import { z } from 'zod';
import { operatorProcedure, router } from '@/server/trpc/init';
import { verifyTicket } from './service';

export const ticketRouter = router({
  /** The console's "check a ticket": operators only (fans get FORBIDDEN / OPERATOR_REQUIRED). */
  verify: operatorProcedure
    .input(z.object({ code: z.string().trim().min(1).max(100) }))
    .query(({ ctx, input }) => verifyTicket(ctx.db, ctx.config, { code: input.code })),
});
