import { inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { operatorSignInLimits } from '@/db/schema';

/**
 * Operator sign-in attempts, counted in PostgreSQL per address and per account: OPERATOR_SIGN_IN_PER_MINUTE
 * a minute each, then a block of BLOCK_SECONDS that doubles with each block in a row (up to
 * MAX_BLOCK_SECONDS). A guesser spreading over many addresses still meets the account's limit; one
 * address trying many accounts meets its own. A sign-in clears both counts' blocks.
 */
export const SIGN_IN_WINDOW_SECONDS = 60;
/** The first block; each block in a row doubles it. */
export const BLOCK_SECONDS = 60;
export const MAX_BLOCK_SECONDS = 60 * 60;
/** Strikes are forgotten after a day without a block. */
const STRIKES_KEPT_SECONDS = 24 * 60 * 60;

/** What one sign-in is counted against. */
export const addressLimitKey = (address: string) => `ip:${address}`;
export const accountLimitKey = (account: string) => `account:${account.toLowerCase()}`;

export type AttemptDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts one attempt against every key (in key order, the lock order of this table) and says whether
 * it may go on. An attempt refused by one key is still counted by the others.
 */
export async function takeSignInAttempt(db: Db, { keys, perMinute }: { keys: string[]; perMinute: number }): Promise<AttemptDecision> {
  const sorted = [...new Set(keys)].sort();
  return db.transaction(async (tx) => {
    let wait = 0;
    for (const key of sorted) {
      // One row per key: a block in force refuses without counting; else the attempt is counted in its
      // window, and the one past the limit starts a block twice as long as the last one in a row.
      const [row] = await tx.execute<{ retry_after: number | null }>(sql`
        INSERT INTO operator_sign_in_limits AS l (key, window_start, attempts, strikes, blocked_until)
        VALUES (${key}, now(), 1, 0, NULL)
        ON CONFLICT (key) DO UPDATE SET
          window_start = CASE WHEN l.blocked_until > now() OR l.window_start > now() - make_interval(secs => ${SIGN_IN_WINDOW_SECONDS})
            THEN l.window_start ELSE now() END,
          attempts = CASE WHEN l.blocked_until > now() THEN l.attempts
            WHEN l.window_start > now() - make_interval(secs => ${SIGN_IN_WINDOW_SECONDS}) THEN l.attempts + 1 ELSE 1 END,
          strikes = CASE WHEN l.blocked_until > now() THEN l.strikes
            WHEN l.blocked_until < now() - make_interval(secs => ${STRIKES_KEPT_SECONDS}) THEN 0 ELSE l.strikes END,
          blocked_until = l.blocked_until
        RETURNING CASE WHEN blocked_until > now() THEN ceil(extract(epoch FROM blocked_until - now()))::int END AS retry_after`);
      if (row?.retry_after != null) {
        wait = Math.max(wait, row.retry_after);
        continue;
      }
      const [blocked] = await tx.execute<{ retry_after: number }>(sql`
        UPDATE operator_sign_in_limits SET
          strikes = strikes + 1,
          blocked_until = now() + make_interval(secs => least(${BLOCK_SECONDS} * power(2, strikes), ${MAX_BLOCK_SECONDS}))
        WHERE key = ${key} AND attempts > ${perMinute}
        RETURNING ceil(extract(epoch FROM blocked_until - now()))::int AS retry_after`);
      if (blocked) wait = Math.max(wait, blocked.retry_after);
    }
    return wait > 0 ? { allowed: false, retryAfterSeconds: Math.max(1, wait) } : { allowed: true };
  });
}

/** After a sign-in: the blocks of these keys are forgotten (their attempts this minute still count). */
export async function clearSignInStrikes(db: Db, keys: string[]): Promise<void> {
  await db.update(operatorSignInLimits).set({ strikes: 0 }).where(inArray(operatorSignInLimits.key, keys));
}
