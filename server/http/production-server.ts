import http from 'node:http';
import next from 'next';
import { getDatabase } from '../database';
import { env } from '../env';
import { createNodeHandler, TRPC_ENDPOINT } from './trpc-handlers';

/**
 * The self-hosted production server (`npm start`): `/api/trpc` goes straight to tRPC's Node adapter,
 * with the same router, middleware and contract as the Next route handler, which stays for Vercel;
 * everything else (pages, assets) goes to Next. Skipping Next's request pipeline for the API is what
 * makes the hot paths (queue polling, holds, payments) several times cheaper.
 */
export async function startProductionServer(port: number): Promise<http.Server> {
  const app = next({ dev: false, dir: process.cwd(), port });
  await app.prepare();
  const handleNext = app.getRequestHandler();
  const config = env();
  const handleTrpc = createNodeHandler({ db: getDatabase().db, config, trustProxy: config.TRUST_PROXY });
  const prefix = `${TRPC_ENDPOINT}/`;

  const server = http.createServer((req, res) => {
    if (req.url?.startsWith(prefix)) {
      // The API answers JSON only; Next adds the full set (CSP and all) to everything it serves.
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
      res.setHeader('Cache-Control', 'no-store');
      handlersInFlight++;
      return void handleTrpc(req, res).finally(() => handlersInFlight--);
    }
    handleNext(req, res).catch((error: unknown) => {
      console.error('Next request failed:', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return server;
}

/** Stops taking connections and lets requests in flight finish (for at most `graceMs`). */
export async function stopServer(server: http.Server, graceMs = 10_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}

/** API handlers still running; a client that hung up does not stop its handler's transaction. */
let handlersInFlight = 0;
const DRAIN_POLL_MS = 20;

/** On SIGTERM: the requests in flight finish (their handlers too), then the database pool closes. */
export async function stopProductionServer(server: http.Server, graceMs = 10_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  await stopServer(server, graceMs);
  while (handlersInFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
  await getDatabase().close();
}
