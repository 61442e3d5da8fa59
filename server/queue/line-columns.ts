import { sql } from 'drizzle-orm';
import { queueState, sales } from '@/db/schema';
import { transactionTime } from '@/server/clock';
import { lineChangesPending } from './rules';

/**
 * What a poll needs of a line, read with it: its `queue_state` row (cursor, active turns, seat
 * counts), its sale (times, state, settings) and the database's clock. One list for the line cache
 * (server/queue/line-cache.ts) and a token's read (server/queue/read-token.ts), so a poll answered
 * from memory and one answered by the database judge the same facts. Each query adds its own keys
 * (the sale's `closed_reason` among them: a token has a closed reason of its own).
 */
export const lineColumns = {
  admittedThrough: queueState.admittedThrough,
  /**
   * The last place given (the line's place sequence, `line_last_place`): the line's end. Counts joins
   * in flight and the gaps of joins that failed, so it can only overstate the line.
   */
  lastPlace: sql<number>`line_last_place(${queueState.concertId})`.mapWith(Number),
  activeCount: queueState.activeCount,
  nextExpiryAt: queueState.nextExpiryAt,
  admitRate: queueState.admitRate,
  noSeatFree: queueState.noSeatFree,
  changesPending: lineChangesPending(queueState.concertId),
  seatsLeft: queueState.seatsLeft,
  seatsHeld: queueState.seatsHeld,
  seatsCountedAt: queueState.seatsCountedAt,
  prequeueOpensAt: sales.prequeueOpensAt,
  opensAt: sales.opensAt,
  openedAt: sales.openedAt,
  paused: sales.paused,
  pausedAt: sales.pausedAt,
  maxActive: sales.maxActive,
  turnSeconds: sales.turnSeconds,
  now: transactionTime(),
};
