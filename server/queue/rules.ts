import { and, eq, gt, gte, lte, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { queueActiveChanges, queueTokens, type TokenStatus } from '@/db/schema';
import type { Config } from '@/server/env';

/**
 * What makes a queue token live, in one place: in SQL for queries and in TypeScript for rows
 * already read (with the database's `now()` read alongside, so both use one clock).
 *
 * - A turn is running while its token is `active` and `expires_at` is ahead.
 * - A waiting token keeps its place while its holder polls: `last_seen_at` within QUEUE_ABANDON_SECONDS.
 * A turn that ran out and a place given up are not marked at once: the admission pass marks them.
 *
 * The database functions of the hot paths apply these rules in SQL too (SQL cannot import these
 * fragments), each written once as a helper the planner inlines: a running turn
 * (db/functions/is_running_turn.sql, used by `hold_seats`) and a turn that ran out (turn_ran_out.sql,
 * used by `admit_line`). `admit_line` also gives up places not polled (`stillPolling`), and `hold_seats`
 * extends a turn up to `turnCap`. server/rules-agreement.test.ts holds the helpers and the functions to
 * the cases of server/testing/rule-cases.ts, as this file's unit test does; a change of a rule here
 * changes its helper's file too.
 */

/**
 * A turn lasts at most this long after admission, whatever is held: its own length plus one hold's.
 * Holding extends a turn up to here and no further, and no hold outlives it, so cancelling and
 * holding again can't keep a slot (or a seat) for ever.
 */
export const turnCapSeconds = (config: Pick<Config, 'QUEUE_ACTIVE_TTL_SECONDS' | 'HOLD_TTL_SECONDS'>) =>
  config.QUEUE_ACTIVE_TTL_SECONDS + config.HOLD_TTL_SECONDS;

/** SQL: the latest a token's turn may end (`admitted_at` plus the cap). */
export const turnCap = (config: Pick<Config, 'QUEUE_ACTIVE_TTL_SECONDS' | 'HOLD_TTL_SECONDS'>): SQL =>
  sql`(${queueTokens.admittedAt} + make_interval(secs => ${turnCapSeconds(config)}))`;

/** The statuses that take a user's one place (partial unique index queue_tokens_one_live_per_user). */
export const PLACE_TAKING_STATUSES = ['waiting', 'active'] as const satisfies readonly TokenStatus[];

const abandonAfter = (config: Pick<Config, 'QUEUE_ABANDON_SECONDS'>) => sql`make_interval(secs => ${config.QUEUE_ABANDON_SECONDS})`;

/** SQL: an admitted turn that is still running. */
export const runningTurn: SQL = and(eq(queueTokens.status, 'active'), gt(queueTokens.expiresAt, sql`now()`))!;

/** SQL: an admitted turn whose time is up, not yet marked expired. */
export const turnRanOut: SQL = and(eq(queueTokens.status, 'active'), lte(queueTokens.expiresAt, sql`now()`))!;

/** SQL, for a waiting token: its holder still polls (else its place is given up). */
export const stillPolling = (config: Pick<Config, 'QUEUE_ABANDON_SECONDS'>): SQL =>
  gte(queueTokens.lastSeenAt, sql`now() - ${abandonAfter(config)}`);

interface TokenTimes {
  status: TokenStatus;
  expiresAt: Date | null;
  lastSeenAt: Date;
  /** The database's clock, read with the row. */
  now: Date;
}

const secondsBetween = (later: Date, earlier: Date) => (later.getTime() - earlier.getTime()) / 1000;

/** A waiting token whose holder stopped polling: its place is given up. */
export function isAbandoned(row: TokenTimes, config: Pick<Config, 'QUEUE_ABANDON_SECONDS'>): boolean {
  return row.status === 'waiting' && secondsBetween(row.now, row.lastSeenAt) > config.QUEUE_ABANDON_SECONDS;
}

/** An active token whose turn is still running. */
export function isRunningTurn(row: TokenTimes): boolean {
  return row.status === 'active' && row.expiresAt !== null && row.expiresAt > row.now;
}

/** A token that still counts: a running turn, or a place in line still polled. */
export function isLiveToken(row: TokenTimes, config: Pick<Config, 'QUEUE_ABANDON_SECONDS'>): boolean {
  return row.status === 'waiting' ? !isAbandoned(row, config) : isRunningTurn(row);
}

interface LinePace {
  /** 1 is next. */
  position: number;
  /** Turns ending per second, as the admission pass measures it (null before it has measured). */
  admitRate: number | null;
  /** The sale's cap of fans buying at once. */
  maxActive: number;
  /** The sale's turn length. */
  turnSeconds: number;
}

/**
 * The wait of the fan `position` places from the front, as a range of seconds. A place is reached
 * when `position` turns have ended (slots freed), at most `maxActive` at a time:
 * - `max`: every turn ahead runs its full length: the slots free `maxActive` at a time, once a turn, so
 *   the place is reached by ceil(position / maxActive) turns. (A hold can stretch a turn past its length,
 *   up to the turn cap; the line rarely waits that long for every slot.)
 * - `min`: turns keep ending as fast as the pass measured lately (`admitRate`, turns ending per second),
 *   never later than `max`. Without a measured rate: the whole turns that must pass at least when the
 *   slots ahead free together, (ceil(position / maxActive) - 1) turns.
 * The measured rate only ever shortens the wait: a fast burst measured once cannot make a place that
 * needs whole turns look a few seconds away (place 3, 1 at a time, 60-second turns: up to 3 minutes).
 */
export function estimatedWaitRange(line: LinePace): { min: number; max: number } {
  const position = Math.max(1, line.position);
  const turnsToWait = Math.ceil(position / Math.max(1, line.maxActive));
  const max = turnsToWait * line.turnSeconds;
  const measured =
    line.admitRate !== null && line.admitRate > 0 ? Math.ceil(position / line.admitRate) : (turnsToWait - 1) * line.turnSeconds;
  return { min: Math.min(max, measured), max };
}

/**
 * The estimated wait of the fan `position` places from the front: the upper end of
 * `estimatedWaitRange` (every turn ahead running its full length), so the number a fan is told is
 * never shorter than the wait can be. The waiting room shows the range; the operator's dashboard shows
 * this for the last in line.
 */
export function estimatedWaitSeconds(line: LinePace): number {
  return estimatedWaitRange(line).max;
}

/**
 * SQL: changes of a line's active count recorded (by the trigger on queue_tokens, or a wake-up of
 * `markAdmissionDue`) that no admission pass has applied yet: a pass is due. One indexed probe.
 */
export const lineChangesPending = (concertId: SQL.Aliased | SQL | AnyColumn): SQL<boolean> =>
  sql<boolean>`EXISTS (SELECT 1 FROM ${queueActiveChanges} WHERE ${queueActiveChanges.concertId} = ${concertId})`;
