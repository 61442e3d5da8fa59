import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request a piece of work belongs to, set once per request by the request layer. Whatever runs on
 * that request's behalf (the error formatter, a rejection nobody handled) can name it in logs and
 * errors without having the request at hand.
 */
const scope = new AsyncLocalStorage<{ requestId: string }>();

export function inRequestScope<T>(requestId: string, work: () => T): T {
  return scope.run({ requestId }, work);
}

/** The id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}
