import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { queueState, queueTokens, sales } from '../../db/schema';
import type { Config } from '../env';
import { DomainError } from '../errors';
import { markSoldOut, saleStateOf, seatCounts } from '../sale/service';
import { runningTurn, stillPolling, turnCap, turnRanOut } from './rules';

/**
 * Admission: who of a concert's line gets a turn, and when a turn ends (server/queue/service.ts
 * reads and issues tokens; this module moves the line).
 */

/** Extra waiting tokens an admission pass reads beyond the free slots, to pass over abandoned ones. */
const ABANDON_SCAN_SLACK = 200;
const MAX_ADMISSION_ROUNDS = 10;
/** Weight of the newest observation in the smoothed admission rate. */
const RATE_SMOOTHING = 0.3;
/**
 * A line's writers hold this advisory lock (two-int form: one per concert) shared until they commit;
 * the line's admission pass takes it exclusively before it counts. So a pass sees every turn ended by
 * a payment before it: a pass that holds the queue_state lock when the payment commits counts that
 * slot as free, so the payment's own pass may skip when it finds one running. (Places need no such
 * lock: they are taken under the sales row lock, so they commit in order.)
 */
const lineWriteLock = (concertId: number) => sql`hashtext('queue-issue-order'), ${concertId}::int`;

const dbClock = () => sql<Date>`now()`.mapWith((v: string | Date) => new Date(v));
const secondsBetween = (later: Date, earlier: Date) => (later.getTime() - earlier.getTime()) / 1000;

export type AdmissionMode = 'skip-if-busy' | 'wait';

/**
 * A concert's admission pass: ends turns that ran out, then, while the sale admits (opened, not
 * paused, not closed) and a seat of it is free, admits waiting tokens in place order into the free
 * slots (`max_active` of the sale, read now: a changed cap applies from this pass on), passing over
 * (and expiring) places whose holders stopped polling. While no seat is free it admits nobody and
 * makes the next pass due when the earliest hold runs out; when every seat is sold, the sale is
 * marked sold out. `skip-if-busy` returns at once when another pass holds the line's lock (it will
 * admit); `wait` queues behind it.
 */
