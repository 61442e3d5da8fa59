import type { SaleClosedReason } from '@/db/schema';
import type { Config } from '@/server/env';
import type { CachedLine } from './line-cache';
import type { TokenRow } from './read-token';
import { saleStateOf, type SaleState } from '@/server/sale/service';
import { estimatedWaitRange, isLiveToken, isRunningTurn } from './rules';
import type { QueuePass } from './queue-pass';

/**
 * A queue pass answers polls until its holder's last confirmed presence is this much short of
 * QUEUE_ABANDON_SECONDS: room for the difference between the database's clock as this process
 * estimates it and as the admission pass that gives places up reads it.
 */
const QUEUE_PASS_MARGIN_SECONDS = 5;

export type QueueStatus = 'prequeue' | 'waiting' | 'active' | 'expired' | 'closed';

export interface TokenView {
  concertId: number;
  /** The draw number (the token's id; `ticket` on the wire): find yourself in the draw with it. */
  ticket: number;
  status: QueueStatus;
  /** 1 is next; null unless waiting. */
  position: number | null;
  aheadOfYou: number | null;
  /**
   * Everyone in line, the caller included: places given and not yet reached by the admission cursor
   * (the line's last place, `line_last_place`, minus `admitted_through`), while waiting; null otherwise.
   * Like `position`, a place given up ahead (left, or not polled) and the gap of a join that failed
   * count until the cursor passes them, as do joins still in flight, so it can only overstate the line.
   */
  inLine: number | null;
  /** The upper end of `estimatedWaitRange` (every turn ahead running its full length), while waiting. */
  estimatedWaitSeconds: number | null;
  /**
   * The wait in seconds, while waiting: `min` if turns keep ending as fast as lately, `max` if every
   * turn ahead runs its full length. While the sale is paused, the wait from when it resumes.
   */
  estimatedWaitRange: { min: number; max: number } | null;
  /** The sale's state now: `open`, `paused` (nobody is admitted until it resumes), `prequeue`, `sold_out`, `closed`… */
  saleState: SaleState;
  /** When the sale was paused (ISO 8601), while `saleState` is `paused`; null otherwise. */
  pausedSince: string | null;
  activeUntil: string | null;
  opensAt: string;
  /** Seats of the sale neither held nor sold, and held (they may come back), while prequeue or waiting. */
  seatsLeft: number | null;
  seatsHeld: number | null;
  closedReason: SaleClosedReason | null;
}

/**
 * `place - admitted_through`: exact but for the places ahead that will never be admitted (given up,
 * or the gap of a join that failed), which it counts until the cursor passes them. Admission never
 * moves the cursor past a place whose join is still in flight (admit_line), so a waiting place is
 * above it; at least 1 all the same.
 */
export function positionOf(row: { place: number; admittedThrough: number }): number {
  return Math.max(1, row.place - row.admittedThrough);
}

const NOT_WAITING = {
  position: null,
  aheadOfYou: null,
  inLine: null,
  estimatedWaitSeconds: null,
  estimatedWaitRange: null,
  seatsLeft: null,
  seatsHeld: null,
};

interface SaleFacts {
  prequeueOpensAt: Date;
  opensAt: Date;
  paused: boolean;
  pausedAt: Date | null;
  now: Date;
}

/** The sale's state as a fan is told it, and since when it is paused. */
export function saleOf(sale: SaleFacts, closedReason: SaleClosedReason | null): { saleState: SaleState; pausedSince: string | null } {
  const saleState = saleStateOf({ ...sale, closedReason }, sale.now);
  return { saleState, pausedSince: saleState === 'paused' ? (sale.pausedAt ?? sale.now).toISOString() : null };
}

export function viewOf(row: TokenRow, config: Config): TokenView {
  const base = {
    concertId: row.concertId,
    ticket: row.id,
    opensAt: row.opensAt.toISOString(),
    activeUntil: null,
    closedReason: null,
    ...saleOf(row, row.saleClosedReason),
  };
  if (row.status === 'closed') return { ...base, ...NOT_WAITING, status: 'closed', closedReason: row.closedReason };
  if (!isLiveToken(row, config)) return { ...base, ...NOT_WAITING, status: 'expired' };
  if (isRunningTurn(row)) return { ...base, ...NOT_WAITING, status: 'active', activeUntil: row.expiresAt!.toISOString() };
  return placedView({ ...row, drawNumber: row.id, saleClosedReason: row.saleClosedReason });
}

/**
 * A token in the pre-queue or waiting, as the fan sees it: one shape, from the database's row or from
 * a queue pass read against the cached line. Its position is `place - admitted_through`.
 */
function placedView(
  t: SaleFacts & {
    concertId: number;
    saleClosedReason: SaleClosedReason | null;
    lastPlace: number;
    drawNumber: number;
    place: number | null;
    opensAt: Date;
    seatsLeft: number | null;
    seatsHeld: number | null;
    admittedThrough: number;
    admitRate: number | null;
    maxActive: number;
    turnSeconds: number;
  },
): TokenView {
  const base = {
    ...saleOf(t, t.saleClosedReason),
    concertId: t.concertId,
    ticket: t.drawNumber,
    opensAt: t.opensAt.toISOString(),
    activeUntil: null,
    closedReason: null,
    seatsLeft: t.seatsLeft,
    seatsHeld: t.seatsHeld,
  };
  if (t.place === null) return { ...NOT_WAITING, ...base, status: 'prequeue' };
  const position = positionOf({ place: t.place, admittedThrough: t.admittedThrough });
  const range = estimatedWaitRange({ position, admitRate: t.admitRate, maxActive: t.maxActive, turnSeconds: t.turnSeconds });
  return {
    ...base,
    status: 'waiting',
    position,
    aheadOfYou: position - 1,
    inLine: Math.max(position, t.lastPlace - t.admittedThrough),
    estimatedWaitSeconds: range.max,
    estimatedWaitRange: range,
  };
}

/**
 * A waiting fan's view from their queue pass and the line's state, or undefined when memory cannot
 * answer: the sale closed, the cursor reached the place, the place may have been given up (the
 * queue pass's confirmation is too old), or the pre-queue's opening has come (the draw is the database's).
 */
export function viewFromQueuePass(queuePass: QueuePass, line: CachedLine, config: Config): TokenView | undefined {
  if (line.closedReason !== null) return undefined;
  const trustedFor = config.QUEUE_ABANDON_SECONDS - QUEUE_PASS_MARGIN_SECONDS;
  if (line.now.getTime() / 1000 - queuePass.confirmedAt > trustedFor) return undefined;
  if (queuePass.place === null && (line.openedAt !== null || line.now >= line.opensAt)) return undefined;
  if (queuePass.place !== null && line.admittedThrough >= queuePass.place) return undefined;
  return placedView({ ...line, saleClosedReason: line.closedReason, drawNumber: queuePass.drawNumber, place: queuePass.place });
}
