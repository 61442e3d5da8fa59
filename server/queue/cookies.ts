import type { Context } from '@/server/trpc/context';

/** What these read of a request: its headers and its parsed cookies. */
type Carrier = Pick<Context, 'headers' | 'cookies'>;
import { QUEUE_PASS_COOKIE_PREFIX, QUEUE_PASS_HEADER, queuePassCookie } from './queue-pass';

/**
 * Where a request carries its queue tokens and its queue passes (server/queue/queue-pass.ts). A
 * queue token: the `x-queue-token` header (API clients), else a cookie per line
 * (`queue_token_<concertId>`, a user may wait in several lines at once) and `queue_token` (the line
 * the browser joined last).
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
export function queueTokenOf(ctx: Carrier, concertId?: number): string | undefined {
  const header = ctx.headers.get(QUEUE_TOKEN_HEADER);
  if (header !== null) return header;
  return (concertId === undefined ? undefined : ctx.cookies.get(queueTokenCookie(concertId))) ?? ctx.cookies.get(QUEUE_TOKEN_COOKIE);
}

/** Every queue token a request carries, the one it means for `concertId` first (the header alone when sent). */
export function queueTokensOf(ctx: Carrier, concertId?: number): (string | undefined)[] {
  const header = ctx.headers.get(QUEUE_TOKEN_HEADER);
  if (header !== null) return [header];
  const ofLines = [...ctx.cookies].filter(([name]) => CONCERT_TOKEN_COOKIE.test(name)).map(([, value]) => value);
  return [queueTokenOf(ctx, concertId), ...ofLines];
}

/** More queue passes than this in one request's cookies are not looked at (a user waits in a few lines at most). */
const MAX_PASS_COOKIES = 8;

/**
 * The queue passes a request carries, the one it means first: the `x-queue-ticket` header alone when
 * sent (API clients), else the cookie of the concert's line, then the other lines' (only the one
 * signed for the request's token is valid: server/queue/queue-pass.ts).
 */
export function queuePassesOf(ctx: Carrier, concertId?: number): (string | undefined)[] {
  const header = ctx.headers.get(QUEUE_PASS_HEADER);
  if (header !== null) return [header];
  const named = concertId === undefined ? undefined : ctx.cookies.get(queuePassCookie(concertId));
  const others = [...ctx.cookies].filter(([name]) => name.startsWith(QUEUE_PASS_COOKIE_PREFIX)).map(([, value]) => value);
  return [named, ...others].slice(0, MAX_PASS_COOKIES);
}
