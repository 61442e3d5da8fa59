import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx, Tx } from '@/db/client';
import { idempotencyKeys } from '@/db/schema';
import { DomainError } from '@/server/errors';

/**
 * Exactly-once money movement. A client sends the same key when it retries the same call (the web
 * app makes one per click); the first call's result is returned again and nothing moves twice.
 */

export const idempotencyKeySchema = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** Keys are kept at least this long (24 h promised; old ones are cleared lazily after this). */
const KEEP_HOURS = 48;
/** About one claim in this many also clears a batch of expired keys. */
const CLEANUP_EVERY = 100;
const CLEANUP_BATCH = 500;

export interface Idempotency {
  key: string;
  requestHash: string;
}

/** The key of a call (input field or `Idempotency-Key` header) with a hash of what it asks. */
export function idempotencyOf(scope: string, key: string | undefined, request: Record<string, unknown>): Idempotency | undefined {
  if (key === undefined) return undefined;
  const { idempotencyKey: _ignored, ...asked } = request;
  const requestHash = createHash('sha256')
    .update(JSON.stringify({ scope, ...asked }))
    .digest('base64url');
  return { key, requestHash };
}

const reused = () => new DomainError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used for a different request.');

/**
 * The first statement of a money-moving transaction: claims the key, or returns the first call's
 * result. A concurrent call with the same key waits here until the first commits (then replays it)
 * or rolls back (then claims the key itself).
 */
export async function claimKey<T>(tx: Tx, userId: string, idem: Idempotency): Promise<{ replay: T } | undefined> {
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ userId, key: idem.key, requestHash: idem.requestHash })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length > 0) {
    if (Math.random() < 1 / CLEANUP_EVERY) await clearOldKeys(tx);
    return undefined;
  }
  return storedResult<T>(tx, userId, idem);
}

/** Stores the result to replay, in the same transaction as the effect. */
export async function rememberResult(tx: Tx, userId: string, idem: Idempotency, response: unknown): Promise<void> {
  await tx
    .update(idempotencyKeys)
    .set({ response })
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, idem.key)));
}

/** The first call's result for this key, if there was one; refuses a key used for another request. */
export async function storedResult<T>(db: DbOrTx, userId: string, idem: Idempotency): Promise<{ replay: T } | undefined> {
  const [row] = await db
    .select({ requestHash: idempotencyKeys.requestHash, response: idempotencyKeys.response })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, idem.key)));
  if (!row) return undefined;
  if (row.requestHash !== idem.requestHash) throw reused();
  return { replay: row.response as T };
}

async function clearOldKeys(tx: Tx) {
  await tx.execute(sql`
    DELETE FROM ${idempotencyKeys} WHERE ctid IN (
      SELECT ctid FROM ${idempotencyKeys} WHERE ${lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${KEEP_HOURS})`)} LIMIT ${CLEANUP_BATCH})`);
}
