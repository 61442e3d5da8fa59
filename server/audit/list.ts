import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '@/db/client';
import { auditLog } from '@/db/schema';
import { bigId, intId } from '@/server/ids';
import { AUDIT_ACTIONS, type AuditAction } from '@/server/shared/audit-actions';
import type { Actor } from './actor';

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 100;

/** `admin.audit.list`'s input: filters (all optional, combined with AND) and a page. */
export const auditListInput = z
  .object({
    concertId: intId.optional(),
    /** An actor's id (Actor.id). */
    actor: z.string().min(1).max(200).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    /** The `nextCursor` of the page before: entries older than it. */
    cursor: bigId.optional(),
    limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).optional(),
  })
  .optional();

export type AuditListInput = z.output<typeof auditListInput>;

export interface AuditEntry {
  id: number;
  at: string;
  actor: Actor;
  action: AuditAction;
  concertId: number | null;
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
}

/** `admin.audit.list`: entries newest first (by id: the order they were written), a page at a time. */
export async function listAudit(db: DbOrTx, input: AuditListInput = {}): Promise<{ entries: AuditEntry[]; nextCursor: number | null }> {
  const { concertId, actor, action, cursor, limit = AUDIT_PAGE_DEFAULT } = input;
  const where: SQL[] = [];
  if (concertId !== undefined) where.push(eq(auditLog.concertId, concertId));
  if (actor !== undefined) where.push(eq(auditLog.actorId, actor));
  if (action !== undefined) where.push(eq(auditLog.action, action));
  if (cursor !== undefined) where.push(lt(auditLog.id, cursor));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: { id: r.actorId, name: r.actorName, ...(r.actorRole !== null && { role: r.actorRole }) },
      action: r.action as AuditAction,
      concertId: r.concertId,
      target: r.target,
      before: r.before as Record<string, unknown> | null,
      after: r.after as Record<string, unknown> | null,
      requestId: r.requestId,
    })),
    nextCursor: rows.length > limit ? page.at(-1)!.id : null,
  };
}

/**
 * `admin.audit.actors`: everyone who has an entry, each with the name of their latest one, for the
 * console's filter. One index probe per actor (a skip scan of audit_log_by_actor), not a scan of the log.
 */
export async function listAuditActors(db: DbOrTx): Promise<Actor[]> {
  const rows = await db.execute<{ id: string; name: string; role: string | null }>(sql`
    WITH RECURSIVE actors AS (
      (SELECT actor_id FROM ${auditLog} ORDER BY actor_id LIMIT 1)
      UNION ALL
      SELECT (SELECT l.actor_id FROM ${auditLog} l WHERE l.actor_id > actors.actor_id ORDER BY l.actor_id LIMIT 1)
      FROM actors WHERE actors.actor_id IS NOT NULL
    )
    SELECT actors.actor_id AS id, latest.actor_name AS name, latest.actor_role AS role
    FROM actors
    CROSS JOIN LATERAL (
      SELECT l.actor_name, l.actor_role FROM ${auditLog} l WHERE l.actor_id = actors.actor_id ORDER BY l.id DESC LIMIT 1
    ) latest
    WHERE actors.actor_id IS NOT NULL
    ORDER BY name, id`);
  return rows.map((r) => ({ id: r.id, name: r.name, ...(r.role !== null && { role: r.role }) }));
}
