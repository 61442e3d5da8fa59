import { describe, expect, it } from 'vitest';
import {
  HEARTBEAT_FLUSH_SECONDS,
  HEARTBEAT_SECONDS,
  LONGEST_POLL_INTERVAL_SECONDS,
  MIN_ABANDON_SECONDS,
  nextPollDelayMs,
  POLL_MAX_MS,
  POLL_MIN_MS,
  POLL_NEAR_FRONT_MS,
} from './timing';

describe('waiting-room polling', () => {
  it('never waits longer than LONGEST_POLL_INTERVAL_SECONDS between polls, however long the place stands still', () => {
    for (const unchanged of [0, 1, 5, 50, 1_000]) {
      for (const random of [0, 0.5, 0.999_999, 1]) {
        for (const wait of [undefined, null, 0, 3, 60, 100_000]) {
          expect(nextPollDelayMs(unchanged, random, wait)).toBeLessThanOrEqual(LONGEST_POLL_INTERVAL_SECONDS * 1000);
        }
      }
    }
    expect(nextPollDelayMs(1_000, 1)).toBe(LONGEST_POLL_INTERVAL_SECONDS * 1000);
    expect(nextPollDelayMs(0, 0.5)).toBe(POLL_MIN_MS);
  });

  it('polls sooner as the turn comes near, down to POLL_NEAR_FRONT_MS', () => {
    expect(nextPollDelayMs(50, 0.5, 600)).toBe(10_000);
    expect(nextPollDelayMs(50, 0.5, 6)).toBe(3_000);
    expect(nextPollDelayMs(50, 0.5, 1)).toBe(POLL_NEAR_FRONT_MS);
    expect(nextPollDelayMs(50, 0.5, 0)).toBe(POLL_NEAR_FRONT_MS);
  });

  it('lets a fan far back poll rarely even while the line moves (every poll sees a new place)', () => {
    expect(nextPollDelayMs(0, 0.5, 600)).toBe(POLL_MAX_MS);
    expect(nextPollDelayMs(0, 0.5, 6)).toBe(3_000);
  });

  it('keeps a polling fan present: a batched heartbeat lands within HEARTBEAT_SECONDS, and the minimum abandon time covers it', () => {
    const STATEMENT_TIMEOUT_SECONDS = 15; // db/session-defaults.ts (server/shared/ may not import db/)
    expect(HEARTBEAT_FLUSH_SECONDS + STATEMENT_TIMEOUT_SECONDS).toBeLessThanOrEqual(HEARTBEAT_SECONDS);
    expect(MIN_ABANDON_SECONDS).toBeGreaterThanOrEqual(HEARTBEAT_SECONDS + LONGEST_POLL_INTERVAL_SECONDS);
  });
});
