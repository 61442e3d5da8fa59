import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '@/server/seed';
import { CookieJar } from '@/server/testing/cookie-jar';
import { useTestDatabase } from '@/server/testing/test-database';
import { concertOnSale, testConfig } from '@/server/testing/test-user';
import type { AppRouter } from '@/server/trpc/root';
import { createNodeHandler } from './node-handler';
import { handleFetch } from './trpc-handlers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read whatever JSON came back, path by path
type Json = any;

const { db } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
beforeAll(() => seedDemoData(db));

/** A plain HTTP client with a cookie jar, as curl or k6 would be. */
function browserlessClient(send: (req: Request) => Promise<Response>) {
  const jar = new CookieJar();
  return {
    jar,
    async call(method: 'GET' | 'POST', path: string, options: { input?: unknown; body?: string; headers?: Record<string, string> } = {}) {
      const url = new URL(`http://localhost/api/trpc/${path}`);
      if (method === 'GET' && options.input !== undefined) url.searchParams.set('input', JSON.stringify(options.input));
      const headers = new Headers(options.headers);
      if (jar.size) headers.set('cookie', jar.header());
      if (method === 'POST') headers.set('content-type', 'application/json');
      const body = method === 'POST' ? (options.body ?? JSON.stringify(options.input ?? {})) : undefined;
      const res = await send(new Request(url, { method, headers, body }));
      jar.absorbAll(res.headers);
      return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
    },
  };
}

describe('plain HTTP through the route handler (fetch adapter)', () => {
  const client = () => browserlessClient((req) => handleFetch(req, { db, config }));

  it('runs the whole booking flow with JSON in and out, cookies for identity', async () => {
    const c = client();
    const started = await c.call('POST', 'session.start', { input: { name: 'curl' } });
    expect(started.status).toBe(200);
    expect(started.json.result.data).toMatchObject({ name: 'curl' });
    expect(started.headers.getSetCookie()[0]).toMatch(/^sid=.+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);

    const issued = await c.call('POST', 'queue.issue', { input: { concertId: await concertOnSale(db, { settingsFrom: config }) } });
    const { token, status } = issued.json.result.data;
    expect(status).toBe('active');
    // API clients send the token in a header instead of the cookies (one per line, and the last joined).
    for (const name of [...c.jar.keys()]) if (name.startsWith('queue_token')) c.jar.delete(name);
    const headers = { 'x-queue-token': token };

    const concerts = (await c.call('GET', 'concert.list')).json.result.data;
    const dates = (await c.call('GET', 'concert.dates', { input: { concertId: concerts[0].concertId }, headers })).json.result.data;
    expect(dates[0]).toMatchObject({ startsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const seats = (await c.call('GET', 'concert.seats', { input: { scheduleId: dates[0].scheduleId }, headers })).json.result.data;
    const hold = (await c.call('POST', 'reservation.hold', { input: { seatId: seats[0].seatId }, headers })).json.result.data;
    expect(hold).toMatchObject({ seatId: seats[0].seatId, price: seats[0].price });

    const short = await c.call('POST', 'payment.pay', { input: { reservationId: hold.reservationId }, headers });
    expect(short.status).toBe(402);
    expect(short.json.error.data).toMatchObject({ code: 'PAYMENT_REQUIRED', reason: 'INSUFFICIENT_BALANCE', shortfall: hold.price });

    await c.call('POST', 'wallet.charge', { input: { amount: hold.price }, headers });
    const paid = await c.call('POST', 'payment.pay', { input: { reservationId: hold.reservationId }, headers });
    expect(paid.status).toBe(200);
    expect(paid.json.result.data).toMatchObject({ reservationId: hold.reservationId, amount: hold.price, balance: 0 });
  });

  it('answers errors with the HTTP status and a machine-readable reason, never a 500', async () => {
    const c = client();
    const noSession = await c.call('GET', 'session.me');
    expect(noSession.status).toBe(401);
    expect(noSession.json.error.data).toMatchObject({ reason: 'SESSION_REQUIRED' });

    await c.call('POST', 'session.start');
    const noToken = await c.call('GET', 'wallet.balance');
    expect(noToken.status).toBe(401);
    expect(noToken.json.error.data.reason).toBe('TOKEN_INVALID');

    const { token } = (await c.call('POST', 'queue.issue', { input: { concertId: await concertOnSale(db, { settingsFrom: config }) } }))
      .json.result.data;
    const headers = { 'x-queue-token': token };
    const badAmount = await c.call('POST', 'wallet.charge', { input: { amount: 'lots' }, headers });
    expect(badAmount.status).toBe(400);
    expect(badAmount.json.error.data).toMatchObject({ reason: 'INVALID_INPUT', fieldErrors: { amount: [expect.any(String)] } });

    const notJson = await c.call('POST', 'wallet.charge', { body: '{"amount": ', headers });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.data.reason).toBe('INVALID_INPUT');

    const unknown = await c.call('GET', 'nothing.here');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.data.reason).toBe('NOT_FOUND');

    const wrongMethod = await c.call('GET', 'wallet.charge', { input: { amount: 1 }, headers });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json.error.data.reason).toBe('INVALID_INPUT');

    const missing = await c.call('GET', 'concert.seats', { input: { scheduleId: 2_000_000_000 }, headers });
    expect(missing.status).toBe(404);
    // Nothing about the server leaks into an error.
    for (const res of [noSession, noToken, badAmount, notJson, unknown, missing])
      expect(JSON.stringify(res.json)).not.toMatch(/stack|postgres|SELECT/i);
  });
});

