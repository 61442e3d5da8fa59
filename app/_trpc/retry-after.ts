import { TRPCClientError } from '@trpc/client';
import { errorData, NonApiResponseError } from './errors';

/**
 * How the pages honour a server that asks them to come back later. Under overload the API refuses
 * calls it did not start (503 OVERLOADED: nothing of the call ran, its body was never read) and a
 * rate limit refuses with 429; both say when to try again (`retryAfterSeconds`, and the Retry-After
 * header, which a gateway's own 503 may carry too). Sooner would only be refused again.
 */

/** The seconds the server asked to wait before calling again, if it did. */
export function retryAfterSecondsOf(error: unknown): number | undefined {
  const fromData = errorData(error)?.retryAfterSeconds;
  if (typeof fromData === 'number' && fromData > 0) return fromData;
  if (error instanceof TRPCClientError && error.cause instanceof NonApiResponseError) return error.cause.retryAfterSeconds;
  return undefined;
}

/** The server did not start the call: any call, a mutation included, can be sent again as it was. */
export const wasShed = (error: unknown): boolean => errorData(error)?.reason === 'OVERLOADED';

/** Tries of a call the server shed, after the first, before the page shows the error. */
export const SHED_RETRIES = 5;

/**
 * The wait before the next try: the server's Retry-After stretched by up to half again at random (so
 * a crowd sent away together does not come back together), else `fallbackMs`.
 */
export function retryDelayMs(error: unknown, fallbackMs: number, random: () => number = Math.random): number {
  const seconds = retryAfterSecondsOf(error);
  return seconds === undefined ? fallbackMs : Math.round(seconds * 1_000 * (1 + random() * 0.5));
}
