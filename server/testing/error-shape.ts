import type { TRPCError } from '@trpc/server';
import { getErrorShape } from '@trpc/server/unstable-core-do-not-import';
import { appRouter } from '@/server/trpc/root';

/** What a client would read in `error.data` for this error (the router's error formatter applied). */
export function errorDataOf(error: TRPCError, path = ''): Record<string, unknown> {
  const shape = getErrorShape({ config: appRouter._def._config, error, type: 'mutation', path, input: undefined, ctx: undefined });
  return shape.data as Record<string, unknown>;
}
