import { z } from 'zod';
import { callerOf } from '@/server/account/caller';
import { publicProcedure, router, sessionProcedure } from '@/server/trpc/init';
import { rateLimited } from '@/server/trpc/middleware/rate-limited';
import { signSession } from './signing';
import { MAX_NAME_LENGTH, requireUser, SESSION_COOKIE, SESSION_MAX_AGE_SECONDS, startSession } from './service';

/** Who is calling: the person, and its account (email, whether confirmed) when signed in; null for a guest. */
const accountView = (account: { email: string; emailVerified: boolean } | null) =>
  account && { email: account.email, emailVerified: account.emailVerified };

export const sessionRouter = router({
  /** A guest session, unless the caller is one already or is signed in to an account. */
  start: publicProcedure
    .use(rateLimited('session.start'))
    .input(z.object({ name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional() }).optional())
    .mutation(async ({ ctx, input }) => {
      const current = await callerOf(ctx);
      if (current?.account)
        return {
          ...(await startSession(ctx.db, { currentUserId: current.userId, name: input?.name })),
          account: accountView(current.account),
        };
      const user = await startSession(ctx.db, { currentUserId: current?.userId ?? null, name: input?.name });
      ctx.setCookie(SESSION_COOKIE, signSession(ctx.config.SESSION_SECRET, user.userId), SESSION_MAX_AGE_SECONDS);
      return { ...user, account: null };
    }),
  me: sessionProcedure.query(async ({ ctx }) => ({ ...(await requireUser(ctx.db, ctx.userId)), account: accountView(ctx.account) })),
});
