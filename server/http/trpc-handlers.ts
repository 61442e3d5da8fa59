import type { IncomingMessage, ServerResponse } from 'node:http';
import { getErrorShape, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Db } from '@/db/client';
import { OPERATOR_COOKIE, verifyOperator } from '@/server/admin/operator';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { addressSubject, knownRefusal, rateLimitKey } from '@/server/rate-limit';
import { SESSION_COOKIE } from '@/server/session/service';
import { verifySession } from '@/server/session/signing';
import { createContext, REQUEST_ID_HEADER, requestIdOf } from '@/server/trpc/context';
import { toTRPCError } from '@/server/trpc/errors';
import { appRouter } from '@/server/trpc/root';
import { AdmissionControl, eventLoopLag } from './admission';
import { parseCookies } from './cookies';
import { MAX_BODY_BYTES, policyOf, PROCEDURE_POLICIES, type CallPolicy, type Credentials } from './procedure-policy';
import {
  bodyTooLarge,
  cappedBody,
  clientAddress,
  addressKey,
  declaresTooLarge,
  normalisePath,
  TRPC_ENDPOINT,
  wantsStreamedResponse,
} from './request-guard';
import { currentRequestId, inRequestScope } from './request-scope';
import { MAX_BATCH_SIZE } from '@/server/shared/limits';
import { preserialisedBody, withPreserialised } from './preserialised';

export { TRPC_ENDPOINT };
/**
 * The largest body any call may send; each procedure has its own, smaller cap (./procedure-policy.ts):
 * a larger body is refused (413) by its Content-Length, or while it streams in.
 */
export { MAX_BODY_BYTES };
export { MAX_BATCH_SIZE };

/** The queue token a call may carry (as in server/trpc/init.ts): its presence, not its validity, is read here. */
const QUEUE_TOKEN_HEADER = 'x-queue-token';
const QUEUE_TOKEN_COOKIE = /^queue_token(?:_\d+)?$/;

export interface Deps {
  db: Db;
  config: Config;
  /** Read the client's address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy?: boolean;
  /** This process's admission control; by default one per process, shared by every handler. */
  admission?: AdmissionControl;
}

let processAdmission: AdmissionControl | undefined;
/** The process's one admission control (its in-flight counts are the process's, whatever adapter a call came through). */
const admissionOfProcess = () => (processAdmission ??= new AdmissionControl({ lagging: eventLoopLag() }));

/** One request into the API, whichever adapter it came through. */
export interface ApiRequest {
  method: string;
  url: URL;
  headers: Headers;
  /**
   * The body, read only once the call is admitted and only up to `maxBytes` (past it the stream
   * errors with PAYLOAD_TOO_LARGE), or null when there is none. Not called for a refused call.
   */
  body: ((maxBytes: number) => ReadableStream<Uint8Array>) | null;
  signal?: AbortSignal;
  /** The TCP peer, when there is a socket (the Node adapter). */
  socketAddress?: string;
}

/**
 * Bugs and an unavailable database are logged, with the request id the client saw; other domain
 * errors (a taken seat, bad input) are the client's business.
 */
function logInternal({ error, path, ctx }: { error: TRPCError; path?: string; ctx?: { requestId?: string } }) {
  if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'SERVICE_UNAVAILABLE') {
    console.error(
      `[${ctx?.requestId ?? currentRequestId() ?? '-'}] tRPC ${path ?? '?'} failed:`,
      error.cause instanceof Error && error.cause.cause ? error.cause.cause : (error.cause ?? error),
    );
  }
}

/** An error answered before tRPC runs, shaped (and its reason chosen) by the same error formatter. */
function refusal(error: TRPCError): Response {
  const shape = getErrorShape({
    config: appRouter._def._config,
    error,
    type: 'unknown',
    path: undefined,
    input: undefined,
    ctx: undefined,
  });
  if (error.code === 'INTERNAL_SERVER_ERROR') logInternal({ error });
  return Response.json({ error: shape }, { status: getHTTPStatusCodeFromError(error) });
}

const malformedUrl = () => new TRPCError({ code: 'BAD_REQUEST', message: 'The URL has a malformed percent-escape.' });

/** What is wrong with a request before any of it is parsed, if anything. */
function refusalReason(req: ApiRequest): TRPCError | undefined {
  if (declaresTooLarge(req.headers.get('content-length'), MAX_BODY_BYTES)) return bodyTooLarge(MAX_BODY_BYTES);
  if (wantsStreamedResponse(req.headers))
    return new TRPCError({ code: 'BAD_REQUEST', message: 'Streamed responses (application/jsonl) are not supported; send a plain batch.' });
  return undefined;
}

