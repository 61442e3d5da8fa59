import { z } from 'zod';
import { intId } from '@/server/ids';
import { publicProcedure, router } from '@/server/trpc/init';
import { publishedDraw } from './service';

export const saleRouter = router({
  /** The draw of a concert's sale, for anyone to check (public, no session): `npm run verify:draw`. */
  draw: publicProcedure
    .input(z.object({ concertId: intId }))
    .query(({ ctx, input }) => publishedDraw(ctx.db, { concertId: input.concertId })),
});
