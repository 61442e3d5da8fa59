import { describe, expect, it } from 'vitest';
import { LONGEST_POLL_INTERVAL_SECONDS, nextPollDelayMs, POLL_MIN_MS } from './timing';

describe('waiting-room polling', () => {
  it('never waits longer than LONGEST_POLL_INTERVAL_SECONDS between polls, however long the place stands still', () => {
    for (const unchanged of [0, 1, 5, 50, 1_000]) {
      for (const random of [0, 0.5, 0.999_999, 1]) {
        expect(nextPollDelayMs(unchanged, random)).toBeLessThanOrEqual(LONGEST_POLL_INTERVAL_SECONDS * 1000);
      }
    }
    expect(nextPollDelayMs(1_000, 1)).toBe(LONGEST_POLL_INTERVAL_SECONDS * 1000);
    expect(nextPollDelayMs(0, 0.5)).toBe(POLL_MIN_MS);
  });
});
