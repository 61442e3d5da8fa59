import { middleware } from './middleware';
import { DomainError } from '@/server/errors';
import type { Context } from '@/server/trpc/context';

/**
 * Mutations from another site are refused (defence in depth beside SameSite=Lax cookies). Calls
 * without an Origin (curl, server to server) are not cross-site.
 */
export const refuseCrossSite = middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && isCrossSite(ctx.headers, ctx.trustProxy)) {
    throw new DomainError('CROSS_SITE', 'This request came from another site.');
  }
  return next();
});

/**
 * The same refusal for a query that writes (`ticket.verify` records an audit entry): a cross-site
 * top-level navigation carries a SameSite=Lax cookie, and must not write in the signed-in operator's name.
 */
export const refuseCrossSiteEvenForQueries = middleware(({ ctx, next }) => {
  if (isCrossSite(ctx.headers, ctx.trustProxy)) throw new DomainError('CROSS_SITE', 'This request came from another site.');
  return next();
});

/**
 * An Origin that is not this site: another host, or the same host over another scheme. The host and
 * scheme a proxy forwards (`X-Forwarded-Host`, `X-Forwarded-Proto`) count only behind a trusted proxy;
 * otherwise a client could write them to match any Origin.
 */
function isCrossSite(headers: Context['headers'], trustProxy: boolean): boolean {
  if (headers.get('sec-fetch-site') === 'cross-site') return true;
  const origin = headers.get('origin');
  if (!origin) return false;
  const forwarded = (name: string) => (trustProxy ? headers.get(name)?.split(',')[0]?.trim() : undefined);
  const host = forwarded('x-forwarded-host') ?? headers.get('host');
  const scheme = forwarded('x-forwarded-proto');
  try {
    const from = new URL(origin);
    return from.host !== host || (scheme !== undefined && from.protocol !== `${scheme}:`);
  } catch {
    return true; // "null" or garbage
  }
}
