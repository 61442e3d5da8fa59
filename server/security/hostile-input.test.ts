import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '@/server/seed';
import { REASON_CODES } from '@/server/errors';
import { createNodeHandler } from '@/server/http/node-handler';
import { handleFetch, MAX_BODY_BYTES } from '@/server/http/trpc-handlers';
import { checkInvariants } from '@/server/invariants';
import { CookieJar } from '@/server/testing/cookie-jar';
import { useTestDatabase } from '@/server/testing/test-database';
import { concertOnSale, testConfig } from '@/server/testing/test-user';
import { appRouter } from '@/server/trpc/root';

/**
 * Property-based: every procedure, fed random and malformed input over plain HTTP, answers a 4xx with
 * a known reason or succeeds, never a 500; and afterwards every invariant still holds.
 */
const database = await useTestDatabase();
const { db, sql } = database;
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000, RATE_LIMIT_PER_MINUTE: 0 });
beforeAll(() => seedDemoData(db));

const RUNS_PER_PROCEDURE = 40;
const KNOWN_REASONS = new Set(Object.keys(REASON_CODES));
const FIELDS = [
  'concertId',
  'scheduleId',
  'seatId',
  'reservationId',
  'amount',
  'name',
  'cursor',
  'limit',
  'idempotencyKey',
  // orders, best available, tickets
  'seatIds',
  'orderId',
  'quantity',
  'section',
  'code',
];
/** The operator's fields: admin.* procedures are fed them with the operator's cookie, so their validation is what answers. */
const OPERATOR_FIELDS = [
  'password',
  'title',
  'artist',
  'venue',
  'dates',
  'sections',
  'sale',
  'maxActive',
  'turnSeconds',
  'prequeueOpensAt',
  'opensAt',
];