export async function admitWaiting(
  db: Db,
  config: Config,
  { concertId, mode }: { concertId: number; mode: AdmissionMode },
): Promise<number> {
  const { admitted, soldOut } = await db.transaction(async (tx) => {
    const [state] = await tx
      .select({
        admittedThrough: queueState.admittedThrough,
        lastAdmittedAt: queueState.lastAdmittedAt,
        admitRate: queueState.admitRate,
        now: dbClock(),
      })
      .from(queueState)
      .where(eq(queueState.concertId, concertId))
      .for('update', mode === 'skip-if-busy' ? { skipLocked: true } : undefined);
    if (!state) return { admitted: 0, soldOut: false };
    // The sale's settings as they are now (an operator may have changed them): read, not locked.
    const [sale] = await tx
      .select({
        prequeueOpensAt: sales.prequeueOpensAt,
        opensAt: sales.opensAt,
        paused: sales.paused,
        closedReason: sales.closedReason,
        openedAt: sales.openedAt,
        maxActive: sales.maxActive,
        turnSeconds: sales.turnSeconds,
      })
      .from(sales)
      .where(eq(sales.concertId, concertId));
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${lineWriteLock(concertId)})`);

    const ofLine = eq(queueTokens.concertId, concertId);
    await tx.update(queueTokens).set({ status: 'expired' }).where(and(ofLine, turnRanOut));
    const [{ active } = { active: 0 }] = await tx
      .select({ active: sql<number>`count(*)::int` })
      .from(queueTokens)
      .where(and(ofLine, runningTurn));

    // Paused, closed or not yet drawn: turns still end, nobody is admitted.
    const admits = sale!.openedAt !== null && saleStateOf(sale!, state.now) === 'open';
    let free = admits ? sale!.maxActive - active : 0;
    let noSeatFree = false;
    let holdEndsAt: Date | null = null;
    let soldOut = false;
    if (free > 0) {
      const seats = await seatCounts(tx, concertId);
      if (seats.left === 0) {
        // Admission stops while no seat is free; a hold that runs out may free one.
        noSeatFree = true;
        free = 0;
        holdEndsAt = seats.earliestHoldEnd;
        soldOut = seats.held === 0 && seats.total > 0;
      }
    }
    let admittedThrough = state.admittedThrough;
    let admitted = 0;
    for (let round = 0; free > 0 && round < MAX_ADMISSION_ROUNDS; round++) {
      const scan = free + ABANDON_SCAN_SLACK;
      const head = await tx
        .select({ id: queueTokens.id, place: queueTokens.place, present: sql<boolean>`${stillPolling(config)}` })
        .from(queueTokens)
        .where(and(ofLine, eq(queueTokens.status, 'waiting'), isNotNull(queueTokens.place)))
        .orderBy(asc(queueTokens.place))
        .limit(scan);
      if (head.length === 0) break;
      const chosen = head.filter((h) => h.present).slice(0, free);
      // Abandoned places up to the last one this pass reached are given up.
      const reachedThrough = chosen.length === free ? chosen[chosen.length - 1]!.place! : head[head.length - 1]!.place!;
      const abandoned = head.filter((h) => !h.present && h.place! <= reachedThrough).map((h) => h.id);
      if (abandoned.length > 0) {
        await tx.update(queueTokens).set({ status: 'expired' }).where(inArray(queueTokens.id, abandoned));
      }
      if (chosen.length > 0) {
        await tx
          .update(queueTokens)
          .set({
            status: 'active',
            // When this statement ran (passes run one at a time), not when a pass that queued for the lock began.
            admittedAt: sql`statement_timestamp()`,
            expiresAt: sql`statement_timestamp() + make_interval(secs => ${sale!.turnSeconds})`,
            turnSeconds: sale!.turnSeconds,
          })
          .where(
            inArray(
              queueTokens.id,
              chosen.map((h) => h.id),
            ),
          );
        admittedThrough = Math.max(admittedThrough, chosen[chosen.length - 1]!.place!);
        admitted += chosen.length;
        free -= chosen.length;
      }
      if (head.length < scan) break; // the whole line was read
    }

    const [after] = await tx
      .select({ count: sql<number>`count(*)::int`, nextExpiry: sql<string | null>`min(${queueTokens.expiresAt})` })
      .from(queueTokens)
      .where(and(ofLine, runningTurn));
    let admitRate = state.admitRate;
    if (admitted > 0 && state.lastAdmittedAt) {
      const elapsed = Math.max(1, secondsBetween(state.now, state.lastAdmittedAt));
      const observed = admitted / elapsed;
      admitRate = admitRate === null ? observed : admitRate * (1 - RATE_SMOOTHING) + observed * RATE_SMOOTHING;
    }
    const turnEnds = after?.nextExpiry ? new Date(after.nextExpiry) : null;
    const nextDue = [turnEnds, holdEndsAt].filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
    await tx
      .update(queueState)
      .set({
        admittedThrough,
        activeCount: after?.count ?? 0,
        nextExpiryAt: nextDue,
        noSeatFree,
        ...(admitted > 0 && { lastAdmittedAt: state.now, admitRate }),
      })
      .where(eq(queueState.concertId, concertId));
    return { admitted, soldOut };
  });
  // sales comes before queue_state in the lock order: marked after the pass's commit.
  if (soldOut) await markSoldOut(db, concertId);
  return admitted;
}

/**
 * Keeps a turn alive while its user holds a seat: the turn lasts until the hold can no longer be
 * paid, but never past its cap (`turnCap`). Runs inside the hold's transaction (queue_tokens comes
 * last in the lock order).
 */
export async function extendTurn(tx: DbOrTx, config: Config, { tokenId, until }: { tokenId: number; until: Date }): Promise<void> {
  const updated = await tx
    .update(queueTokens)
    .set({ expiresAt: sql`least(greatest(${queueTokens.expiresAt}, ${until.toISOString()}::timestamptz), ${turnCap(config)})` })
    .where(and(eq(queueTokens.id, tokenId), runningTurn))
    .returning({ id: queueTokens.id });
  if (updated.length === 0) throw new DomainError('TOKEN_EXPIRED', 'Your turn has ended. Join the queue again.');
}

/**
 * Ends the user's turn in one concert's line (after a payment), freeing the slot for the next in that
 * line. Holds the line's write lock (shared) until the transaction commits, so no admission pass of
 * the line counts while the change is in flight; then call `admitAfterTurnEnded`.
 */
export async function endTurn(tx: DbOrTx, { userId, concertId }: { userId: string; concertId: number }): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock_shared(${lineWriteLock(concertId)})`);
  await tx
    .update(queueTokens)
    .set({ status: 'done', expiresAt: sql`now()` })
    .where(and(eq(queueTokens.userId, userId), eq(queueTokens.concertId, concertId), eq(queueTokens.status, 'active')));
}

/**
 * After a commit that ended a turn (a payment): the admission pass that gives the freed slot to the
 * next fan of that line at once. The commit stands whatever happens here, so this never throws.
 * - It skips when another pass holds the line's queue_state lock: that pass counts this slot as free
 *   (`lineWriteLock` made it wait for the commit before counting).
 * - If it fails (a lock wait ran out, the database went away), the error is logged and the line's
 *   state is marked due, so the next poll runs a pass; if even that fails, the next pass (at the
 *   latest when the earliest turn runs out) recounts the slots from the tokens themselves.
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
 * passed). Skips when a pass holds the lock: that pass counts every turn ended before it. Also used
 * when a released hold may have freed a seat.
 */
export async function markAdmissionDue(db: Db, concertId: number): Promise<void> {
  await db.execute(sql`
    UPDATE ${queueState} SET next_expiry_at = now()
    WHERE concert_id = (SELECT concert_id FROM ${queueState} WHERE concert_id = ${concertId} FOR UPDATE SKIP LOCKED)`);
}
