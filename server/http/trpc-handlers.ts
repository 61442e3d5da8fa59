import { getErrorShape, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Db } from '@/db/client';
import { OPERATOR_COOKIE, verifyOperator } from '@/server/admin/operator';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { addressSubject, knownRefusal, rateLimitKey } from '@/server/rate-limit';
import { SESSION_COOKIE } from '@/server/session/service';
import { accountCookieNames, verifySessionCopy, verifySessionToken } from '@/server/account/session-cookies';
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
import { jsonBytesResponse, withPreserialised } from './preserialised';

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

/** A call refused before its body is read: the error, and for a refusal with a wait, the seconds to wait. */
export interface Refusal {
  error: TRPCError;
  retryAfterSeconds?: number;
}

/** A refusal's answer, as bytes: shaped (and its reason chosen) by the same error formatter as tRPC's errors. */
export interface RefusalAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer<ArrayBuffer>;
}

export function refusalAnswer({ error, retryAfterSeconds }: Refusal, requestId: string): RefusalAnswer {
  const shape = getErrorShape({
    config: appRouter._def._config,
    error,
    type: 'unknown',
    path: undefined,
    input: undefined,
    ctx: { requestId } as never,
  });
  if (error.code === 'INTERNAL_SERVER_ERROR') logInternal({ error, ctx: { requestId } });
  const headers: Record<string, string> = { 'content-type': 'application/json', [REQUEST_ID_HEADER]: requestId };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return { status: getHTTPStatusCodeFromError(error), headers, body: Buffer.from(JSON.stringify({ error: shape })) };
}

const asResponse = ({ status, headers, body }: RefusalAnswer): Response => jsonBytesResponse(body, { status, headers });

export const malformedUrl = (): Refusal => ({
  error: new TRPCError({ code: 'BAD_REQUEST', message: 'The URL has a malformed percent-escape.' }),
});

/** A domain refusal with its wait (Retry-After). */
function refusedWithRetry(reason: 'OVERLOADED' | 'TOO_MANY_REQUESTS', message: string, retryAfterSeconds: number): Refusal {
  return { error: toTRPCError(new DomainError(reason, message, { retryAfterSeconds })), retryAfterSeconds };
}

export const overloaded = (seconds: number): Refusal =>
  refusedWithRetry('OVERLOADED', `This server is busy. Please try again in ${seconds} s.`, seconds);

