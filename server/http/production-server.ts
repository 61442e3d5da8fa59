import http from 'node:http';
import type { Socket } from 'node:net';
import next from 'next';
import { getDatabase } from '@/server/database';
import { env } from '@/server/env';
import { isBareHost, normalisePath } from './request-guard';
import { logUnhandledErrors } from './request-scope';
import { answerMalformedUrl, createNodeHandler } from './node-handler';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** A client gets this long to send its request headers, and this long for the whole request. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** Longer than common load balancers' idle timeout, so they close idle connections first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Connections waiting to be accepted, per listening socket (Node's default is 511). */
const LISTEN_BACKLOG = 4_096;

/** A connection, and whether it is answering a request (and which) right now. */
interface Connection {
  req?: http.IncomingMessage;
  responding: boolean;
}

/** Connections of a server, and API handlers still running (a client that hung up does not stop its handler's transaction). */
interface InFlight {
  connections: Map<Socket, Connection>;
  handlers: number;
}
const inFlight = new WeakMap<http.Server, InFlight>();

/**
 * The HTTP server of `npm start`: requests are routed on their normalised path (the one Next would
 * route on), so every spelling of `/api/trpc/…` reaches the API's request layer and none slips
 * through Next's route handler instead; a malformed URL is a 400 here, for pages too.
 */
export function createRequestServer({ handleApi, handlePage }: { handleApi: Handler; handlePage: Handler }): http.Server {
  const state: InFlight = { connections: new Map(), handlers: 0 };
  const server = http.createServer((req, res) => {
    const connection = state.connections.get(req.socket);
    if (connection) {
      connection.req = req;
      connection.responding = true;
      res.once('close', () => (connection.responding = false));
    }
    const path = isBareHost(req.headers.host) ? normalisePath(req.url ?? '/') : { kind: 'malformed' as const };
    if (path.kind === 'malformed') return void answerMalformedUrl(req, res);
    if (path.kind === 'api') {
      // The API answers JSON only; Next adds the full set (CSP and all) to everything it serves.
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
      res.setHeader('Cache-Control', 'no-store');
      state.handlers++;
      return void handleApi(req, res).finally(() => state.handlers--);
    }
    handlePage(req, res).catch((error: unknown) => {
      console.error('Next request failed:', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.on('connection', (socket: Socket) => {
    state.connections.set(socket, { responding: false });
    socket.once('close', () => state.connections.delete(socket));
  });
  inFlight.set(server, state);
  return server;
}

/**
 * The self-hosted production server (`npm start`): the API goes straight to the request layer over
 * tRPC's router (server/http/trpc-handlers.ts), with the same protections, middleware and contract as
 * the Next route handler, which stays for Vercel; everything else (pages, assets) goes to Next.
 * Skipping Next's request pipeline for the API is what makes the hot paths several times cheaper.
 */
export async function startProductionServer(port: number): Promise<http.Server> {
  logUnhandledErrors();
  const app = next({ dev: false, dir: process.cwd(), port });
  await app.prepare();
  const config = env();
  const server = createRequestServer({
    handleApi: createNodeHandler({ db: getDatabase().db, config, trustProxy: config.TRUST_PROXY }),
    handlePage: app.getRequestHandler(),
  });
  // A crowd arrives at once: connections beyond the backlog have their SYN dropped and wait a second
  // or more to retry, before the admission control (./admission.ts) can even answer them. The kernel
  // caps it at net.core.somaxconn.
  await new Promise<void>((resolve) => server.listen({ port, backlog: LISTEN_BACKLOG }, resolve));
  return server;
}

const DRAIN_POLL_MS = 20;

/**
 * Stops taking connections and lets requests in flight finish (for at most `graceMs`). Connections
 * that are not answering a complete request are cut at once: idle ones, ones still sending headers,
 * and ones whose request body has not fully arrived (a stalled client would otherwise hold the stop
 * for its whole grace period, and its call has not started any work yet).
 */
export async function stopServer(server: http.Server, graceMs = 10_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const state = inFlight.get(server);
  for (const [socket, { req, responding }] of state?.connections ?? []) if (!responding || !req?.complete) socket.destroy();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
  while (state && state.handlers > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
}

type StopHook = () => Promise<void> | void;
const stopHooks: StopHook[] = [];

/**
 * Work to finish when this process stops, after its requests are answered and before its database pool
 * closes (e.g. writing out what it batched in memory). A hook that fails is logged; the stop goes on.
 */
export function onStop(hook: StopHook): void {
  stopHooks.push(hook);
}

/** On SIGTERM: the requests in flight finish (their handlers too), then the stop hooks run, then the database pool closes. */
export async function stopProductionServer(server: http.Server, graceMs = 10_000): Promise<void> {
  await stopServer(server, graceMs);
  for (const hook of stopHooks)
    await Promise.resolve()
      .then(hook)
      .catch((error: unknown) => console.error('A stop hook failed:', error));
  await getDatabase().close();
}
