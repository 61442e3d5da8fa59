import { middleware } from './middleware';
import { DomainError } from '@/server/errors';
import { SESSION_COOKIE } from '@/server/session/service';
import { verifySession } from '@/server/session/signing';

/** Needs a valid session cookie; adds `userId`. */
export const requireSession = middleware(({ ctx, next }) => {
  const userId = verifySession(ctx.config.SESSION_SECRET, ctx.cookies.get(SESSION_COOKIE));
  if (!userId) throw new DomainError('SESSION_REQUIRED', 'Start a session first.');
  return next({ ctx: { userId } });
});
