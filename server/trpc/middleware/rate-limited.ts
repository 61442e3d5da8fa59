import { middleware } from './middleware';
import { DomainError } from '@/server/errors';
import { addressSubject, rateLimitKey, takeRateLimit } from '@/server/rate-limit';
import { SESSION_COOKIE } from '@/server/session/service';
import { verifySession } from '@/server/session/signing';
import type { Context } from '@/server/trpc/context';

/**
 * Who a rate limit counts: the client's address; else (the route handler without TRUST_PROXY has no
 * address) the session's user. A caller with neither is not lumped with everyone else in one bucket:
 * in production it is refused (the deployment must set TRUST_PROXY); in development and tests, where
 * every caller is the developer, it is counted as `local`.
 */
function rateLimitSubject(ctx: Context): string | undefined {
  if (ctx.clientIp) return addressSubject(ctx.clientIp);
  const userId = verifySession(ctx.config.SESSION_SECRET, ctx.cookies.get(SESSION_COOKIE));
  if (userId) return `user:${userId}`;
  return ctx.config.NODE_ENV === 'production' ? undefined : 'local';
}

let warnedNoAddress = false;

/**
 * At most RATE_LIMIT_PER_MINUTE calls a minute per client to this procedure, counted in PostgreSQL
 * across every app instance: past it, 429 TOO_MANY_REQUESTS with Retry-After, so one script can't flood
 * the line or mint sessions.
 */
export function rateLimited(name: string) {
  return middleware(async ({ ctx, next }) => {
    const perMinute = ctx.config.RATE_LIMIT_PER_MINUTE;
    if (perMinute === 0) return next();
    const subject = rateLimitSubject(ctx);
    if (!subject) {
      if (!warnedNoAddress)
        console.error(`[${ctx.requestId}] ${name}: client address unknown; set TRUST_PROXY=true behind a proxy that sets X-Forwarded-For`);
      warnedNoAddress = true;
      throw new DomainError('UNAVAILABLE', 'This server cannot tell its clients apart right now. Please try again later.');
    }
    const { allowed, retryAfterSeconds } = await takeRateLimit(ctx.db, { key: rateLimitKey(name, subject), limit: perMinute });
    if (allowed) return next();
    ctx.appendHeader('retry-after', String(retryAfterSeconds));
    throw new DomainError('TOO_MANY_REQUESTS', `Too many attempts. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  });
}
