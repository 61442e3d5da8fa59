import { eq, sql } from 'drizzle-orm';
import { poolOf, type Db } from '@/db/client';
import { queueState } from '@/db/schema';
import type { Config } from '@/server/env';
import { markSoldOut, openSaleIfDue, saleStateOf, seatCounts } from '@/server/sale/service';
import { admitWaiting } from './admission';
import { forgetLine, lineVersion, type CachedLine } from './line-cache';

/**
 * What polls answered from memory still owe the line: there is no background worker, so the draw at
 * the opening, admission passes and the seat recount (which marks a sale sold out) are run by the callers that
 * notice them due. From a line's cached state, one poll per line per UPKEEP_INTERVAL_MS in this
 * process runs what is due (the others answer from memory meanwhile); never once per poll.
 */

/** A line's due work runs at most this often per process, from polls answered from memory. */
export const UPKEEP_INTERVAL_MS = 1_000;
/**
 * A line's seat counts in queue_state (what marks a sale sold out) are at most this old. Waiting fans
 * see the line cache's own count (server/queue/line-cache.ts), at most a second old.
 */
export const SEAT_COUNT_SECONDS = 5;

const secondsBetween = (later: Date, earlier: Date) => (later.getTime() - earlier.getTime()) / 1000;

/** Whether the line admits now: opened (drawn), not paused, not sold out or closed. */
export const lineAdmits = (line: Pick<CachedLine, 'openedAt' | 'prequeueOpensAt' | 'opensAt' | 'paused' | 'closedReason' | 'now'>) =>
  line.openedAt !== null && saleStateOf(line, line.now) === 'open';

/** The opening has come and the draw has not run. */
const drawDue = (line: CachedLine) => line.openedAt === null && line.closedReason === null && line.now >= line.opensAt;

/**
 * An admission pass is due: a turn ran out (or a pass was marked due), changes of the active count
 * wait for a pass (one that should have followed them was skipped), or a slot is free while the line
 * admits, the caller waits with a place (so the pass admits someone: the caller, or someone ahead)
 * and the last pass found a seat free.
 */
export function lineAdmissionDue(line: CachedLine, { callerPlaced }: { callerPlaced: boolean }): boolean {
  const aTurnRanOut = line.nextExpiryAt !== null && line.nextExpiryAt <= line.now;
  const slotFree = callerPlaced && line.activeCount < line.maxActive && !line.noSeatFree;
  return aTurnRanOut || line.changesPending || (slotFree && lineAdmits(line));
}

const seatCountsDue = (line: CachedLine) =>
  line.closedReason === null && (line.seatsCountedAt === null || secondsBetween(line.now, line.seatsCountedAt) >= SEAT_COUNT_SECONDS);

/**
 * Counts a line's seats again for its waiting fans: one statement, skipped (undefined) when another
 * caller or a pass holds the line's row. Marks the sale sold out when every seat is sold.
 */
export async function recountSeats(
  db: Db,
  config: Config,
  concertId: number,
): Promise<{ left: number; held: number; soldOut: boolean } | undefined> {
  const [counted] = await db.transaction(async (tx) => {
    const locked = await tx.execute(sql`
      SELECT 1 FROM ${queueState} WHERE ${queueState.concertId} = ${concertId} FOR UPDATE SKIP LOCKED`);
    if (locked.length === 0) return [];
    const seats = await seatCounts(tx, concertId);
    await tx
      .update(queueState)
      .set({ seatsLeft: seats.left, seatsHeld: seats.held, seatsCountedAt: sql`now()` })
      .where(eq(queueState.concertId, concertId));
    return [seats];
  });
  if (!counted) return undefined;
  const soldOut = counted.left === 0 && counted.held === 0 && counted.total > 0;
  if (soldOut) await markSoldOut(db, concertId);
  // While this held the line's row, a pass could not run: the changes it left pending are applied now.
  await admitWaiting(db, config, { concertId, mode: 'skip-if-busy' });
  forgetLine(db, concertId);
  return { left: counted.left, held: counted.held, soldOut };
}

interface Upkeep {
  lastRunAt: number;
  /** The line's version right after the last run (its own writes included). */
  lastVersion: number;
  running?: Promise<boolean>;
}

/** Per pool and line. */
const upkeeps = new WeakMap<object, Map<number, Upkeep>>();

/**
 * Runs what the line owes, unless another poll of it is doing so, or this process already did so
 * within UPKEEP_INTERVAL_MS from the same state of the line (a line that changed since, by a pass or
 * a write, may owe something new at once): the draw, an admission pass (`skip-if-busy`: when another
 * instance is admitting, that one moves the line), the seat counts. True when it ran something (the
 * line's state was forgotten: read it again). A failure is logged, not thrown: the poll is answered
 * all the same, and a later poll tries again.
 */
export async function keepLineMoving(
  db: Db,
  config: Config,
  line: CachedLine,
  { callerPlaced }: { callerPlaced: boolean },
): Promise<boolean> {
  const due = drawDue(line) || lineAdmissionDue(line, { callerPlaced }) || seatCountsDue(line);
  if (!due) return false;
  let ofPool = upkeeps.get(poolOf(db));
  if (!ofPool) upkeeps.set(poolOf(db), (ofPool = new Map()));
  let upkeep = ofPool.get(line.concertId);
  if (!upkeep) ofPool.set(line.concertId, (upkeep = { lastRunAt: -Infinity, lastVersion: -1 }));
  if (upkeep.running) return false;
  if (upkeep.lastVersion === line.version && performance.now() - upkeep.lastRunAt < UPKEEP_INTERVAL_MS) return false;
  upkeep.lastRunAt = performance.now();
  const running = runDue(db, config, line, { callerPlaced })
    .catch((error: unknown) => {
      console.error(`Upkeep of the line of concert ${line.concertId} failed; the next poll after ${UPKEEP_INTERVAL_MS} ms retries:`, error);
      return false;
    })
    .finally(() => {
      upkeep.running = undefined;
      forgetLine(db, line.concertId);
      upkeep.lastVersion = lineVersion(db, line.concertId);
    });
  upkeep.running = running;
  return running;
}

async function runDue(db: Db, config: Config, line: CachedLine, caller: { callerPlaced: boolean }): Promise<boolean> {
  if (drawDue(line)) await openSaleIfDue(db, line.concertId);
  else if (lineAdmissionDue(line, caller)) await admitWaiting(db, config, { concertId: line.concertId, mode: 'skip-if-busy' });
  if (seatCountsDue(line)) await recountSeats(db, config, line.concertId);
  return true;
}