describe('the typed tRPC client over a real socket (Node adapter)', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    const handle = createNodeHandler({ db, config });
    server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function typedClient() {
    const jar = new CookieJar();
    return createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url,
          headers: () => (jar.size ? { cookie: jar.header() } : {}),
          fetch: async (input, init) => {
            const res = await fetch(input, init);
            jar.absorbAll(res.headers);
            return res;
          },
        }),
      ],
    });
  }

  it('books a seat, and the loser of a race for it sees SEAT_UNAVAILABLE in error.data', async () => {
    const [alice, bob] = [typedClient(), typedClient()];
    await Promise.all([alice.session.start.mutate({ name: 'Alice' }), bob.session.start.mutate({ name: 'Bob' })]);
    const [concert] = await alice.concert.list.query();
    await Promise.all([
      alice.queue.issue.mutate({ concertId: concert!.concertId }),
      bob.queue.issue.mutate({ concertId: concert!.concertId }),
    ]);
    const [date] = await alice.concert.dates.query({ concertId: concert!.concertId });
    const seat = (await alice.concert.seats.query({ scheduleId: date!.scheduleId })).find((s) => s.status === 'available')!;

    const results = await Promise.allSettled([
      alice.reservation.hold.mutate({ seatId: seat.seatId }),
      bob.reservation.hold.mutate({ seatId: seat.seatId }),
    ]);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(lost.reason).toBeInstanceOf(TRPCClientError);
    expect(lost.reason.data).toMatchObject({ code: 'CONFLICT', httpStatus: 409, reason: 'SEAT_UNAVAILABLE' });
  });
});

describe('request hygiene over plain HTTP', () => {
  const send = (req: Request) => handleFetch(req, { db, config });

  it('refuses mutations from another site, and allows calls without an Origin', async () => {
    const crossSite = await send(
      new Request('http://tickets.example/api/trpc/session.start', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: '{}',
      }),
    );
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as Json).error.data.reason).toBe('CROSS_SITE');
    const fetchMeta = await send(
      new Request('http://tickets.example/api/trpc/session.start', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
        body: '{}',
      }),
    );
    expect(fetchMeta.status).toBe(403);
    const sameSite = await send(
      new Request('http://tickets.example/api/trpc/session.start', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://tickets.example' },
        body: '{}',
      }),
    );
    expect(sameSite.status).toBe(200);
    const noOrigin = await send(
      new Request('http://tickets.example/api/trpc/session.start', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    expect(noOrigin.status).toBe(200);
  });

  it('gives every response a request id, which errors carry too', async () => {
    const res = await send(new Request('http://localhost/api/trpc/session.me'));
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await res.json()) as Json).error.data.requestId).toBe(requestId);
    const given = await send(new Request('http://localhost/api/trpc/health.ping', { headers: { 'x-request-id': 'proxy-req-12345' } }));
    expect(given.headers.get('x-request-id')).toBe('proxy-req-12345');
  });
});

describe('rate limits over plain HTTP', () => {
  it('answers 429 with Retry-After once a client passes the limit, per address', async () => {
    const limited = testConfig({ RATE_LIMIT_PER_MINUTE: 3 });
    const start = (ip: string) =>
      handleFetch(
        new Request('http://localhost/api/trpc/session.start', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `${ip}, 10.9.9.9` },
          body: '{}',
        }),
        { db, config: limited, trustProxy: true },
      );
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await start('203.0.113.7')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await start('203.0.113.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as Json).error.data).toMatchObject({
      reason: 'TOO_MANY_REQUESTS',
      retryAfterSeconds: expect.any(Number),
    });
    expect((await start('198.51.100.1')).status).toBe(200);
  });
});
