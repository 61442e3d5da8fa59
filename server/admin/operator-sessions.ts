import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { authUsers, operators, operatorSessions } from '@/db/schema';
import type { Config } from '@/server/env';
import { onlyRow } from '@/server/errors';
import { OPERATOR_SESSION_SECONDS, readOperatorCookie, signOperator } from './operator';
import { BUILT_IN_OWNER, type OperatorActor } from './roles';

/**
 * Operator sessions: one row per signed-in console. The cookie names the row; the row says whether
 * it still counts. Operators are few, so every console call reading its row by id costs nothing.
 */

/** A built-in owner's session has no operator; a named operator's session names it. */
export type SessionOwner = { kind: 'built-in' } | { kind: 'named'; operatorId: string };

export interface StartedSession {
  /** The `operator` cookie's value. */
  cookie: string;
  expiresAt: Date;
}

/** Starts a session good for OPERATOR_SESSION_SECONDS. */
export async function startOperatorSession(db: DbOrTx, config: Config, owner: SessionOwner): Promise<StartedSession> {
  const row = onlyRow(
    await db
      .insert(operatorSessions)
      .values({
        operatorId: owner.kind === 'named' ? owner.operatorId : null,
        expiresAt: sql`now() + make_interval(secs => ${OPERATOR_SESSION_SECONDS})`,
      })
      .returning({ id: operatorSessions.id, expiresAt: operatorSessions.expiresAt }),
  );
  return { cookie: signOperator(config, { sessionId: row.id, expiresAt: row.expiresAt }), expiresAt: row.expiresAt };
}

/**
 * Who a cookie signs in, when its session is live (not revoked, not expired, its operator not
 * removed): one indexed read. Null otherwise.
 */
export async function operatorOfCookie(db: Db, config: Config, cookie: string | undefined): Promise<OperatorActor | null> {
  const signed = readOperatorCookie(config, cookie);
  if (!signed) return null;
  const [row] = await db
    .select({ operatorId: operatorSessions.operatorId, role: operators.role, name: authUsers.name })
    .from(operatorSessions)
    .leftJoin(operators, eq(operators.id, operatorSessions.operatorId))
    .leftJoin(authUsers, eq(authUsers.id, operators.id))
    .where(and(eq(operatorSessions.id, signed.sessionId), isNull(operatorSessions.revokedAt), gt(operatorSessions.expiresAt, sql`now()`)));
  if (!row) return null;
  if (row.operatorId === null) return { ...BUILT_IN_OWNER };
  // The cascade deletes a removed operator's sessions; a row without its operator is refused all the same.
  if (!row.role || row.name === null) return null;
  return { id: row.operatorId, name: row.name, role: row.role };
}

/** Ends the session a cookie names (sign-out). A cookie that is not genuine ends nothing. */
export async function revokeOperatorSession(db: Db, config: Config, cookie: string | undefined): Promise<void> {
  const signed = readOperatorCookie(config, cookie);
  if (!signed) return;
  await db
    .update(operatorSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(operatorSessions.id, signed.sessionId), isNull(operatorSessions.revokedAt)));
}

/** Ends every live session of an operator (the built-in owner's: `owner`); how many it ended. */
export async function endOperatorSessions(db: DbOrTx, operatorId: string): Promise<number> {
  const whose = operatorId === BUILT_IN_OWNER.id ? isNull(operatorSessions.operatorId) : eq(operatorSessions.operatorId, operatorId);
  const ended = await db
    .update(operatorSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(whose, isNull(operatorSessions.revokedAt), gt(operatorSessions.expiresAt, sql`now()`)))
    .returning({ id: operatorSessions.id });
  return ended.length;
}
