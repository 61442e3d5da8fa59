import { middleware } from './middleware';
import { asDomainError } from '@/server/errors';
import { toTRPCError } from '@/server/trpc/errors';

/** Domain errors (and PostgreSQL lock and connection failures) become tRPC errors here, once. */
export const mapDomainErrors = middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const domain = asDomainError(result.error.cause);
  return domain ? { ...result, error: toTRPCError(domain) } : result;
});
