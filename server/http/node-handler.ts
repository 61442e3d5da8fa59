import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPCError } from '@trpc/server';
import { REQUEST_ID_HEADER, requestIdOf } from '@/server/trpc/context';
import { answerPoll, POLL_ANSWER_HEADERS } from './fast-poll';
import { MAX_BODY_BYTES } from './procedure-policy';
import { preserialisedBody } from './preserialised';
import { bodyTooLarge } from './request-guard';
import { inRequestScope } from './request-scope';
import {
  admissionOf,
  isRefusal,
  judge,
  malformedUrl,
  overloaded,
  refusalAnswer,
  runAdmitted,
  type Deps,
  type HeaderOf,
  type Refusal,
} from './trpc-handlers';

/**
 * The Node adapter of the request layer (`npm start`): the same steps as the fetch adapter
 * (./trpc-handlers.ts), fed from a socket. A call refused before its body is read (most of a burst)
 * is answered from the request line and headers alone: its answer's bytes go straight to the socket,
 * with no Headers, Request or Response built for it.
 */

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

/** A request header from Node's parsed headers (a repeated one joined, as Headers does). */
const headerOf =
  (req: IncomingMessage): HeaderOf =>
  (name) => {
    const value = req.headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };

/** A refusal's bytes, written at once. */
function writeRefusal(res: ServerResponse, refusal: Refusal, requestId: string): void {
  if (res.destroyed) return;
  const { status, headers, body } = refusalAnswer(refusal, requestId);
  res.writeHead(status, { ...headers, 'content-length': body.byteLength });
  res.end(body);
}

/**
 * A URL no router can read (a page's or the API's): a 400 in the API's error shape, for the production
 * server to answer before Next would answer it with a 500.
 */
export function answerMalformedUrl(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('cache-control', 'no-store');
  writeRefusal(res, malformedUrl(), requestIdOf({ get: headerOf(req) }));
}

/** The request line's path and query (never the Host header: the client's to write, it must not change which procedure runs). */
function urlOf(req: IncomingMessage): URL {
  try {
    return new URL(`http://localhost${req.url?.startsWith('/') ? '' : '/'}${req.url ?? ''}`);
  } catch {
    return new URL(`http://localhost/${encodeURI(req.url ?? '')}`);
  }
}

/**
 * The Node adapter (`npm start`). Its promise settles when the call's work is done (even if the client
 * hung up), so a graceful stop can wait for it, and never rejects: whatever escapes becomes a
 * formatted 500 with the request id.
 */
export function createNodeHandler(deps: Deps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const requestId = requestIdOf({ get: headerOf(req) });
    try {
      await serve(req, res, requestId, deps);
    } catch (cause) {
      if (res.headersSent) res.destroy();
      else writeRefusal(res, { error: new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause }) }, requestId);
    }
  };
}

/** One call through the Node adapter: judged, admitted, run, written. */
async function serve(req: IncomingMessage, res: ServerResponse, requestId: string, deps: Deps): Promise<void> {
  const header = headerOf(req);
  const url = urlOf(req);
  let bodyRead = false;
  // A body left unread is not kept: a call refused before reading it (overloaded, rate limited, too
  // large for its procedure but within the largest cap) has the rest discarded as it arrives, Node's
  // default, so the client reads its answer on a connection that stays open; one that was read past
  // its cap, or that declares more than any procedure takes, closes after the answer instead.
  const closeIfUnread = () => {
    if (!req.complete && (bodyRead || !declaresAtMost(req.headers['content-length'], MAX_BODY_BYTES))) res.setHeader('connection', 'close');
  };
  const judged = judge({ pathname: url.pathname, header, socketAddress: req.socket.remoteAddress }, deps);
  if (isRefusal(judged)) {
    closeIfUnread();
    return writeRefusal(res, judged, requestId);
  }
  const abort = new AbortController();
  // The client went away before its answer was written (aborting on every close costs a DOMException a call).
  res.once('close', () => res.writableFinished || abort.abort());
  const admission = await admissionOf(deps).admit(judged.call.priority, abort.signal);
  if (!admission.admitted) {
    closeIfUnread();
    return writeRefusal(res, overloaded(admission.retryAfterSeconds), requestId);
  }
  let response: Response;
  try {
    // A waiting fan's poll that memory answers: written here, without tRPC (./fast-poll.ts). Should it
    // fail, tRPC runs the call as any other and answers the error.
    const poll = await inRequestScope(requestId, () =>
      answerPoll({ method: req.method ?? 'GET', procedurePath: judged.procedurePath, search: url.searchParams, header }, deps),
    ).catch(() => undefined);
    if (poll) {
      if (!res.destroyed)
        res.writeHead(200, { ...POLL_ANSWER_HEADERS, [REQUEST_ID_HEADER]: requestId, 'content-length': poll.byteLength }).end(poll);
      return;
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    response = await runAdmitted(
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
      judged,
      requestId,
      deps,
    );
  } finally {
    admission.release();
  }
  closeIfUnread();
  if (!res.destroyed) await writeResponse(res, response).catch(() => res.destroy());
}
