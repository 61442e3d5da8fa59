import type { Context } from '../trpc/context';

/**
 * Where a request carries its queue tokens: the `x-queue-token` header (API clients), else a cookie
 * per line (`queue_token_<concertId>`, a user may wait in several lines at once) and `queue_token`
 * (the line the browser joined last).
 */
export const QUEUE_TOKEN_HEADER = 'x-queue-token';
export const QUEUE_TOKEN_COOKIE = 'queue_token';

/** The cookie of a user's token in one concert's line (a user may wait in several lines at once). */
export const queueTokenCookie = (concertId: number) => `${QUEUE_TOKEN_COOKIE}_${concertId}`;
const CONCERT_TOKEN_COOKIE = new RegExp(`^${QUEUE_TOKEN_COOKIE}_\\d+$`);

/**
 * The queue token a request means: the header for API clients, else the cookie of that concert's
 * line, else `queue_token` (the line the browser joined last).
 */
export function queueTokenOf(ctx: Context, concertId?: number): string | undefined {
  const header = ctx.headers.get(QUEUE_TOKEN_HEADER);
  if (header !== null) return header;
  return (concertId === undefined ? undefined : ctx.cookies.get(queueTokenCookie(concertId))) ?? ctx.cookies.get(QUEUE_TOKEN_COOKIE);
}

/** Every queue token a request carries, the one it means for `concertId` first (the header alone when sent). */
export function queueTokensOf(ctx: Context, concertId?: number): (string | undefined)[] {
  const header = ctx.headers.get(QUEUE_TOKEN_HEADER);
  if (header !== null) return [header];
  const ofLines = [...ctx.cookies].filter(([name]) => CONCERT_TOKEN_COOKIE.test(name)).map(([, value]) => value);
  return [queueTokenOf(ctx, concertId), ...ofLines];
}