/** What the caller's cookies and headers prove, by their signatures alone (no database). */
function credentialsOf(headers: Headers, config: Config): Credentials {
  const cookies = parseCookies(headers.get('cookie'));
  const fan = verifySession(config.SESSION_SECRET, cookies.get(SESSION_COOKIE)) !== null;
  const hasToken = headers.get(QUEUE_TOKEN_HEADER) !== null || [...cookies.keys()].some((name) => QUEUE_TOKEN_COOKIE.test(name));
  return { fan, turn: fan && hasToken, operator: verifyOperator(config, cookies.get(OPERATOR_COOKIE)) };
}

/** A domain refusal answered before tRPC runs, with its Retry-After header. */
function refusedWithRetry(reason: 'OVERLOADED' | 'TOO_MANY_REQUESTS', message: string, retryAfterSeconds: number): Response {
  const response = refusal(toTRPCError(new DomainError(reason, message, { retryAfterSeconds })));
  response.headers.set('retry-after', String(retryAfterSeconds));
  return response;
}

/**
 * A call whose every procedure is rate limited and already refused for this client by the database
 * (remembered by server/rate-limit.ts): refused again here, before its body is read, with the time
 * the database gave. A batch with any other call goes on to tRPC, which answers each call.
 */
function knownRateLimited(call: CallPolicy, address: string | undefined, config: Config): number | undefined {
  if (config.RATE_LIMIT_PER_MINUTE === 0 || address === undefined) return undefined;
  let longest: number | undefined;
  for (const procedure of call.procedures) {
    if (!PROCEDURE_POLICIES[procedure]?.rateLimited) return undefined;
    const seconds = knownRefusal(rateLimitKey(procedure, addressSubject(addressKey(address))));
    if (seconds === undefined) return undefined;
    longest = Math.max(longest ?? 0, seconds);
  }
  return longest;
}

async function answer(req: ApiRequest, requestId: string, deps: Deps): Promise<Response> {
  const { config, trustProxy = false } = deps;
  const refused = refusalReason(req);
  if (refused) return refusal(refused);
  const path = normalisePath(req.url.pathname);
  if (path.kind === 'malformed') return refusal(malformedUrl());
  if (path.kind === 'page') return refusal(new TRPCError({ code: 'NOT_FOUND', message: 'Not an API path.' }));
  const address = clientAddress({ forwardedFor: req.headers.get('x-forwarded-for'), socketAddress: req.socketAddress, trustProxy });
  // Everything below up to the admission is decided from the URL and the headers: no byte of the body is read yet.
  const call = policyOf(path.procedurePath, credentialsOf(req.headers, config));
  if (declaresTooLarge(req.headers.get('content-length'), call.bodyBytes)) return refusal(bodyTooLarge(call.bodyBytes));
  const limited = knownRateLimited(call, address, config);
  if (limited !== undefined) return refusedWithRetry('TOO_MANY_REQUESTS', `Too many attempts. Try again in ${limited} s.`, limited);
  const admission = await (deps.admission ?? admissionOfProcess()).admit(call.priority, req.signal);
  if (!admission.admitted) {
    const seconds = admission.retryAfterSeconds;
    return refusedWithRetry('OVERLOADED', `This server is busy. Please try again in ${seconds} s.`, seconds);
  }
  try {
    return await runTrpc(req, requestId, deps, { procedurePath: path.procedurePath, address, bodyBytes: call.bodyBytes });
  } finally {
    admission.release();
  }
}

async function runTrpc(
  req: ApiRequest,
  requestId: string,
  { db, config, trustProxy = false }: Deps,
  { procedurePath, address, bodyBytes }: { procedurePath: string; address: string | undefined; bodyBytes: number },
): Promise<Response> {
  // tRPC decodes the path once more: hand it the decoded path, encoded once.
  const url = new URL(`${TRPC_ENDPOINT}/${encodeURIComponent(procedurePath)}${req.url.search}`, req.url);
  const body = req.body?.(bodyBytes) ?? null;
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: new Request(url, { method: req.method, headers: req.headers, body, signal: req.signal, duplex: 'half' } as RequestInit),
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: ({ resHeaders }) =>
      createContext({
        db,
        config,
        requestId,
        // The Origin check compares with the host: the Host header, else (a bare fetch Request) the URL's.
        headers: { get: (name) => req.headers.get(name) ?? (name.toLowerCase() === 'host' ? req.url.host : null) },
        appendHeader: (name, value) => resHeaders.append(name, value),
        clientIp: address === undefined ? undefined : addressKey(address),
        trustProxy,
      }),
    onError: logInternal,
  });
}

/**
 * The one request layer both adapters go through: the body cap, the path check, the client's
 * address, the request id (also in an AsyncLocalStorage scope for logs), tRPC's options, and the bytes
 * of preserialised answers (./preserialised.ts) put into the body. Never
 * throws: whatever escapes becomes a formatted 500 with the request id.
 */
