import { z } from 'zod';
import { intId } from '@/server/ids';
import { publicProcedure, router } from '@/server/trpc/init';
import { DRAW_PAGE_MAX, publishedDraw } from './service';

export const saleRouter = router({
  /**
   * The draw of a concert's sale, for anyone to check (public, no session): `npm run verify:draw`.
   * Paged by place (`cursor`: the last place read; `limit` entries at most); without them, the first page.
   */
  draw: publicProcedure
    .input(
      z.object({
        concertId: intId,
        cursor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
        limit: z.number().int().min(1).max(DRAW_PAGE_MAX).optional(),
      }),
    )
    .query(({ ctx, input }) => publishedDraw(ctx.db, input)),
});
