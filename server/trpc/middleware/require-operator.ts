import { middleware } from './middleware';
import { operatorOf } from '@/server/admin/operator';
import { DomainError } from '@/server/errors';

/**
 * Needs the operator's sign-in cookie (admin.login), and nothing of a fan: no session, no token. A
 * fan's session or token does not let anyone in. Adds `operator`: who is signed in (operatorOf), the
 * actor the audit log records.
 */
export const requireOperator = middleware(async ({ ctx, next }) => {
  const operator = await operatorOf(ctx);
  if (!operator) throw new DomainError('OPERATOR_REQUIRED', 'Sign in as an operator first.');
  return next({ ctx: { operator } });
});
