import type { SaleClosedReason } from '@/db/schema';
import type { Config } from '@/server/env';
import type { CachedLine } from './line-cache';
import type { TokenRow } from './read-token';
import { estimatedWaitSeconds, isLiveToken, isRunningTurn } from './rules';
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
  estimatedWaitSeconds: number | null;
  activeUntil: string | null;
  opensAt: string;
  /** Seats of the sale neither held nor sold, and held (they may come back), while prequeue or waiting. */
  seatsLeft: number | null;
  seatsHeld: number | null;
  closedReason: SaleClosedReason | null;
}

export function positionOf(row: { place: number; admittedThrough: number }): number {
  // A place below the cursor (its token was passed over while it was being written) is next: 1.
  return Math.max(1, row.place - row.admittedThrough);
}

const NOT_WAITING = { position: null, aheadOfYou: null, estimatedWaitSeconds: null, seatsLeft: null, seatsHeld: null };

export function viewOf(row: TokenRow, config: Config): TokenView {
  const base = {
    concertId: row.concertId,
    ticket: row.id,
    opensAt: row.opensAt.toISOString(),
    activeUntil: null,
    closedReason: null,
  };
  if (row.status === 'closed') return { ...base, ...NOT_WAITING, status: 'closed', closedReason: row.closedReason };
  if (!isLiveToken(row, config)) return { ...base, ...NOT_WAITING, status: 'expired' };
  if (isRunningTurn(row)) return { ...base, ...NOT_WAITING, status: 'active', activeUntil: row.expiresAt!.toISOString() };
  return placedView({ ...row, drawNumber: row.id });
}

/**
 * A token in the pre-queue or waiting, as the fan sees it: one shape, from the database's row or from
 * a queue pass read against the cached line. Its position is `place - admitted_through`.
 */
function placedView(t: {
  concertId: number;
  drawNumber: number;
  place: number | null;
  opensAt: Date;
  seatsLeft: number | null;
  seatsHeld: number | null;
  admittedThrough: number;
  admitRate: number | null;
  maxActive: number;
  turnSeconds: number;
}): TokenView {
  const base = {
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
  return {
    ...base,
    status: 'waiting',
    position,
    aheadOfYou: position - 1,
    estimatedWaitSeconds: estimatedWaitSeconds({ position, admitRate: t.admitRate, maxActive: t.maxActive, turnSeconds: t.turnSeconds }),
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
  return placedView({ ...line, drawNumber: queuePass.drawNumber, place: queuePass.place });
}
