import type { IncomingMessage, ServerResponse } from 'node:http';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { TRPCError } from '@trpc/server';
import type { Db } from '../../db/client';
import type { Config } from '../env';
import { createContext, type RequestHeaders } from '../trpc/context';
import { appRouter } from '../trpc/root';

export const TRPC_ENDPOINT = '/api/trpc';

export interface Deps {
  db: Db;
  config: Config;
}

/** Only real bugs are logged; domain errors and bad input are the client's business. */
function logInternal({ error, path }: { error: TRPCError; path?: string }) {
  if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed:`, error.cause ?? error);
}

/** The fetch adapter (Next's route handler, Vercel). */
export function handleFetch(req: Request, { db, config }: Deps): Promise<Response> {
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req,
    router: appRouter,
    createContext: ({ req, resHeaders }) =>
      createContext({ db, config, headers: req.headers, appendSetCookie: (c) => resHeaders.append('set-cookie', c) }),
    onError: logInternal,
  });
}

/** Node's already-parsed headers, read as the context reads them (no Headers object per request). */
function headersOf(req: IncomingMessage): RequestHeaders {
  return {
    get: (name) => {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** tRPC's Node adapter, same router and context, for requests under TRPC_ENDPOINT. */
export function createNodeHandler({ db, config }: Deps): (req: IncomingMessage, res: ServerResponse) => void {
  return createHTTPHandler({
    basePath: `${TRPC_ENDPOINT}/`,
    router: appRouter,
    createContext: ({ req, res }) =>
      createContext({ db, config, headers: headersOf(req), appendSetCookie: (c) => res.appendHeader('set-cookie', c) }),
    onError: logInternal,
  });
}
