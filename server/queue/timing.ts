/**
 * How often waiting fans are heard from: the web app's polling and the server's heartbeat. One
 * module that both import (no server code here: the browser imports it), so the configuration can
 * be checked against them (server/env.ts: QUEUE_ABANDON_SECONDS).
 */

/** The waiting room polls quickly at first and backs off while the place does not move... */
export const POLL_MIN_MS = 1_500;
/** ...up to this interval... */
export const POLL_MAX_MS = 10_000;
export const POLL_BACKOFF = 1.5;
/** ...with ± this share of jitter, so a crowd spreads out. */
export const POLL_JITTER = 0.25;

/** The delay before the next poll, after `unchangedPolls` polls that did not move the place. */
export function nextPollDelayMs(unchangedPolls: number, random: number = Math.random()): number {
  const base = Math.min(POLL_MAX_MS, POLL_MIN_MS * POLL_BACKOFF ** unchangedPolls);
  return Math.round(base * (1 - POLL_JITTER + random * 2 * POLL_JITTER));
}

/** The longest gap between two polls of a waiting room that is open: the backed-off interval plus its jitter. */
export const LONGEST_POLL_INTERVAL_SECONDS = (POLL_MAX_MS * (1 + POLL_JITTER)) / 1000;

/** Waiting tokens refresh `last_seen_at` at most this often, so most polls are a pure read. */
export const HEARTBEAT_SECONDS = 20;

/**
 * The shortest QUEUE_ABANDON_SECONDS that never expires a fan who is still polling: `last_seen_at`
 * can be a heartbeat old when a poll skips the refresh, and the next poll comes at most one longest
 * interval later.
 */
export const MIN_ABANDON_SECONDS = Math.ceil(HEARTBEAT_SECONDS + LONGEST_POLL_INTERVAL_SECONDS);
