import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { queueTokens, type SaleClosedReason } from '@/db/schema';
import type { Config } from '@/server/env';
import { openSaleIfDue, saleStateOf } from '@/server/sale/service';
import { admitWaiting, type AdmissionMode } from './admission';
import { forgetLine } from './line-cache';
import { recountSeats, SEAT_COUNT_SECONDS } from './line-upkeep';
import { readToken, type TokenRow } from './read-token';
import { isAbandoned } from './rules';
import { HEARTBEAT_SECONDS } from '@/server/shared/timing';

const secondsBetween = (later: Date, earlier: Date) => (later.getTime() - earlier.getTime()) / 1000;

const saleOfRow = (row: TokenRow) => ({
  prequeueOpensAt: row.prequeueOpensAt,
  opensAt: row.opensAt,
  paused: row.paused,
  closedReason: row.saleClosedReason,
});

/** Whether the line admits at all now: opened (drawn), not paused, not sold out or closed. */
const admitting = (row: TokenRow) => row.openedAt !== null && saleStateOf(saleOfRow(row), row.now) === 'open';

/**
 * Whether this caller should run an admission pass: a turn has run out (or a pass was marked due:
 * `markAdmissionDue`, or a hold that may free a seat ran out), changes of the active count wait for a
 * pass, or a slot is free while the line admits and the last pass found a seat free.
 */
function admissionDue(row: TokenRow): boolean {
  const aTurnRanOut = row.nextExpiryAt !== null && row.nextExpiryAt <= row.now;
  const slotFree = row.status === 'waiting' && row.place !== null && row.activeCount < row.maxActive && !row.noSeatFree;
  return aTurnRanOut || row.changesPending || (slotFree && admitting(row));
}

/**
 * Refreshes a line's seat counts for its waiting fans when they are older than SEAT_COUNT_SECONDS
 * (server/queue/line-upkeep.ts: skipped when another caller or a pass holds the row; marks the sale
 * sold out when every seat is sold).
 */
async function refreshSeatCounts(db: Db, config: Config, row: TokenRow): Promise<TokenRow> {
  if (row.seatsCountedAt && secondsBetween(row.now, row.seatsCountedAt) < SEAT_COUNT_SECONDS) return row;
  const counted = await recountSeats(db, config, row.concertId);
  if (!counted) return row;
  if (counted.soldOut) return { ...row, seatsLeft: 0, seatsHeld: 0, saleClosedReason: row.saleClosedReason ?? 'sold_out' };
  return { ...row, seatsLeft: counted.left, seatsHeld: counted.held };
}

/** A waiting token of a sale that sold out or was closed turns `closed`, with the sale's reason. */
async function closeToken(db: Db, row: TokenRow, reason: SaleClosedReason): Promise<TokenRow> {
  forgetLine(db, row.concertId);
  const [closed] = await db
    .update(queueTokens)
    .set({ status: 'closed', closedReason: reason })
    .where(and(eq(queueTokens.id, row.id), eq(queueTokens.status, 'waiting')))
    .returning({ status: queueTokens.status, closedReason: queueTokens.closedReason });
  return closed ? { ...row, ...closed } : ((await readToken(db, row.token)) ?? row);
}

/**
 * Reads a token for its owner: closes it if its sale closed, gives up an abandoned place, runs the
 * draw when the opening has come, an admission pass if one is due, and refreshes the heartbeat.
 */
export async function refresh(db: Db, config: Config, { userId, token, mode }: { userId: string; token: string; mode: AdmissionMode }) {
  let row = await readToken(db, token);
  if (!row || row.userId !== userId) return undefined;
  if (row.status === 'waiting') {
    if (row.saleClosedReason) return closeToken(db, row, row.saleClosedReason);
    if (isAbandoned(row, config)) {
      await db
        .update(queueTokens)
        .set({ status: 'expired' })
        .where(and(eq(queueTokens.id, row.id), eq(queueTokens.status, 'waiting')));
      return { ...row, status: 'expired' as const };
    }
    if (row.place === null && row.openedAt === null && row.now >= row.opensAt) {
      await openSaleIfDue(db, row.concertId);
      forgetLine(db, row.concertId);
      row = (await readToken(db, token))!;
    }
  }
  if (admissionDue(row)) {
    await admitWaiting(db, config, { concertId: row.concertId, mode });
    forgetLine(db, row.concertId);
    row = (await readToken(db, token))!;
  }
  if (row.status !== 'waiting') return row;
  row = await refreshSeatCounts(db, config, row);
  if (row.saleClosedReason) return closeToken(db, row, row.saleClosedReason);
  if (secondsBetween(row.now, row.lastSeenAt) > HEARTBEAT_SECONDS) {
    await db
      .update(queueTokens)
      .set({ lastSeenAt: sql`now()` })
      .where(eq(queueTokens.id, row.id));
    // Written at now() of that statement, a little after row.now: row.now understates it.
    row = { ...row, lastSeenAt: row.now };
  }
  return row;
}
