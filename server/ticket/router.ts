import { z } from 'zod';
import { attributionOf } from '@/server/audit/actor';
import { operatorProcedure, router } from '@/server/trpc/init';
import { verifyTicket } from './service';

export const ticketRouter = router({
  /**
   * The console's "check a ticket": operators only (fans get FORBIDDEN / OPERATOR_REQUIRED). A query
   * that writes: each check is an audit entry (the page calls it once per check, never refetches it).
   */
  verify: operatorProcedure
    .input(z.object({ code: z.string().trim().min(1).max(100) }))
    .query(({ ctx, input }) => verifyTicket(ctx.db, ctx.config, { code: input.code }, attributionOf(ctx))),
});
