import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { NonApiResponseError } from './errors';
import { moneyRetry } from './money-retry';
import { retryAfterSecondsOf, retryDelayMs, wasShed } from './retry-after';

/** An error as the tRPC client makes it from the API's error JSON. */
const answered = (reason: string, httpStatus: number, extra: Record<string, unknown> = {}) =>
  TRPCClientError.from({ error: { message: reason, code: -32000, data: { reason, httpStatus, ...extra } } });

describe('a server that asks to come back later', () => {
  it('is read from the API error data, or a gateway’s Retry-After', () => {
    expect(retryAfterSecondsOf(answered('OVERLOADED', 503, { retryAfterSeconds: 7 }))).toBe(7);
    expect(retryAfterSecondsOf(answered('TOO_MANY_REQUESTS', 429, { retryAfterSeconds: 30 }))).toBe(30);
    expect(retryAfterSecondsOf(TRPCClientError.from(new NonApiResponseError(503, 4)))).toBe(4);
    expect(retryAfterSecondsOf(answered('UNAVAILABLE', 503))).toBeUndefined();
    expect(retryAfterSecondsOf(new Error('not from the API'))).toBeUndefined();
  });

  it('is waited for, stretched by up to half again, before any other backoff', () => {
    const shed = answered('OVERLOADED', 503, { retryAfterSeconds: 2 });
    expect(retryDelayMs(shed, 300, () => 0)).toBe(2_000);
    expect(retryDelayMs(shed, 300, () => 0.999)).toBe(2_999);
    expect(retryDelayMs(answered('BUSY', 409), 300)).toBe(300);
  });

  it('makes a shed call safe to send again, a mutation and a money call included', () => {
    const shed = answered('OVERLOADED', 503, { retryAfterSeconds: 1 });
    expect(wasShed(shed)).toBe(true);
    expect(wasShed(answered('UNAVAILABLE', 503))).toBe(false);
    expect(moneyRetry.retry(0, shed)).toBe(true);
    expect(moneyRetry.retryDelay(0, shed)).toBeGreaterThanOrEqual(1_000);
  });
});
