import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createConcert } from '@/server/seed';
import { flushHeartbeats } from '@/server/queue/heartbeats';
import { queuePassCookie, signQueuePass, verifyQueuePass } from '@/server/queue/queue-pass';
import { signSession } from '@/server/session/signing';
import { useTestDatabase } from '@/server/testing/test-database';
import { testConfig, TestUser } from '@/server/testing/test-user';
import { answerPoll } from './fast-poll';
import { createNodeHandler } from './node-handler';
import { createRequestServer, stopServer } from './production-server';
import { handleFetch, type Deps } from './trpc-handlers';

/**
 * A waiting fan's poll answered by the request layer (./fast-poll.ts) is tRPC's answer byte for byte,
 * and every call it does not answer itself (no session, a forged one, no queue pass or a forged one,
 * an input outside the schema) goes on to tRPC and gets tRPC's answer.
 */
const { db } = await useTestDatabase();
const config = testConfig({ RATE_LIMIT_PER_MINUTE: 0 });
const deps: Deps = { db, config };

const server = createRequestServer({
  handleApi: createNodeHandler(deps),
  handlePage: (_req, res) => Promise.resolve(void res.writeHead(404).end('page')),
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(async () => {
  await flushHeartbeats(db);
  await stopServer(server as http.Server, 1_000);
});

const { concertId } = await createConcert(db, {
  title: 'Fast poll',
  artist: 'Testers',
  venue: 'Test Hall',
  dayOffsets: [30],
  sale: { maxActive: 1 },
});
const fan = async () => {
  const user = await new TestUser(db, config).start();
  await user.join(concertId);
  return user;
};
await fan(); // admitted: the ones after wait
const waiting = await fan();
const behind = await fan();

const REQUEST_ID = 'fast-poll-test-0001';
const statusPath = (input: unknown, batch = false) =>
  batch
    ? `/api/trpc/queue.status?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: input }))}`
    : `/api/trpc/queue.status${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;

/** The same request through the Node adapter (with the fast path) and tRPC alone (the fetch adapter has none). */
async function both(path: string, cookie: string) {
  const headers = { cookie, 'x-request-id': REQUEST_ID };
  const viaNode = await fetch(`${base}${path}`, { headers });
  const viaTrpc = await handleFetch(new Request(`http://localhost${path}`, { headers }), deps);
  const answer = async (res: Response) => ({
    status: res.status,
    body: await res.text(),
    contentType: res.headers.get('content-type'),
    vary: res.headers.get('vary'),
    requestId: res.headers.get('x-request-id'),
    setCookie: res.headers.getSetCookie().map((c) => c.split('=')[0]),
  });
  return { node: await answer(viaNode), trpc: await answer(viaTrpc) };
}

const head = (cookie: string) => (name: string) => (name === 'cookie' ? cookie : null);
const poll = (path: string, cookie: string) => {
  const url = new URL(path, 'http://localhost');
  return answerPoll({ method: 'GET', procedurePath: 'queue.status', search: url.searchParams, header: head(cookie) }, deps);
};

describe('a waiting fan’s poll answered by the request layer', () => {
  it('is answered from memory, and is tRPC’s own answer byte for byte, alone or as a batch of one, with or without its concert', async () => {
    for (const [input, batch] of [
      [{ concertId }, false],
      [{ concertId }, true],
      [undefined, false],
      [{}, true],
    ] as const) {
      const path = statusPath(input, batch);
      expect(await poll(path, waiting.cookies.header()), path).toBeInstanceOf(Buffer);
      const { node, trpc } = await both(path, waiting.cookies.header());
      expect(node.status).toBe(200);
      expect(node).toEqual(trpc);
      const data = JSON.parse(node.body) as unknown;
      expect(
        batch ? (data as [{ result: { data: unknown } }])[0].result.data : (data as { result: { data: unknown } }).result.data,
      ).toMatchObject({
        status: 'waiting',
        position: expect.any(Number),
      });
    }
  });

  it('leaves to tRPC a fan without a valid session, with a forged or another’s queue pass, or without one', async () => {
    const pass = waiting.cookies.get(queuePassCookie(concertId))!;
    const real = verifyQueuePass(config.SESSION_SECRET, pass, { userId: waiting.userId, token: waiting.token })!;
    const cookie = (changes: Record<string, string | undefined>) => {
      const jar = new Map([...waiting.cookies.entries()]);
      for (const [name, value] of Object.entries(changes)) {
        if (value === undefined) jar.delete(name);
        else jar.set(name, value);
      }
      return [...jar].map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('; ');
    };
    const cases = {
      'no session': cookie({ sid: undefined }),
      'a forged session': cookie({ sid: signSession('x'.repeat(40), waiting.userId) }),
      'another fan’s session': cookie({ sid: behind.cookies.get('sid') }),
      'a forged queue pass': cookie({ [queuePassCookie(concertId)]: signQueuePass('x'.repeat(40), { ...real, place: 1 }, waiting.token) }),
      'another fan’s queue pass': cookie({ [queuePassCookie(concertId)]: behind.cookies.get(queuePassCookie(concertId)) }),
      'no queue pass': cookie({ [queuePassCookie(concertId)]: undefined }),
      'no queue token': cookie({ queue_token: undefined, [`queue_token_${concertId}`]: undefined }),
    };
    for (const [name, jar] of Object.entries(cases)) {
      const path = statusPath({ concertId });
      expect(await poll(path, jar), name).toBeUndefined();
      const { node, trpc } = await both(path, jar);
      expect(node, name).toEqual(trpc);
      expect(node.status, name).not.toBe(500);
    }
  });

  it('leaves to tRPC an input outside the schema, and any query it does not read itself', async () => {
    const paths = [
      statusPath({ concertId: 0 }),
      statusPath({ concertId: 1.5 }),
      statusPath({ concertId: String(concertId) }),
      statusPath({ concertId, other: 1 }),
      statusPath(null),
      statusPath([concertId]),
      statusPath({ concertId: 2 ** 31 }),
      `/api/trpc/queue.status?input=%7Bnot-json`,
      `/api/trpc/queue.status?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { concertId }, 1: { concertId } }))}`,
      `/api/trpc/queue.status?input=${encodeURIComponent(JSON.stringify({ concertId }))}&x=1`,
    ];
    for (const path of paths) {
      expect(await poll(path, waiting.cookies.header()), path).toBeUndefined();
      const { node, trpc } = await both(path, waiting.cookies.header());
      expect(node, path).toEqual(trpc);
    }
  });

  it('answers nothing but queue.status queries', async () => {
    const url = new URL(statusPath({ concertId }), 'http://localhost');
    const call = { search: url.searchParams, header: head(waiting.cookies.header()) };
    expect(await answerPoll({ ...call, method: 'POST', procedurePath: 'queue.status' }, deps)).toBeUndefined();
    expect(await answerPoll({ ...call, method: 'GET', procedurePath: 'queue.line' }, deps)).toBeUndefined();
    expect(await answerPoll({ ...call, method: 'GET', procedurePath: 'queue.status,queue.status' }, deps)).toBeUndefined();
  });
});
