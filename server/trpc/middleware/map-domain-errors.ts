import { experimental_standaloneMiddleware } from '@trpc/server';
import { asDomainError } from '../../errors';
import { toTRPCError } from '../errors';

/** Domain errors (and PostgreSQL lock and connection failures) become tRPC errors here, once. */
export const mapDomainErrors = experimental_standaloneMiddleware().create(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const domain = asDomainError(result.error.cause);
  return domain ? { ...result, error: toTRPCError(domain) } : result;
});
