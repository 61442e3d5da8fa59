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

let processHandlersInstalled = false;

/**
 * A rejection nobody handled (a driver's background query, a forgotten await) is logged with the
 * request it came from, and the server keeps serving: one request's bug must not take every other
 * one down. An uncaught exception is logged the same way (under npm start, Next's own handler then
 * keeps the process serving, as it does for rejections). The process tests count both lines as bugs.
 */
export function logUnhandledErrors() {
  if (processHandlersInstalled) return;
  processHandlersInstalled = true;
  process.on('unhandledRejection', (reason) => console.error(`[${currentRequestId() ?? '-'}] unhandled rejection:`, reason));
  process.on('uncaughtExceptionMonitor', (error) => console.error(`[${currentRequestId() ?? '-'}] uncaught exception:`, error));
}
