import { randomBytes } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { queueTokens, sales } from '@/db/schema';
import { transactionTime } from '@/server/clock';
import type { Config } from '@/server/env';
import { DomainError, PG, pgCode } from '@/server/errors';
import { openSaleIfDue } from '@/server/sale/service';
import { checkJoinSolution } from './join-challenge';
import { countJoinEvent } from './join-stats';
import { readJoinableSale, refuseJoining } from './joinable-sale';
import { refresh } from './refresh';
import { PLACE_TAKING_STATUSES } from './rules';
import { queuePassOf } from './status';
import { viewOf, type TokenView } from './views';

const TOKEN_BYTES = 18; // 144 bits of randomness

function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * `queue.issue`: the user's live token for the concert, or a new one at the back of its line (in the
 * pre-queue before the opening). A user has at most one live token per concert (a partial unique
 * index guarantees it), so issuing again never jumps the line.
 */
export type IssuedToken = TokenView & { token: string; status: 'prequeue' | 'waiting' | 'active' };

const liveView = (token: string, view: TokenView): IssuedToken | undefined =>
  view.status === 'prequeue' || view.status === 'waiting' || view.status === 'active' ? { ...view, token, status: view.status } : undefined;

/** What a new token records besides its holder: the challenge it was paid with, the network it came from. */
export interface Joining {
  userId: string;
  concertId: number;
  token: string;
  challengeNonce: string | null;
  addressPrefix: string | null;
}

/**
 * Inserts the caller's token in the pre-queue (no place), or says how to join: `open` (take a place),
 * `draw-first` (the opening is due: run the draw, then take a place) or `retry` (the sale opened
 * while joining the pre-queue). The sale is judged first (missing, for accounts, not open, closed),
 * then the join is paid for (`paidFor`: the challenge's nonce), so a shut line says why it is shut.
 */
async function joinPrequeueOrSayHow(
  db: Db,
  base: Omit<Joining, 'challengeNonce'>,
  { isAccount, paidFor }: { isAccount: boolean; paidFor: () => Promise<string | null> },
) {
  const { concertId } = base;
  const { sale, state } = await readJoinableSale(db, concertId, { isAccount });
  const joining: Joining = { ...base, challengeNonce: await paidFor() };
  if (state === 'prequeue') {
    // The draw locks the sale row FOR UPDATE: a pre-queue join either commits before it (and is drawn)
    // or finds it opened, and joins behind the drawn tokens.
    const joined = await db.transaction(async (tx) => {
      const [locked] = await tx
        .select({ opensAt: sales.opensAt, openedAt: sales.openedAt, closedReason: sales.closedReason, now: transactionTime() })
        .from(sales)
        .where(eq(sales.concertId, concertId))
        .for('share');
      if (!locked || locked.openedAt !== null || locked.closedReason !== null || locked.now >= locked.opensAt) return false;
      await tx.insert(queueTokens).values(joining);
      return true;
    });
    return { how: joined ? ('inserted' as const) : ('retry' as const), joining };
  }
  return { how: sale.openedAt === null ? ('draw-first' as const) : ('open' as const), joining };
}

/**
 * Inserts the token into an opened line, then gives it the line's next place, in one transaction: the
 * place is the next number of the line's sequence (`take_line_place`), which never waits, so joins of
 * a line do not queue on each other. The row comes first so that a join refused by a unique index (a
 * second live token of the user, a join challenge's solution used again) fails before it takes a
 * number: such a join leaves no gap in the line, however often it is sent. Places can still commit out
 * of order (admission waits for them: db/functions/admit_line.sql), and only a join that fails between
 * its two statements (its connection lost) leaves a gap, which admission skips. False when the sale is
 * not open to joiners as the insert sees it (no place is taken then). Exported for its tests.
 */
