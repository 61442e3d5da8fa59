import { experimental_standaloneMiddleware } from '@trpc/server';
import { OPERATOR_COOKIE, verifyOperator } from '../../admin/operator';
import { DomainError } from '../../errors';
import type { Context } from '../context';

/**
 * Needs the operator's sign-in cookie (admin.login), and nothing of a fan: no session, no token. A
 * fan's session or token does not let anyone in.
 */
export const requireOperator = experimental_standaloneMiddleware<{ ctx: Context }>().create(({ ctx, next }) => {
  if (!verifyOperator(ctx.config, ctx.cookies.get(OPERATOR_COOKIE))) {
    throw new DomainError('OPERATOR_REQUIRED', 'Sign in as an operator first.');
  }
  return next();
});
