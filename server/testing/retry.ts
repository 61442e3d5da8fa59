import { TRPCError } from '@trpc/server';
import { reasonOf } from '@/server/trpc/errors';

/** How the tests retry, as a well-behaved client would: exponential backoff with jitter, bounded. */
export interface RetryPolicy {
  /** Calls in all, the first included; after that the last error is thrown. */
  attempts: number;
  /** The first wait; each next one doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Up to about 16 s of waiting in all (a loaded CI machine needs that under a connection killed every
 * few hundred ms): a longer outage fails the test instead of hanging it.
 */
export const CLIENT_RETRY: RetryPolicy = { attempts: 20, baseDelayMs: 25, maxDelayMs: 1_000 };

const RETRYABLE_REASONS = new Set(['UNAVAILABLE', 'BUSY']);

/** The errors the API documents as "retry": BUSY (409) and UNAVAILABLE (503). */
export const isRetryable = (error: unknown) => error instanceof TRPCError && RETRYABLE_REASONS.has(reasonOf(error) ?? '');

/**
 * The wait before retry number `retry` (1-based): half the exponential step, plus up to as much again
 * at random ("equal jitter"), so clients that failed together do not retry together, and every retry
 * really waits, leaving the event loop to timers and the pool's reconnects.
 */
export function retryDelayMs(retry: number, policy: RetryPolicy = CLIENT_RETRY): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return step / 2 + Math.random() * (step / 2);
}

/** Calls until it succeeds, retrying retryable errors with backoff; anything else, or too many, throws. */
export async function withRetries<T>(call: () => Promise<T>, counts: { retries: number }, policy: RetryPolicy = CLIENT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= policy.attempts) throw new Error(`still failing after ${attempt} attempts`, { cause: error });
      counts.retries++;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt, policy)));
    }
  }
}
