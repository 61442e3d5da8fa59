import { z } from 'zod';
import { attributionOf } from '@/server/audit/actor';
import { operatorWithRole, router } from '@/server/trpc/init';
import { refuseCrossSiteEvenForQueries } from '@/server/trpc/middleware/refuse-cross-site';
import { verifyTicket } from './service';

export const ticketRouter = router({
  /**
   * The console's "check a ticket": operators of any role, door up (fans get FORBIDDEN /
   * OPERATOR_REQUIRED). A query that writes: each check is an audit entry (the page calls it once per
   * check, never refetches it), so it is refused from another site like a mutation.
   */
  verify: operatorWithRole('door')
    .use(refuseCrossSiteEvenForQueries)
    .input(z.object({ code: z.string().trim().min(1).max(100) }))
    .query(({ ctx, input }) => verifyTicket(ctx.db, ctx.config, { code: input.code }, attributionOf(ctx))),
});
