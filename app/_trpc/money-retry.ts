import { TRPCClientError } from '@trpc/client';
import { useState } from 'react';
import { errorData, httpStatusOf } from './errors';
import { newIdempotencyKey } from './idempotency';
import { retryDelayMs } from './retry-after';

/**
 * How the pages send money calls (wallet.charge, payment.pay). Each intent ("charge ₩50,000", "pay
 * reservation 12") gets one idempotency key, and every retry sends that same key: a call that reached
 * the server but whose answer was lost is answered with its first result, and no money moves twice.
 */

/** Retries after the first attempt. */
export const MONEY_RETRIES = 3;
const FIRST_DELAY_MS = 300;
const GROWTH = 2.5;
const MAX_DELAY_MS = 2_000;

/** The server decided nothing and says to ask again: a lock conflict, the database away, a call it was too busy to start. */
const RETRYABLE_REASONS = new Set(['BUSY', 'UNAVAILABLE', 'OVERLOADED']);
/** A gateway's answer without the API's data: the request may not have reached the app, or its answer was lost. */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/** Whether a failed money call is worth sending again with the same key. Never a refusal such as INSUFFICIENT_BALANCE. */
export function isRetryableMoneyFailure(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const reason = errorData(error)?.reason;
  if (reason !== undefined) return RETRYABLE_REASONS.has(reason);
  const status = httpStatusOf(error);
  if (status !== undefined) return RETRYABLE_STATUSES.has(status);
  // No answer at all: fetch rejects with a TypeError when the connection fails (an AbortError is the page's own doing).
  return error.cause instanceof TypeError;
}

/** Delay before retry `retry` (0 first): 300 ms growing to 2 s, ±25 % so that clients cut off together do not return together. */
export function moneyRetryDelay(retry: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * GROWTH ** retry);
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * React Query mutation options: `useMutation({ ...moneyRetry, … })`. Retries re-send the same variables,
 * key included; after a server's Retry-After when it gave one.
 */
export const moneyRetry = {
  retry: (failureCount: number, error: unknown) => failureCount < MONEY_RETRIES && isRetryableMoneyFailure(error),
  retryDelay: (failureCount: number, error: unknown) => retryDelayMs(error, moneyRetryDelay(failureCount)),
};

/** The server answered and refused (a 4xx: short balance, expired hold, BUSY…): nothing moved. */
export function wasRefused(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status !== undefined && status >= 400 && status < 500;
}

/**
 * One idempotency key per intent, kept until its outcome is known: a success, or a refusal. After a
 * network failure or a 5xx (retries used up) the same intent gets the same key again, so a click on
 * "try again" cannot apply a call that did land a second time; a different intent gets a new key.
 */
export class IntentKeys {
  private open: { intent: string; key: string } | null = null;

  /** The key to send for `intent`. */
  keyFor(intent: string): string {
    if (this.open?.intent !== intent) this.open = { intent, key: newIdempotencyKey() };
    return this.open.key;
  }

  /** After the call with `key` ended: success (error null) or failure. */
  settle(key: string | undefined, error: unknown) {
    if (this.open?.key === key && (error === null || wasRefused(error))) this.open = null;
  }
}

/** An IntentKeys for one money mutation of a page. */
export function useIntentKeys(): IntentKeys {
  return useState(() => new IntentKeys())[0];
}
