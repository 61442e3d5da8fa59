import { createHmac, randomInt } from 'node:crypto';
import { createChallenge, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { JOIN_DIFFICULTY_MIN } from '@/db/limits';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { countJoinEvent, joinRates } from './join-stats';
import { readJoinableSale } from './joinable-sale';
import { effectiveDifficulty } from './join-surge';

/**
 * The cost of a place in line: a proof-of-work challenge (ALTCHA v2, altcha-lib) that `queue.issue`
 * asks a solution of before it takes a new place, when JOIN_CHALLENGE is `on`. docs/line-cost.md has
 * the protocol for API clients and the measured costs.
 *
 * A challenge asks for the counter whose PBKDF2-SHA-256 key (JOIN_CHALLENGE_KDF_COST iterations) the
 * server derived for a counter it drew evenly from 1 to the sale's difficulty: a solver tries counters
 * until its key matches, half the difficulty on average, and a thousand places cost a thousand
 * solves. (Drawing from a narrower range would not set a floor: a solver that knows the range starts
 * at its low end.) The server derives one key to issue a challenge and checks a solution with two
 * HMACs (the challenge's signature and the key's), so verifying costs the joining path next to nothing.
 *
 * A challenge is signed (HMAC under SESSION_SECRET), bound to the sale and to the session it was
 * issued to, valid for JOIN_CHALLENGE_TTL_SECONDS, and good for one place: its nonce is stored with
 * the token it joined (queue_tokens.challenge_nonce, unique).
 */

export const JOIN_CHALLENGE_ALGORITHM = 'PBKDF2/SHA-256';
/** PBKDF2 iterations of one try: a try costs a browser (WebCrypto) about 0.3 ms, the server one derivation per challenge. */
export const JOIN_CHALLENGE_KDF_COST = 1_000;
/** A challenge must be solved and used within this long of its issue. */
export const JOIN_CHALLENGE_TTL_SECONDS = 300;
/** An accounts-only sale asks a verified account for this fraction of the difficulty. */
export const VERIFIED_ACCOUNT_DIFFICULTY_DIVISOR = 4;
/** The longest solution `queue.issue` reads (a challenge and its answer, base64: about 700 characters). */
export const MAX_SOLUTION_LENGTH = 2_048;
/** How long a line's join rate (for the surge rule) is reused by this process. */
const RATE_REUSE_MS = 1_000;

const secretFor = (config: Pick<Config, 'SESSION_SECRET'>, purpose: string) =>
  createHmac('sha256', config.SESSION_SECRET).update(`join-challenge.${purpose}`).digest('hex');

/** Names the session a challenge was issued to, without showing its user id. */
const sessionTag = (config: Pick<Config, 'SESSION_SECRET'>, userId: string) =>
  createHmac('sha256', secretFor(config, 'session')).update(userId).digest('base64url').slice(0, 22);

export interface IssuedChallenge {
  /** Pass to a solver (the `altcha` package's `solveChallenge`, or any ALTCHA v2 solver). */
  challenge: Challenge;
  /** The most key derivations the solution may need. */
  difficulty: number;
  /** The line's difficulty is raised now because joins come faster than its surge threshold. */
  surging: boolean;
  expiresAt: string;
}

const recentRates = new Map<number, { at: number; joins: number }>();

async function joinsPerSecond(db: Db, concertId: number): Promise<number> {
  const kept = recentRates.get(concertId);
  if (kept && performance.now() - kept.at < RATE_REUSE_MS) return kept.joins;
  const { joins } = await joinRates(db, concertId);
  recentRates.set(concertId, { at: performance.now(), joins });
  return joins;
}

/**
 * `queue.challenge`: a new challenge for this session to join this sale's line. Refused as joining
 * would be (a sale not open, sold out, closed, or for accounts only), so nobody solves for nothing.
 */
export async function issueJoinChallenge(
  db: Db,
  config: Pick<Config, 'SESSION_SECRET' | 'JOIN_CHALLENGE'>,
  { userId, concertId, verifiedAccount, isAccount }: { userId: string; concertId: number; verifiedAccount: boolean; isAccount: boolean },
): Promise<({ required: true } & IssuedChallenge) | { required: false; challenge: null }> {
  if (config.JOIN_CHALLENGE === 'off') return { required: false, challenge: null };
  const { sale } = await readJoinableSale(db, concertId, { isAccount });
  const { difficulty: lineDifficulty, surging } = effectiveDifficulty(sale, await joinsPerSecond(db, concertId));
  const difficulty =
    sale.audience === 'accounts' && verifiedAccount
      ? Math.max(JOIN_DIFFICULTY_MIN, Math.ceil(lineDifficulty / VERIFIED_ACCOUNT_DIFFICULTY_DIVISOR))
      : lineDifficulty;
  const expiresAt = new Date(Date.now() + JOIN_CHALLENGE_TTL_SECONDS * 1000);
  const challenge = await createChallenge({
    algorithm: JOIN_CHALLENGE_ALGORITHM,
    cost: JOIN_CHALLENGE_KDF_COST,
    counter: randomInt(1, difficulty + 1),
    deriveKey,
    expiresAt,
    data: { concertId, session: sessionTag(config, userId) },
    hmacSignatureSecret: secretFor(config, 'signature'),
    hmacKeySignatureSecret: secretFor(config, 'key'),
  });
  countJoinEvent(db, concertId, 'challenges');
  return { required: true, challenge, difficulty, surging, expiresAt: expiresAt.toISOString() };
}

const hex = z.string().regex(/^[0-9a-f]+$/);
/** The solution `queue.issue` takes: base64 of `{ challenge, solution }` (the ALTCHA payload). */
const payloadSchema = z.object({
  challenge: z.object({
    parameters: z
      .object({
        algorithm: z.literal(JOIN_CHALLENGE_ALGORITHM),
        nonce: hex,
        salt: hex,
        cost: z.number().int(),
        keyLength: z.number().int(),
        keyPrefix: hex,
        keySignature: hex.optional(),
        expiresAt: z.number().optional(),
        data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
      })
      .loose(),
    signature: hex,
  }),
  solution: z.object({ counter: z.number().int().nonnegative(), derivedKey: hex, time: z.number().optional() }).loose(),
});

function refuse(
  db: Db,
  concertId: number,
  reason: 'CHALLENGE_REQUIRED' | 'CHALLENGE_INVALID' | 'CHALLENGE_EXPIRED' | 'CHALLENGE_WRONG_SALE' | 'CHALLENGE_WRONG_SESSION',
  message: string,
): never {
  countJoinEvent(db, concertId, 'refused');
  throw new DomainError(reason, message);
}

/**
 * Checks a solution sent with `queue.issue` for this session and sale, and returns its nonce (to be
 * stored with the place it takes: a second use is refused with CHALLENGE_USED there). Throws the
 * reason of the first thing wrong: missing, malformed or forged or not solved, expired, another sale's
 * or another session's.
 */
export async function checkJoinSolution(
  db: Db,
  config: Pick<Config, 'SESSION_SECRET'>,
  { userId, concertId, solution }: { userId: string; concertId: number; solution: string | undefined },
): Promise<string> {
  if (!solution) refuse(db, concertId, 'CHALLENGE_REQUIRED', 'Joining this line needs a solved challenge: ask queue.challenge for one.');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(solution, 'base64').toString('utf8'));
  } catch {
    refuse(db, concertId, 'CHALLENGE_INVALID', 'This solution cannot be read: send the base64 of { challenge, solution }.');
  }
  const payload = payloadSchema.safeParse(decoded);
  if (!payload.success)
    refuse(db, concertId, 'CHALLENGE_INVALID', 'This solution cannot be read: send the base64 of { challenge, solution }.');
  const { challenge, solution: answer } = payload.data;
  const verdict = await verifySolution({
    challenge: challenge as Challenge,
    solution: { counter: answer.counter, derivedKey: answer.derivedKey, time: answer.time ?? 0 },
    deriveKey,
    hmacSignatureSecret: secretFor(config, 'signature'),
    hmacKeySignatureSecret: secretFor(config, 'key'),
  });
  if (verdict.expired) refuse(db, concertId, 'CHALLENGE_EXPIRED', 'This challenge ran out: ask for a new one.');
  if (!verdict.verified) refuse(db, concertId, 'CHALLENGE_INVALID', 'This is not a solution of a challenge this site issued.');
  const data = challenge.parameters.data ?? {};
  if (data.concertId !== concertId) refuse(db, concertId, 'CHALLENGE_WRONG_SALE', "This challenge was issued for another sale's line.");
  if (data.session !== sessionTag(config, userId))
    refuse(db, concertId, 'CHALLENGE_WRONG_SESSION', 'This challenge was issued to another session: ask for your own.');
  // Counted `solved` once it has taken its place (server/queue/issue.ts): a reused one is `refused` only.
  return challenge.parameters.nonce;
}
