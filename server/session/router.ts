import { z } from 'zod';
import { publicProcedure, router, sessionProcedure } from '@/server/trpc/init';
import { rateLimited } from '@/server/trpc/middleware/rate-limited';
import { verifySession, signSession } from './signing';
import { MAX_NAME_LENGTH, requireUser, SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, startSession } from './service';

export const sessionRouter = router({
  start: publicProcedure
    .use(rateLimited('session.start'))
    .input(z.object({ name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional() }).optional())
    .mutation(async ({ ctx, input }) => {
      const current = verifySession(ctx.config.SESSION_SECRET, ctx.cookies.get(SESSION_COOKIE));
      const user = await startSession(ctx.db, { currentUserId: current, name: input?.name });
      ctx.setCookie(SESSION_COOKIE, signSession(ctx.config.SESSION_SECRET, user.userId), SESSION_MAX_AGE_SECONDS);
      return user;
    }),
  me: sessionProcedure.query(({ ctx }) => requireUser(ctx.db, ctx.userId)),
});
