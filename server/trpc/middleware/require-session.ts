import { middleware } from './middleware';
import { DomainError } from '@/server/errors';
import { callerOf } from '@/server/account/caller';

/** Needs a signed-in account or a guest session; adds `userId` and `account` (null for a guest). */
export const requireSession = middleware(async ({ ctx, next }) => {
  const caller = await callerOf(ctx);
  if (!caller) throw new DomainError('SESSION_REQUIRED', 'Start a session first.');
  return next({ ctx: { userId: caller.userId, account: caller.account } });
});
