import type { DbOrTx } from '@/db/client';
import { auditLog } from '@/db/schema';
import type { AuditAction } from '@/server/shared/audit-actions';
import type { Attribution } from './actor';

export interface AuditEntryInput {
  action: AuditAction;
  concertId?: number | null;
  /** What was acted on, in words (a concert's title, a booking code). */
  target: string;
  /** The values the action concerned, before and after it (null when there was nothing). */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Appends one entry to the audit log with `tx`: pass the transaction that makes the change, so the
 * entry commits with it or not at all.
 */
export async function recordAudit(tx: DbOrTx, { actor, requestId }: Attribution, entry: AuditEntryInput): Promise<void> {
  await tx.insert(auditLog).values({
    actorId: actor.id,
    actorName: actor.name,
    actorRole: actor.role ?? null,
    action: entry.action,
    concertId: entry.concertId ?? null,
    target: entry.target,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: requestId ?? null,
  });
}
