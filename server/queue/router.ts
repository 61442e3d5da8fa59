import { QUEUE_TOKEN_COOKIE, queueTokenOf, rateLimited, router, sessionProcedure } from '../trpc/init';
import { issueToken, tokenStatus } from './service';

const TOKEN_COOKIE_MAX_AGE_SECONDS = 60 * 60 * 24;

export const queueRouter = router({
  issue: sessionProcedure.use(rateLimited('queue.issue')).mutation(async ({ ctx }) => {
    const issued = await issueToken(ctx.db, ctx.config, { userId: ctx.userId });
    ctx.setCookie(QUEUE_TOKEN_COOKIE, issued.token, TOKEN_COOKIE_MAX_AGE_SECONDS);
    const { token, status, position, estimatedWaitSeconds } = issued;
    return { token, status, position, estimatedWaitSeconds };
  }),
  status: sessionProcedure.query(({ ctx }) => tokenStatus(ctx.db, ctx.config, { userId: ctx.userId, token: queueTokenOf(ctx) })),
});
