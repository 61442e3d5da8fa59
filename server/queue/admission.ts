import { and, eq, sql } from 'drizzle-orm';
import { poolOf, type Db, type DbOrTx } from '@/db/client';
import { queueTokens } from '@/db/schema';
import type { Config } from '@/server/env';
import { onlyRow } from '@/server/errors';
import { markSoldOut } from '@/server/sale/service';
import { forgetLine } from './line-cache';

/**
 * Admission: who of a concert's line gets a turn, and when a turn ends (server/queue/issue.ts and
 * status.ts issue and read tokens; this module moves the line).
 *
 * A line's `queue_state.active_count` is kept exactly, never counted: a token that enters or leaves
 * `active` outside the pass (a payment ending a turn, an expiry, an operator) is recorded by a
 * trigger as a row of `queue_active_changes` in that transaction, insert-only, and the pass adds the
 * line's rows into the count (db/functions/queue_record_active_change.sql, admit_line.sql). The pass
 * is one statement, the database function `admit_line`, and one admitter runs per line at a time: a
 * caller that finds a pass running returns at once. A freed slot is still never lost: the caller
 * that ran a pass looks for changes recorded while it ran (their callers may have returned because of
 * it) and runs another pass for them.
 */

/** Extra waiting tokens an admission pass reads beyond the free slots, to pass over abandoned ones. */
const ABANDON_SCAN_SLACK = 200;
const MAX_ADMISSION_ROUNDS = 10;
/** The admission rate shown to waiting fans (their estimated wait) is measured over about this long. */
const RATE_WINDOW_SECONDS = 10;
/** Passes one caller runs back to back for changes recorded while its previous pass ran. */
const MAX_FOLLOW_UP_PASSES = 5;

export type AdmissionMode = 'skip-if-busy' | 'wait';

interface PassOutcome {
  ran: boolean;
  admitted: number;
  soldOut: boolean;
}

/** The pass: one prepared statement (postgres.js prepares a tagged query once per connection). */
async function runPass(db: Db, config: Config, { concertId, mode }: { concertId: number; mode: AdmissionMode }): Promise<PassOutcome> {
  const row = onlyRow(
    await poolOf(db)<{ ran: boolean; admitted: number; sold_out: boolean }[]>`
    SELECT ran, admitted, sold_out FROM admit_line(${concertId}::int, ${mode === 'wait'}::boolean,
      ${config.QUEUE_ABANDON_SECONDS}::int, ${ABANDON_SCAN_SLACK}::int, ${MAX_ADMISSION_ROUNDS}::int, ${RATE_WINDOW_SECONDS}::float8)`,
  );
  return { ran: row.ran, admitted: row.admitted, soldOut: row.sold_out };
}

/** Whether changes of the line's count were recorded and not yet applied by a pass: one indexed read, no lock. */
async function changesPending(db: Db, concertId: number): Promise<boolean> {
  const row = onlyRow(
    await poolOf(db)<{ pending: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM queue_active_changes WHERE concert_id = ${concertId}::int) AS pending`,
  );
  return row.pending;
}

/**
 * A concert's admission pass: ends turns that ran out, then, while the sale admits (opened, not
 * paused, not closed), someone waits and a seat of it is free, admits waiting tokens in place order
 * into the free slots (`max_active` of the sale, read now: a changed cap applies from this pass on),
 * passing over (and expiring) places whose holders stopped polling. While no seat is free it admits
 * nobody and makes the next pass due when the earliest hold runs out; when every seat is sold, the
 * sale is marked sold out. `skip-if-busy` returns at once when another pass holds the line (that
 * pass, or its caller's follow-up, admits); `wait` waits for it (one statement) and runs its own.
 * After a pass that ran, changes recorded meanwhile get a follow-up pass. Returns how many it admitted.
 */
export async function admitWaiting(
  db: Db,
  config: Config,
  { concertId, mode }: { concertId: number; mode: AdmissionMode },
): Promise<number> {
  let admitted = 0;
  let soldOut = false;
  let pass = await runPass(db, config, { concertId, mode });
  for (let followUps = 0; pass.ran; followUps++) {
    admitted += pass.admitted;
    soldOut ||= pass.soldOut;
    // A caller that returned because this pass held the line recorded its change before trying:
    // this read, after the pass's commit, sees it.
    if (!(await changesPending(db, concertId))) break;
    if (followUps >= MAX_FOLLOW_UP_PASSES) {
      await markAdmissionDue(db, concertId);
      break;
    }
    pass = await runPass(db, config, { concertId, mode: 'skip-if-busy' });
  }
  // The pass writes with postgres.js, which the line cache's write observer does not see (its NOTIFY
  // reaches every process, but later): this process's next poll reads the line again.
  forgetLine(db, concertId);
  // sales comes before queue_state in the lock order: marked after the pass's commit.
  if (soldOut) await markSoldOut(db, concertId);
  return admitted;
}

/**
 * Ends the user's turn in one concert's line (after a payment), freeing the slot for the next in that
 * line. The trigger on queue_tokens records the freed slot in this transaction (an insert, no shared
 * row, no lock); after the commit, call `admitAfterTurnEnded`. (The payment itself ends the turn in
 * its one statement, `pay_order`, the same way.)
 */
export async function endTurn(tx: DbOrTx, { userId, concertId }: { userId: string; concertId: number }): Promise<void> {
  await tx
    .update(queueTokens)
    .set({ status: 'done', expiresAt: sql`now()` })
    .where(and(eq(queueTokens.userId, userId), eq(queueTokens.concertId, concertId), eq(queueTokens.status, 'active')));
}

/**
 * After a commit that ended a turn (a payment): the admission pass that gives the freed slot to the
 * next fan of that line at once. The commit stands whatever happens here, so this never throws.
 * - It returns at once when another pass holds the line: the freed slot was recorded before this
 *   call, so that pass or its caller's follow-up (`admitWaiting`) applies it.
 * - If it fails (a lock wait ran out, the database went away), the error is logged and the line's
 *   state is marked due, so the next poll runs a pass; the freed slot stays recorded until a pass
 *   applies it.
 */
export async function admitAfterTurnEnded(
  db: Db,
  config: Config,
  { concertId, requestId }: { concertId: number; requestId?: string },
): Promise<void> {
  try {
    await admitWaiting(db, config, { concertId, mode: 'skip-if-busy' });
  } catch (error) {
    console.error(`[${requestId ?? '-'}] Admission pass after a turn ended failed; the next poll admits instead:`, error);
    await markAdmissionDue(db, concertId).catch((markError: unknown) =>
      console.error(`[${requestId ?? '-'}] Could not mark an admission pass due:`, markError),
    );
  }
}

/**
 * Makes the next poll of a line run an admission pass (`admissionDue` sees the earliest expiry as
 * passed); used when a released hold may have freed a seat. One statement, no lock wait: when a pass
 * holds the line it records a wake-up instead (a 0 change), so that pass's caller runs another.
 */
export async function markAdmissionDue(db: Db, concertId: number): Promise<void> {
  await poolOf(db)`
    WITH marked AS (
      UPDATE queue_state SET next_expiry_at = now()
      WHERE concert_id = (SELECT concert_id FROM queue_state WHERE concert_id = ${concertId}::int FOR UPDATE SKIP LOCKED)
      RETURNING concert_id)
    INSERT INTO queue_active_changes (concert_id, delta)
    SELECT ${concertId}::int, 0 WHERE NOT EXISTS (SELECT 1 FROM marked)`;
  // Written with postgres.js, which the line cache's write observer does not see: this process's next poll reads the line again.
  forgetLine(db, concertId);
}
