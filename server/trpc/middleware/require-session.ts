import { middleware } from './middleware';
import { DomainError } from '../../errors';
import { SESSION_COOKIE } from '../../session/service';
import { verifySession } from '../../session/signing';

/** Needs a valid session cookie; adds `userId`. */
export const requireSession = middleware(({ ctx, next }) => {
  const userId = verifySession(ctx.config.SESSION_SECRET, ctx.cookies.get(SESSION_COOKIE));
  if (!userId) throw new DomainError('SESSION_REQUIRED', 'Start a session first.');
  return next({ ctx: { userId } });
});
