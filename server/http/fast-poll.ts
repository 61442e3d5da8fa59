import { callerBySignatures } from '@/server/account/caller';
import { queuePassesOf, queueTokenOf } from '@/server/queue/cookies';
import { validTokenString } from '@/server/queue/read-token';
import { answerFromQueuePass } from '@/server/queue/status';
import { parseCookies } from './cookies';
import type { Deps, HeaderOf } from './trpc-handlers';

/**
 * A waiting fan's poll (`queue.status` with a valid queue pass), answered by the request layer itself
 * instead of through tRPC: most of sale day's calls are these, and tRPC's per-call work (a Web
 * `Request` with its `AbortSignal`, the input parser, four middlewares merging contexts, a `Response`
 * read back into bytes) was a third of a poll's CPU. The checks stay, each made once: the call was
 * judged and admitted (rate limits, admission control) like any other; the session is verified by its
 * signature (one HMAC: `callerBySignatures`, the same first steps as the session middleware); the
 * queue pass's signature, expiry and binding to this user and token by `answerFromQueuePass`, the
 * function the procedure itself calls; the input is held to the procedure's schema.
 *
 * Anything else is not answered here (`undefined`) and goes to tRPC unchanged, which answers it as it
 * always did: a call whose input is not exactly the schema's plain shape, a batch of more than this
 * call, an account whose session only the database can confirm, no session, no token, a queue pass
 * that memory cannot vouch for (the database then answers and signs a new one). So every answer given
 * here is byte for byte tRPC's own (fast-poll.test.ts compares them), and every refusal is still tRPC's.
 */

const PROCEDURE = 'queue.status';
/** As server/ids.ts's intId. */
const MAX_ID = 2_147_483_647;

/** What the status procedure's input schema accepts: nothing, `{}` or `{ concertId }` (a positive 32-bit id). Else null. */
function statusInput(value: unknown): { concertId?: number } | null {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  let concertId: number | undefined;
  for (const key of Object.keys(value)) {
    if (key !== 'concertId') return null;
    const id = (value as { concertId: unknown }).concertId;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_ID) return null;
    concertId = id;
  }
  return concertId === undefined ? {} : { concertId };
}

/** The call's input and whether it came as a batch of one (`?batch=1`, as the browser's client sends), or null when tRPC must read it. */
function pollCall(search: URLSearchParams): { concertId?: number; batch: boolean } | null {
  let params = 0;
  for (const name of search.keys()) if ((name !== 'input' && name !== 'batch') || ++params > 2) return null;
  const batch = search.get('batch');
  if (batch !== null && batch !== '1') return null;
  const raw = search.get('input');
  let parsed: unknown;
  if (raw) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (batch === null) {
    const input = statusInput(parsed);
    return input && { ...input, batch: false };
  }
  // A batch of one: its inputs an object with the one call's input under "0".
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== '0') return null;
  const input = statusInput((parsed as Record<string, unknown>)['0']);
  return input && { ...input, batch: true };
}

/** The response headers tRPC's fetch adapter gives a query's answer (the request id is added by the caller). */
export const POLL_ANSWER_HEADERS = { 'content-type': 'application/json', vary: 'trpc-accept, accept' } as const;

/**
 * The body of this poll's answer, if it is a poll memory can answer; `undefined` sends it on to tRPC.
 * `procedurePath` is the judged call's (normalised); `search` the request's query.
 */
export async function answerPoll(
  { method, procedurePath, search, header }: { method: string; procedurePath: string; search: URLSearchParams; header: HeaderOf },
  { db, config }: Deps,
): Promise<Buffer | undefined> {
  if (procedurePath !== PROCEDURE || method !== 'GET' || header('content-type') !== null) return undefined;
  const call = pollCall(search);
  if (!call) return undefined;
  const cookies = parseCookies(header('cookie'));
  const caller = callerBySignatures(config, cookies);
  if (!caller) return undefined;
  const request = { headers: { get: header }, cookies };
  const token = queueTokenOf(request, call.concertId);
  if (!validTokenString(token)) return undefined;
  const view = await answerFromQueuePass(db, config, {
    userId: caller.userId,
    token,
    queuePasses: queuePassesOf(request, call.concertId),
  });
  if (!view) return undefined;
  const answer = `{"result":{"data":${JSON.stringify(view)}}}`;
  return Buffer.from(call.batch ? `[${answer}]` : answer);
}
