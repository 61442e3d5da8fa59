import { OPERATOR_ROLES, type OperatorRole } from '@/db/schema';
import { BUILT_IN_OPERATOR_ID } from '@/server/shared/audit-actions';

export { OPERATOR_ROLES, type OperatorRole };

/**
 * Who is signed in to the console: `ctx.operator` of every operator procedure (set by
 * server/trpc/middleware/require-operator.ts), the one place to read the actor from.
 */
export interface OperatorActor {
  /** The account's id, or BUILT_IN_OWNER.id for the OPERATOR_PASSWORD sign-in. */
  id: string;
  name: string;
  role: OperatorRole;
}

/** The sign-in with OPERATOR_PASSWORD alone: an owner that cannot be removed. */
export const BUILT_IN_OWNER = { id: BUILT_IN_OPERATOR_ID, name: 'Owner', role: 'owner' } as const satisfies OperatorActor;

/**
 * Each role may do what the roles after it may: an owner everything (operators too), a manager the
 * concerts and their sales, a door operator only the ticket check.
 */
export function mayAct(role: OperatorRole, needed: OperatorRole): boolean {
  return OPERATOR_ROLES.indexOf(role) <= OPERATOR_ROLES.indexOf(needed);
}
