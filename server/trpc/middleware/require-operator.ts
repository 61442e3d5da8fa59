import { middleware } from './middleware';
import { OPERATOR_COOKIE } from '@/server/admin/operator';
import { operatorOfCookie } from '@/server/admin/operator-sessions';
import { mayAct, type OperatorActor, type OperatorRole } from '@/server/admin/roles';
import { DomainError } from '@/server/errors';

/**
 * Needs a live operator session (admin.login): the cookie's signature, then its row (one indexed
 * read), so a signed-out, ended or removed operator's copied cookie is refused at once. Nothing of a
 * fan counts: no session, no token. Adds `operator`, who is signed in: the one source of the actor.
 */
export const requireOperator = middleware(async ({ ctx, next }) => {
  const operator = await operatorOfCookie(ctx.db, ctx.config, ctx.cookies.get(OPERATOR_COOKIE));
  if (!operator) throw new DomainError('OPERATOR_REQUIRED', 'Sign in as an operator first.');
  return next({ ctx: { operator } });
});

/** After requireOperator: the operator's role must be `needed` or wider (server/admin/roles.ts). */
export function requireRole(needed: OperatorRole) {
  return middleware(({ ctx, next }) => {
    const { operator } = ctx as typeof ctx & { operator: OperatorActor };
    if (!mayAct(operator.role, needed)) {
      throw new DomainError('OPERATOR_ROLE_REQUIRED', `This needs the ${needed} role; you are signed in as ${operator.role}.`, {
        role: needed,
      });
    }
    return next();
  });
}