/** What the caller's cookies and headers prove, by their signatures alone (no database), each checked once and only if asked. */
function credentialsOf(header: HeaderOf, config: Config): Credentials {
  let cookies: Map<string, string> | undefined;
  const jar = () => (cookies ??= parseCookies(header('cookie')));
  const cookie = (name: string) => jar().get(name);
  let fan: boolean | undefined;
  const isFan = () => (fan ??= verifySession(config.SESSION_SECRET, cookie(SESSION_COOKIE)) !== null || isAccount());
  // A signed-in fan: the session's signed copy, or (once a minute, when the copy is renewed) its signed token.
  const isAccount = () => {
    const names = accountCookieNames(config.NODE_ENV === 'production');
    return (
      verifySessionCopy(config.SESSION_SECRET, cookie(names.copy)) !== null ||
      verifySessionToken(config.SESSION_SECRET, cookie(names.token))
    );
  };
  const hasQueueToken = () => header(QUEUE_TOKEN_HEADER) !== null || [...jar().keys()].some((name) => QUEUE_TOKEN_COOKIE.test(name));
  return (need) => {
    if (need === 'operator') return verifyOperator(config, cookie(OPERATOR_COOKIE));
    return isFan() && (need === 'fan' || hasQueueToken());
  };
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

/** A header of the request, by its lower-case name. */
export type HeaderOf = (name: string) => string | null;

/** All the request layer reads of a call before it admits it: the request line and the headers, no byte of the body. */
export interface RequestHead {
  /** The request target's path, not yet normalised. */
  pathname: string;
  header: HeaderOf;
  /** The TCP peer, when there is a socket (the Node adapter). */
  socketAddress?: string;
}

/** A call that may go on to admission: its policy, its procedures' path and the client's address. */
export interface Judged {
  call: CallPolicy;
  procedurePath: string;
  address: string | undefined;
}

/**
 * The first half of the request layer, the same for both adapters: what it decides from the request
 * line and the headers alone (the body caps, the path, a remembered rate-limit refusal). Cheap and
 * synchronous: under a burst most calls end here, and nothing is built for them but their answer.
 */
export function judge(head: RequestHead, { config, trustProxy = false }: Deps): Judged | Refusal {
  const contentLength = head.header('content-length');
  if (declaresTooLarge(contentLength, MAX_BODY_BYTES)) return { error: bodyTooLarge(MAX_BODY_BYTES) };
  if (wantsStreamedResponse(head.header))
    return {
      error: new TRPCError({
        code: 'BAD_REQUEST',
        message: 'Streamed responses (application/jsonl) are not supported; send a plain batch.',
      }),
    };
  const path = normalisePath(head.pathname);
  if (path.kind === 'malformed') return malformedUrl();
  if (path.kind === 'page') return { error: new TRPCError({ code: 'NOT_FOUND', message: 'Not an API path.' }) };
  const address = clientAddress({ forwardedFor: head.header('x-forwarded-for'), socketAddress: head.socketAddress, trustProxy });
  const call = policyOf(path.procedurePath, credentialsOf(head.header, config));
  if (declaresTooLarge(contentLength, call.bodyBytes)) return { error: bodyTooLarge(call.bodyBytes) };
  const limited = knownRateLimited(call, address, config);
  if (limited !== undefined) return refusedWithRetry('TOO_MANY_REQUESTS', `Too many attempts. Try again in ${limited} s.`, limited);
  return { call, procedurePath: path.procedurePath, address };
}

export const isRefusal = (verdict: Judged | Refusal): verdict is Refusal => 'error' in verdict;

/** The process's admission control, or the one a test gave. */
export const admissionOf = (deps: Deps): AdmissionControl => deps.admission ?? admissionOfProcess();

/**
 * The second half, for an admitted call: tRPC runs it (the body is read now, up to its cap), in the
 * request's scope (its id in logs), with preserialised answers' bytes put into the body. Never throws:
 * whatever escapes becomes a formatted 500 with the request id.
 */
export async function runAdmitted(req: ApiRequest, judged: Judged, requestId: string, deps: Deps): Promise<Response> {
  return inRequestScope(requestId, async () => {
    let response: Response;
    try {
      response = await withPreserialised(() => runTrpc(req, requestId, deps, judged));
    } catch (cause) {
      return asResponse(refusalAnswer({ error: new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause }) }, requestId));
    }
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  });
}

async function runTrpc(
  req: ApiRequest,
  requestId: string,
  { db, config, trustProxy = false }: Deps,
  { procedurePath, address, call }: Judged,
): Promise<Response> {
  // tRPC decodes the path once more: hand it the decoded path, encoded once.
  const url = new URL(`${TRPC_ENDPOINT}/${encodeURIComponent(procedurePath)}${req.url.search}`, req.url);
  const body = req.body?.(call.bodyBytes) ?? null;
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
 * The request layer of the fetch adapter: judged, admitted, run. (The Node adapter, ./node-handler.ts,
 * composes the same three steps, and writes a refusal's bytes straight to its socket.)
 */
export async function handleApiRequest(req: ApiRequest, deps: Deps): Promise<Response> {
  const requestId = requestIdOf(req.headers);
  try {
    const judged = judge({ pathname: req.url.pathname, header: (name) => req.headers.get(name) }, deps);
    if (isRefusal(judged)) return asResponse(refusalAnswer(judged, requestId));
    const admission = await admissionOf(deps).admit(judged.call.priority, req.signal);
    if (!admission.admitted) return asResponse(refusalAnswer(overloaded(admission.retryAfterSeconds), requestId));
    try {
      return await runAdmitted(req, judged, requestId, deps);
    } finally {
      admission.release();
    }
  } catch (cause) {
    return asResponse(refusalAnswer({ error: new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause }) }, requestId));
  }
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
