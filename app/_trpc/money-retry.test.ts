import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchApi, NonApiResponseError } from './errors';
import { IntentKeys, isRetryableMoneyFailure, MONEY_RETRIES, moneyRetry, moneyRetryDelay } from './money-retry';

/** An error as the tRPC client makes it from the API's error JSON. */
const answered = (reason: string, httpStatus: number) =>
  TRPCClientError.from({ error: { message: reason, code: -32000, data: { reason, httpStatus } } });
const noAnswer = () => TRPCClientError.from(new TypeError('Failed to fetch'));
const gateway = (status: number) => TRPCClientError.from(new NonApiResponseError(status));

describe('which failed money calls are retried', () => {
  it('retries what the server asks to retry and what never got an answer', () => {
    expect(isRetryableMoneyFailure(answered('BUSY', 409))).toBe(true);
    expect(isRetryableMoneyFailure(answered('UNAVAILABLE', 503))).toBe(true);
    expect(isRetryableMoneyFailure(noAnswer())).toBe(true);
    for (const status of [502, 503, 504]) expect(isRetryableMoneyFailure(gateway(status))).toBe(true);
    // JSON that is not the API's (tRPC keeps the response in meta).
    expect(isRetryableMoneyFailure(TRPCClientError.from(new Error('bad response'), { meta: { response: { status: 503 } } }))).toBe(true);
  });

  it('never retries a refusal, an internal error or a cancelled call', () => {
    for (const [reason, status] of [
      ['INSUFFICIENT_BALANCE', 402],
      ['RESERVATION_EXPIRED', 409],
      ['IDEMPOTENCY_KEY_REUSED', 409],
      ['TOKEN_EXPIRED', 401],
      ['INVALID_INPUT', 400],
      ['INTERNAL_SERVER_ERROR', 500],
    ] as const) {
      expect(isRetryableMoneyFailure(answered(reason, status))).toBe(false);
    }
    expect(isRetryableMoneyFailure(gateway(500))).toBe(false);
    expect(isRetryableMoneyFailure(gateway(413))).toBe(false);
    expect(isRetryableMoneyFailure(TRPCClientError.from(new DOMException('aborted', 'AbortError')))).toBe(false);
    expect(isRetryableMoneyFailure(new TypeError('not from the tRPC client'))).toBe(false);
  });

  it(`gives up after ${MONEY_RETRIES} retries`, () => {
    expect(moneyRetry.retry(MONEY_RETRIES - 1, noAnswer())).toBe(true);
    expect(moneyRetry.retry(MONEY_RETRIES, noAnswer())).toBe(false);
  });

  it('waits 300 ms growing to 2 s, with ±25 % jitter', () => {
    const low = () => 0;
    const high = () => 0.999_999;
    expect([0, 1, 2, 3, 10].map((n) => moneyRetryDelay(n, () => 0.5))).toEqual([300, 750, 1875, 2000, 2000]);
    expect(moneyRetryDelay(0, low)).toBe(225);
    expect(moneyRetryDelay(0, high)).toBe(375);
    expect(moneyRetryDelay(10, high)).toBe(2500);
  });
});

describe('one idempotency key per intent', () => {
  it('keeps the key until the outcome is known', () => {
    const keys = new IntentKeys();
    const first = keys.keyFor('charge 50000');
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    keys.settle(first, noAnswer()); // retries used up: it may have landed
    expect(keys.keyFor('charge 50000')).toBe(first);
    keys.settle(first, gateway(502));
    expect(keys.keyFor('charge 50000')).toBe(first);
    keys.settle(first, null); // success: the next click is a new charge
    const second = keys.keyFor('charge 50000');
    expect(second).not.toBe(first);
    keys.settle(second, answered('BALANCE_LIMIT', 400)); // refused: nothing moved
    expect(keys.keyFor('charge 50000')).not.toBe(second);
  });

  it('gives another intent its own key, and ignores the end of a call it no longer tracks', () => {
    const keys = new IntentKeys();
    const a = keys.keyFor('charge 10000');
    const b = keys.keyFor('charge 20000');
    expect(b).not.toBe(a);
    keys.settle(a, null);
    expect(keys.keyFor('charge 20000')).toBe(b);
  });
});

describe('fetchApi', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("turns a gateway's error page into its status and passes the API's answers through", async () => {
    vi.stubGlobal('fetch', async () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    await expect(fetchApi('/api/trpc/wallet.charge')).rejects.toEqual(new NonApiResponseError(502));
    const apiError = new Response('{"error":{}}', { status: 503, headers: { 'content-type': 'application/json' } });
    vi.stubGlobal('fetch', async () => apiError);
    await expect(fetchApi('/api/trpc/wallet.charge')).resolves.toBe(apiError);
  });
});
