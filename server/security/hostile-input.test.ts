import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../db/seed';
import { REASON_CODES } from '../errors';
import { createNodeHandler, handleFetch, MAX_BODY_BYTES } from '../http/trpc-handlers';
import { checkInvariants } from '../invariants';
import { CookieJar } from '../testing/cookie-jar';
import { useTestDatabase } from '../testing/test-database';
import { concertOnSale, testConfig } from '../testing/test-user';
import { appRouter } from '../trpc/root';

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
const FIELDS = ['concertId', 'scheduleId', 'seatId', 'reservationId', 'amount', 'name', 'cursor', 'limit', 'idempotencyKey'];

const hostileValue = fc.oneof(
  fc.integer(),
  fc.integer({ min: 1, max: 200 }), // often a real id
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
    const cookie = await fanCookie();
    await fc.assert(
      fc.asyncProperty(hostileInput, fc.option(fc.string({ maxLength: 200 }), { freq: 4 }), async (input, rawBody) => {
        tried++;
        await expectClientAnswer(
          await handleFetch(request(path, type, cookie, input, rawBody ?? undefined), { db, config }),
          `${path} ${JSON.stringify(input)?.slice(0, 200)}`,
        );
      }),
      { numRuns: RUNS_PER_PROCEDURE },
    );
  });

  it('answers wrong methods, unknown procedures, bad batches and oversized bodies with a 4xx', async () => {
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
      [
        'oversized body',
        raw({
          url: 'http://localhost/api/trpc/wallet.charge',
          method: 'POST',
          body: JSON.stringify({ amount: 1, pad: 'x'.repeat(MAX_BODY_BYTES) }),
        }),
      ],
      ['not JSON at all', raw({ url: 'http://localhost/api/trpc/wallet.charge', method: 'POST', body: '\u0000\u0001garbage' })],
    ];
    for (const [what, res] of cases) await expectClientAnswer(await res, what);
  });

  it('refuses an oversized body on the Node adapter too', async () => {
    const server = http.createServer(createNodeHandler({ db, config }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/api/trpc/session.start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES * 2) }),
    });
    expect(res.status).toBe(413);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterAll(async () => {
    const breaches = (await checkInvariants(sql, config.QUEUE_MAX_ACTIVE)).filter((r) => r.breaches.length > 0);
    console.log(`hostile input: ${tried} inputs tried over ${procedures.length} procedures, ${breaches.length} invariant breaches`);
    expect(breaches).toEqual([]);
  });
});
