import { z } from 'zod';
import { operatorWithRole, router } from '@/server/trpc/init';
import { verifyTicket } from './service';

export const ticketRouter = router({
  /** The console's "check a ticket": operators of any role, door up (fans get FORBIDDEN / OPERATOR_REQUIRED). */
  verify: operatorWithRole('door')
    .input(z.object({ code: z.string().trim().min(1).max(100) }))
    .query(({ ctx, input }) => verifyTicket(ctx.db, ctx.config, { code: input.code })),
});
