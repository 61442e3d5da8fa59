import { experimental_standaloneMiddleware } from '@trpc/server';
import { DomainError } from '../../errors';
import { SESSION_COOKIE } from '../../session/service';
import { verifySession } from '../../session/signing';
import type { Context } from '../context';

/** Needs a valid session cookie; adds `userId`. */
export const requireSession = experimental_standaloneMiddleware<{ ctx: Context }>().create(({ ctx, next }) => {
  const userId = verifySession(ctx.config.SESSION_SECRET, ctx.cookies.get(SESSION_COOKIE));
  if (!userId) throw new DomainError('SESSION_REQUIRED', 'Start a session first.');
  return next({ ctx: { userId } });
});
