/**
 * How often waiting fans are heard from: the web app's polling and the server's heartbeat. Both
 * import it, so the configuration can be checked against them (server/env.ts: QUEUE_ABANDON_SECONDS).
 */

/** The waiting room polls quickly at first and backs off while the place does not move... */
export const POLL_MIN_MS = 1_500;
/** ...up to this interval... */
export const POLL_MAX_MS = 10_000;
export const POLL_BACKOFF = 1.5;
/** ...with ± this share of jitter, so a crowd spreads out. */
export const POLL_JITTER = 0.25;
/**
 * A fan whose turn is near polls at most this often, and at least every half of the estimated wait,
 * so an admitted fan learns of it within about a second (polls are answered from memory: cheap).
 */
export const POLL_NEAR_FRONT_MS = 1_000;
/** A waiting fan polls again after this share of the estimated wait (within POLL_NEAR_FRONT_MS..POLL_MAX_MS). */
const POLL_SHARE_OF_WAIT = 0.5;

/**
 * The delay before the next poll. A waiting fan with an `estimatedWaitSeconds` polls after half of it,
 * but not sooner than POLL_NEAR_FRONT_MS nor later than POLL_MAX_MS: the nearer the turn, the sooner
 * the next poll, and a fan far back polls rarely even while the line moves (in a ticket drop it moves
 * all the time: backing off only while the place stands still would have every fan poll every 1.5 s).
 * Without an estimate (the pre-queue), it backs off after `unchangedPolls` polls that did not move
 * the place. Never longer than LONGEST_POLL_INTERVAL_SECONDS.
 */
export function nextPollDelayMs(unchangedPolls: number, random: number = Math.random(), estimatedWaitSeconds?: number | null): number {
  const base =
    estimatedWaitSeconds === undefined || estimatedWaitSeconds === null
      ? Math.min(POLL_MAX_MS, POLL_MIN_MS * POLL_BACKOFF ** unchangedPolls)
      : Math.min(POLL_MAX_MS, Math.max(POLL_NEAR_FRONT_MS, estimatedWaitSeconds * 1000 * POLL_SHARE_OF_WAIT));
  return Math.round(base * (1 - POLL_JITTER + random * 2 * POLL_JITTER));
}

/** The longest gap between two polls of a waiting room that is open: the backed-off interval plus its jitter. */
export const LONGEST_POLL_INTERVAL_SECONDS = (POLL_MAX_MS * (1 + POLL_JITTER)) / 1000;

/**
 * Polls answered from memory (a valid queue pass) are not written one by one: their token ids are
 * collected and written in one statement this often (server/queue/heartbeats.ts).
 */
export const HEARTBEAT_FLUSH_SECONDS = 5;

/**
 * The oldest a polling fan's `last_seen_at` can be: a poll read from the database refreshes it when
 * it is older than this (so most of those polls are a pure read), and a poll answered from memory
 * reaches it with the next batch, at most HEARTBEAT_FLUSH_SECONDS later plus the batch statement's
 * own time (bounded by the statement_timeout, 15 s: db/session-defaults.ts): 5 + 15 ≤ 20.
 */
export const HEARTBEAT_SECONDS = 20;

/**
 * The shortest QUEUE_ABANDON_SECONDS that never expires a fan who is still polling: `last_seen_at`
 * can be a heartbeat old (either path above), and the next poll comes at most one longest interval
 * later.
 */
export const MIN_ABANDON_SECONDS = Math.ceil(HEARTBEAT_SECONDS + LONGEST_POLL_INTERVAL_SECONDS);