const hostileValue = fc.oneof(
  fc.integer(),
  fc.integer({ min: 1, max: 200 }), // often a real id
  fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 6 }), // seat ids, often real ones (and repeated)
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, Number.MIN_VALUE),
  fc.string(),
  fc.string({ minLength: 1000, maxLength: 3000 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
);
const hostileInput = fc.oneof(
  fc.record(Object.fromEntries(FIELDS.map((f) => [f, hostileValue])), { requiredKeys: [] }),
  fc.jsonValue(),
  fc.constant(undefined),
);

/** For admin.*: the operator's fields, and often a bare concert id, so the services are reached too. */
const operatorInput = fc.oneof(
  fc.record(Object.fromEntries(['concertId', ...OPERATOR_FIELDS].map((f) => [f, hostileValue])), { requiredKeys: [] }),
  fc.record({ concertId: hostileValue }),
  hostileInput,
);

const procedures = Object.entries(appRouter._def.procedures as Record<string, unknown>).map(([path, p]) => ({
  path,
  type: (p as { _def: { type: string } })._def.type,
}));

/** A fan with a session and an active turn, as cookies for raw requests. */
async function fanCookie(): Promise<string> {
  const jar = new CookieJar();
  const call = async (path: string, input: unknown = {}) => {
    const res = await handleFetch(
      new Request(`http://localhost/api/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar.header() },
        body: JSON.stringify(input),
      }),
      { db, config },
    );
    jar.absorbAll(res.headers);
  };
  await call('session.start');
  await call('queue.issue', { concertId: await concertOnSale(db, { settingsFrom: config }) });
  return jar.header();
}

/** A fan's cookies plus the operator's sign-in. */
async function operatorCookie(): Promise<string> {
  const jar = new CookieJar();
  const res = await handleFetch(
    new Request('http://localhost/api/trpc/admin.login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: config.OPERATOR_PASSWORD }),
    }),
    { db, config },
  );
  jar.absorbAll(res.headers);
  return `${await fanCookie()}; ${jar.header()}`;
}

function request(path: string, type: string, cookie: string, input: unknown, rawBody?: string): Request {
  const headers = { cookie, 'content-type': 'application/json' };
  if (type === 'query') {
    const url = new URL(`http://localhost/api/trpc/${path}`);
    if (input !== undefined) url.searchParams.set('input', rawBody ?? JSON.stringify(input));
    return new Request(url, { headers });
  }
  return new Request(`http://localhost/api/trpc/${path}`, {
    method: 'POST',
    headers,
    body: rawBody ?? (input === undefined ? undefined : JSON.stringify(input)),
  });
}

async function expectClientAnswer(res: Response, what: string) {
  const body = (await res.json()) as { error?: { data?: { reason?: string } } };
  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400)
    expect(KNOWN_REASONS.has(body.error?.data?.reason ?? ''), `${what}: reason ${body.error?.data?.reason}`).toBe(true);
}

let tried = 0;

describe('hostile input', () => {
  it.each(procedures)('$path answers random and malformed input with a 4xx, never a 500', async ({ path, type }) => {
    const operator = path.startsWith('admin.');
    const cookie = operator ? await operatorCookie() : await fanCookie();
    await fc.assert(
      fc.asyncProperty(
        operator ? operatorInput : hostileInput,
        fc.option(fc.string({ maxLength: 200 }), { freq: 4 }),
        async (input, rawBody) => {
          tried++;
          await expectClientAnswer(
            await handleFetch(request(path, type, cookie, input, rawBody ?? undefined), { db, config }),
            `${path} ${JSON.stringify(input)?.slice(0, 200)}`,
          );
        },
      ),
      { numRuns: RUNS_PER_PROCEDURE },
    );
  });

  it('answers wrong methods, unknown procedures, bad batches and garbage bodies with a 4xx', async () => {
    const cookie = await fanCookie();
    const raw = (init: RequestInit & { url: string }) =>
      handleFetch(
        new Request(init.url, {
          ...init,
          headers: { cookie, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
        }),
        { db, config },
      );
    const cases: [string, Promise<Response>][] = [
      ['GET on a mutation', raw({ url: 'http://localhost/api/trpc/wallet.charge?input=%7B%7D' })],
      ['unknown procedure', raw({ url: 'http://localhost/api/trpc/admin.drop', method: 'POST', body: '{}' })],
      ['bad batch', raw({ url: 'http://localhost/api/trpc/wallet.balance,nope?batch=1&input=%7B', method: 'GET' })],
      ['not JSON at all', raw({ url: 'http://localhost/api/trpc/wallet.charge', method: 'POST', body: '\u0000\u0001garbage' })],
    ];
    for (const [what, res] of cases) await expectClientAnswer(await res, what);
  });

  /**
   * A body over the cap, streamed with no Content-Length (a `Request` built from a string or a stream
   * has none): a valid charge padded past the cap. It must be refused with 413 on both adapters and
   * charge nothing; before the request layer counted streamed bytes, the fetch path answered 200.
   */
  it('refuses an oversized body without Content-Length with 413 on both adapters, and charges nothing', async () => {
    const handle = createNodeHandler({ db, config });
    const server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const cookie = await fanCookie();
    const oversized = () => {
      const request = new Request('http://localhost/api/trpc/wallet.charge', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: new Blob([JSON.stringify({ amount: 1000, pad: 'x'.repeat(MAX_BODY_BYTES * 4) })]).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(request.headers.get('content-length')).toBeNull();
      return request;
    };
    const charged = async () => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'charge'`)[0]!.n;
    const before = await charged();
    const viaFetch = await handleFetch(oversized(), { db, config });
    const viaNode = await fetch(`http://127.0.0.1:${port}/api/trpc/wallet.charge`, oversized());
    for (const res of [viaFetch, viaNode]) {
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe('INVALID_INPUT');
    }
    expect(await charged()).toBe(before);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterAll(async () => {
    const breaches = (await checkInvariants(sql, config.QUEUE_MAX_ACTIVE)).filter((r) => r.breaches.length > 0);
    console.log(`hostile input: ${tried} inputs tried over ${procedures.length} procedures, ${breaches.length} invariant breaches`);
    expect(breaches).toEqual([]);
  });
});
