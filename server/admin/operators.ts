import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { authUsers, operatorInvitations, operators, operatorSessions } from '@/db/schema';
import { DomainError } from '@/server/errors';
import { endOperatorSessions } from './operator-sessions';
import { BUILT_IN_OWNER, type OperatorRole } from './roles';

/** The owner's view of the console's people: who they are, their roles, and who is signed in. */
export interface OperatorEntry {
  operatorId: string;
  name: string;
  /** Null for the built-in owner. */
  email: string | null;
  role: OperatorRole;
  builtIn: boolean;
  /** Live sessions (signed-in consoles). */
  sessions: number;
}

export interface PendingInvitation {
  invitationId: string;
  email: string;
  role: OperatorRole;
  expiresAt: string;
}

const liveSessions = and(isNull(operatorSessions.revokedAt), gt(operatorSessions.expiresAt, sql`now()`));

export async function listOperators(db: Db): Promise<{ operators: OperatorEntry[]; invitations: PendingInvitation[] }> {
  const named = await db
    .select({
      operatorId: operators.id,
      name: authUsers.name,
      email: authUsers.email,
      role: operators.role,
      sessions: sql<number>`(SELECT count(*)::int FROM ${operatorSessions} WHERE ${operatorSessions.operatorId} = ${operators.id} AND ${liveSessions})`,
    })
    .from(operators)
    .innerJoin(authUsers, eq(authUsers.id, operators.id))
    .orderBy(asc(operators.createdAt));
  const [builtIn] = await db
    .select({ sessions: count() })
    .from(operatorSessions)
    .where(and(isNull(operatorSessions.operatorId), liveSessions));
  const invitations = await db
    .select()
    .from(operatorInvitations)
    .where(and(isNull(operatorInvitations.acceptedAt), gt(operatorInvitations.expiresAt, sql`now()`)))
    .orderBy(asc(operatorInvitations.createdAt));
  return {
    operators: [
      {
        operatorId: BUILT_IN_OWNER.id,
        name: BUILT_IN_OWNER.name,
        email: null,
        role: 'owner',
        builtIn: true,
        sessions: builtIn?.sessions ?? 0,
      },
      ...named.map((o) => ({ ...o, builtIn: false })),
    ],
    invitations: invitations.map((i) => ({ invitationId: i.id, email: i.email, role: i.role, expiresAt: i.expiresAt.toISOString() })),
  };
}

function refuseBuiltIn(operatorId: string) {
  if (operatorId === BUILT_IN_OWNER.id) {
    throw new DomainError('OPERATOR_BUILT_IN', 'The built-in owner (OPERATOR_PASSWORD) keeps its role and cannot be removed.');
  }
}

const notFound = () => new DomainError('NOT_FOUND', 'No operator has this id.');

/** Changes a named operator's role; its sessions carry the new role from their next call. */
export async function setOperatorRole(db: Db, { operatorId, role }: { operatorId: string; role: OperatorRole }): Promise<void> {
  refuseBuiltIn(operatorId);
  const changed = await db.update(operators).set({ role }).where(eq(operators.id, operatorId)).returning({ id: operators.id });
  if (changed.length === 0) throw notFound();
}

/** Removes a named operator (its account stays a fan's); its sessions go with it. */
export async function removeOperator(db: Db, { operatorId }: { operatorId: string }): Promise<void> {
  refuseBuiltIn(operatorId);
  const removed = await db.delete(operators).where(eq(operators.id, operatorId)).returning({ id: operators.id });
  if (removed.length === 0) throw notFound();
}

/** Ends every live session of an operator (the built-in owner's too); how many. */
export async function endSessionsOf(db: Db, { operatorId }: { operatorId: string }): Promise<{ ended: number }> {
  if (operatorId !== BUILT_IN_OWNER.id) {
    const [found] = await db.select({ id: operators.id }).from(operators).where(eq(operators.id, operatorId));
    if (!found) throw notFound();
  }
  return { ended: await endOperatorSessions(db, operatorId) };
}
