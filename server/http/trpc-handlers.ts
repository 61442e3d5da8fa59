import type { IncomingMessage, ServerResponse } from 'node:http';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createURL, internal_exceptionHandler, nodeHTTPRequestHandler, type NodeHTTPHandlerOptions } from '@trpc/server/adapters/node-http';
import type { TRPCError } from '@trpc/server';
import type { Db } from '../../db/client';
import type { Config } from '../env';
import { createContext, type RequestHeaders } from '../trpc/context';
import { appRouter } from '../trpc/root';

export const TRPC_ENDPOINT = '/api/trpc';
/** No call needs more than a few hundred bytes; a larger body is refused before it is parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface Deps {
  db: Db;
  config: Config;
  /** Read the client's address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy?: boolean;
}

/** The first address of X-Forwarded-For, when the proxy in front is trusted to set it. */
function forwardedFor(headers: RequestHeaders, trustProxy: boolean | undefined): string | undefined {
  return trustProxy ? headers.get('x-forwarded-for')?.split(',')[0]?.trim() || undefined : undefined;
}

/**
 * Bugs and an unavailable database are logged, with the request id the client saw; other domain
 * errors (a taken seat, bad input) are the client's business.
 */
function logInternal({ error, path, ctx }: { error: TRPCError; path?: string; ctx?: { requestId?: string } }) {
  if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'SERVICE_UNAVAILABLE') {
    console.error(
      `[${ctx?.requestId ?? '-'}] tRPC ${path ?? '?'} failed:`,
      error.cause instanceof Error && error.cause.cause ? error.cause.cause : (error.cause ?? error),
    );
  }
}

/** The fetch adapter (Next's route handler, Vercel). */
export async function handleFetch(req: Request, { db, config, trustProxy }: Deps): Promise<Response> {
  if (Number(req.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) {
    return Response.json(
      {
        error: {
          message: 'The request body is too large.',
          code: -32600,
          data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, reason: 'INVALID_INPUT' },
        },
      },
      { status: 413 },
    );
  }
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req,
    router: appRouter,
    createContext: ({ req, resHeaders }) =>
      createContext({
        db,
        config,
        // A fetch Request keeps its host in the URL; the Origin check compares with it.
        headers: { get: (name) => req.headers.get(name) ?? (name.toLowerCase() === 'host' ? new URL(req.url).host : null) },
        appendHeader: (name, value) => resHeaders.append(name, value),
        // The fetch adapter has no socket: behind Vercel the platform sets X-Forwarded-For.
        clientIp: forwardedFor(req.headers, trustProxy) ?? 'unknown',
      }),
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

/**
 * tRPC's Node adapter, same router and context, for requests under TRPC_ENDPOINT. Its promise settles
 * when the call's work is done (even if the client hung up), so a graceful stop can wait for it.
 */
export function createNodeHandler({ db, config, trustProxy }: Deps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const options: NodeHTTPHandlerOptions<typeof appRouter, IncomingMessage, ServerResponse> = {
    router: appRouter,
    maxBodySize: MAX_BODY_BYTES,
    createContext: ({ req, res }) => {
      const headers = headersOf(req);
      return createContext({
        db,
        config,
        headers,
        appendHeader: (name, value) => res.appendHeader(name, value),
        clientIp: forwardedFor(headers, trustProxy) ?? req.socket.remoteAddress ?? 'unknown',
      });
    },
    onError: logInternal,
  };
  const prefixLength = `${TRPC_ENDPOINT}/`.length;
  return (req, res) => {
    const path = createURL(req).pathname.slice(prefixLength);
    return nodeHTTPRequestHandler({ ...options, req, res, path }).catch(internal_exceptionHandler({ ...options, req, res, path }));
  };
}
