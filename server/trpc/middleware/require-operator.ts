import { middleware } from './middleware';
import { OPERATOR_COOKIE, verifyOperator } from '@/server/admin/operator';
import { DomainError } from '@/server/errors';

/**
 * Needs the operator's sign-in cookie (admin.login), and nothing of a fan: no session, no token. A
 * fan's session or token does not let anyone in.
 */
export const requireOperator = middleware(({ ctx, next }) => {
  if (!verifyOperator(ctx.config, ctx.cookies.get(OPERATOR_COOKIE))) {
    throw new DomainError('OPERATOR_REQUIRED', 'Sign in as an operator first.');
  }
  return next();
});