export async function insertPlacedToken(db: DbOrTx, { userId, concertId, token, challengeNonce, addressPrefix }: Joining) {
  return db.transaction(async (tx) => {
    const [row] = await tx.execute<{ id: string }>(sql`
      INSERT INTO ${queueTokens} (token, user_id, concert_id, challenge_nonce, address_prefix)
      SELECT ${token}, ${userId}, ${concertId}, ${challengeNonce}, ${addressPrefix}
      FROM ${sales} WHERE ${sales.concertId} = ${concertId} AND ${sales.openedAt} IS NOT NULL AND ${sales.closedReason} IS NULL
      RETURNING id`);
    if (!row) return false;
    await tx.execute(sql`UPDATE ${queueTokens} SET place = take_line_place(${concertId}) WHERE id = ${row.id}`);
    return true;
  });
}

export interface JoinRequest {
  userId: string;
  concertId: number;
  isAccount: boolean;
  /** The solved join challenge (server/queue/join-challenge.ts); needed for a new place while JOIN_CHALLENGE is on. */
  solution?: string;
  /** The caller's network (server/http/request-guard.ts `networkPrefix`), or null when unknown. */
  addressPrefix?: string | null;
}

/** The name of the unique index a unique violation broke, if any (postgres.js `constraint_name`). */
function violatedIndex(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const name = (e as { constraint_name?: unknown }).constraint_name;
    if (typeof name === 'string') return name;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export async function issueToken(
  db: Db,
  config: Config,
  { userId, concertId, isAccount, solution, addressPrefix = null }: JoinRequest,
): Promise<{ issued: IssuedToken; queuePass: string | null }> {
  // Checked once, when a new place is due (a live token comes back without one).
  let challengeNonce: string | null | undefined;
  const paidFor = async () =>
    (challengeNonce ??= config.JOIN_CHALLENGE === 'on' ? await checkJoinSolution(db, config, { userId, concertId, solution }) : null);
  for (let attempt = 0; attempt < 3; attempt++) {
    const [live] = await db
      .select({ token: queueTokens.token })
      .from(queueTokens)
      .where(and(eq(queueTokens.userId, userId), eq(queueTokens.concertId, concertId), inArray(queueTokens.status, PLACE_TAKING_STATUSES)));
    if (live) {
      const row = await refresh(db, config, { userId, token: live.token, mode: 'wait' });
      const issued = row && liveView(row.token, viewOf(row, config));
      if (issued) return { issued, queuePass: queuePassOf(config, row) };
      if (row?.status === 'closed') refuseJoining(row.closedReason!, row);
      // Its turn ran out or its place was given up: it is no longer live, so a new one is due.
      await db
        .update(queueTokens)
        .set({ status: 'expired' })
        .where(and(eq(queueTokens.token, live.token), inArray(queueTokens.status, PLACE_TAKING_STATUSES)));
    }
    try {
      const token = newToken();
      const said = await joinPrequeueOrSayHow(db, { userId, concertId, token, addressPrefix }, { isAccount, paidFor });
      const { joining } = said;
      let { how } = said;
      if (how === 'retry') continue;
      if (how === 'draw-first') {
        await openSaleIfDue(db, concertId);
        how = 'open';
      }
      if (how === 'open' && !(await insertPlacedToken(db, joining))) continue;
      countJoinEvent(db, concertId, 'joins');
      if (joining.challengeNonce !== null) countJoinEvent(db, concertId, 'solved');
      const row = await refresh(db, config, { userId, token, mode: 'wait' });
      if (row?.status === 'closed') refuseJoining(row.closedReason!, row);
      const issued = row && liveView(token, viewOf(row, config));
      if (issued) return { issued, queuePass: queuePassOf(config, row) };
    } catch (error) {
      if (pgCode(error) !== PG.UNIQUE_VIOLATION) throw error;
      if (violatedIndex(error) === 'queue_tokens_challenge_once') {
        countJoinEvent(db, concertId, 'refused');
        throw new DomainError('CHALLENGE_USED', 'This solution has taken a place already: each solves one join. Ask for a new challenge.');
      }
      // Another request of the same user issued one first: return that one.
    }
  }
  throw new DomainError('BUSY', 'Could not issue a queue token right now. Please try again.');
}
