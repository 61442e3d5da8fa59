import { z } from 'zod';
import { intId } from '../ids';
import { QUEUE_TOKEN_COOKIE, queueTokenCookie, queueTokenOf, rateLimited, router, sessionProcedure } from '../trpc/init';
import { issueToken, tokenStatus } from './service';

const TOKEN_COOKIE_MAX_AGE_SECONDS = 60 * 60 * 24;

export const queueRouter = router({
  /** Joins a concert's line (its pre-queue before the opening); the same live token when issued again. */
  issue: sessionProcedure
    .use(rateLimited('queue.issue'))
    .input(z.object({ concertId: intId }))
    .mutation(async ({ ctx, input }) => {
      const { token, ...view } = await issueToken(ctx.db, ctx.config, { userId: ctx.userId, concertId: input.concertId });
      // One cookie per line, so a fan may wait for two shows at once; `queue_token` is the line joined last.
      ctx.setCookie(queueTokenCookie(input.concertId), token, TOKEN_COOKIE_MAX_AGE_SECONDS);
      ctx.setCookie(QUEUE_TOKEN_COOKIE, token, TOKEN_COOKIE_MAX_AGE_SECONDS);
      return { token, ...view };
    }),
  /** The caller's token in a concert's line (`concertId`), else the one in the header, else the line joined last. */
  status: sessionProcedure
    .input(z.object({ concertId: intId.optional() }).optional())
    .query(({ ctx, input }) => tokenStatus(ctx.db, ctx.config, { userId: ctx.userId, token: queueTokenOf(ctx, input?.concertId) })),
});
