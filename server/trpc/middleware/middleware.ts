import { initTRPC } from '@trpc/server';
import type { Context } from '@/server/trpc/context';

/**
 * How the ladder's middlewares are made: against the context alone, so each can live in a file of its
 * own without importing the ladder (server/trpc/init.ts) that uses it. A middleware is not bound to
 * the tRPC instance that made it; the ladder's instance runs it, with its own error formatter.
 */
export const { middleware } = initTRPC.context<Context>().create();