export async function handleApiRequest(req: ApiRequest, deps: Deps): Promise<Response> {
  const requestId = requestIdOf(req.headers);
  return inRequestScope(requestId, async () => {
    let response: Response;
    try {
      response = await withPreserialised(() => answer(req, requestId, deps));
    } catch (cause) {
      response = refusal(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause }));
    }
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  });
}

/** The fetch adapter (Next's route handler, Vercel). No socket: the address comes from a trusted proxy or not at all. */
export function handleFetch(req: Request, deps: Deps): Promise<Response> {
  return handleApiRequest(
    {
      method: req.method,
      url: new URL(req.url),
      headers: req.headers,
      body: req.body && ((maxBytes) => cappedBody(req.body!, maxBytes)),
      signal: req.signal,
    },
    deps,
  );
}

/**
 * A Node request's body as a stream that stops at the cap. On overflow it stops reading, and the
 * response (a 413) closes the connection so the rest of the body is never read.
 */
function nodeBody(req: IncomingMessage, maxBytes: number): ReadableStream<Uint8Array> {
  let size = 0;
  return new ReadableStream({
    start(controller) {
      const stop = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onError);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size <= maxBytes) return controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        stop();
        req.pause();
        controller.error(bodyTooLarge(maxBytes));
      };
      const onEnd = () => {
        stop();
        controller.close();
      };
      // The client went away (or a stop cut it) before the body was complete: its business, not a bug.
      // (Node's error is left out: its ECONNRESET code would read as a lost database connection.)
      const onError = () => {
        stop();
        controller.error(new TRPCError({ code: 'CLIENT_CLOSED_REQUEST', message: 'The request body was cut off.' }));
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onError);
    },
    cancel() {
      req.destroy();
    },
  });
}

/** A Content-Length present and at most `max`. */
const declaresAtMost = (contentLength: string | undefined, max: number) =>
  contentLength !== undefined && /^\d+$/.test(contentLength) && Number(contentLength) <= max;

/** Node's parsed headers as a Headers object (HTTP/2 pseudo-headers left out). */
function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.append(name, value);
  }
  return headers;
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const chunks = preserialisedBody(response) ?? [Buffer.from(await response.arrayBuffer())];
  res.statusCode = response.status;
  for (const [name, value] of response.headers) if (name !== 'set-cookie') res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  res.setHeader(
    'content-length',
    chunks.reduce((n, chunk) => n + chunk.byteLength, 0),
  );
  res.cork();
  for (const chunk of chunks) res.write(chunk);
  res.end();
  res.uncork();
}

/**
 * A URL no router can read (a page's or the API's): a 400 in the API's error shape, for the production
 * server to answer before Next would answer it with a 500.
 */
export async function answerMalformedUrl(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = requestIdOf(headersOf(req));
  const response = inRequestScope(requestId, () => refusal(malformedUrl()));
  response.headers.set(REQUEST_ID_HEADER, requestId);
  res.setHeader('cache-control', 'no-store');
  await writeResponse(res, response);
}

/**
 * The Node adapter (`npm start`): the same request layer, fed from a socket. Its promise settles when
 * the call's work is done (even if the client hung up), so a graceful stop can wait for it.
 */
export function createNodeHandler(deps: Deps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    // The path and query come from the request line alone: the Host header is the client's to write
    // and must never change which procedure runs (the Origin check reads it separately).
    let url: URL;
    try {
      url = new URL(`http://localhost${req.url?.startsWith('/') ? '' : '/'}${req.url ?? ''}`);
    } catch {
      url = new URL(`http://localhost/${encodeURI(req.url ?? '')}`);
    }
    let bodyRead = false;
    const response = await handleApiRequest(
      {
        method: req.method ?? 'GET',
        url,
        headers: headersOf(req),
        body: hasBody
          ? (maxBytes) => {
              bodyRead = true;
              return nodeBody(req, maxBytes);
            }
          : null,
        signal: abort.signal,
        socketAddress: req.socket.remoteAddress,
      },
      deps,
    );
    // A body left unread is not kept: a call refused before reading it (overloaded, rate limited, too
    // large for its procedure but within the largest cap) has the rest discarded as it arrives, Node's
    // default, so the client reads its answer on a connection that stays open; one that was read past
    // its cap, or that declares more than any procedure takes, closes after the answer instead.
    if (!req.complete && (bodyRead || !declaresAtMost(req.headers['content-length'], MAX_BODY_BYTES))) res.setHeader('connection', 'close');
    if (!res.destroyed) await writeResponse(res, response).catch(() => res.destroy());
  };
}
