import { and, desc, eq, inArray } from 'drizzle-orm';
import { poolOf, type Db } from '@/db/client';
import { queueTokens } from '@/db/schema';
import { DomainError } from '@/server/errors';
import { validTokenString } from './read-token';

/**
 * A fan leaves a line on purpose (`queue.leave`): their waiting token (in the pre-queue or with a
 * place) turns `expired` at once, as a place given up does. The place is free at once: the user may
 * join again (at the back: a new token, a new place), and the admission pass passes over it as over
 * any place given up (it still counts in the positions behind it until the cursor passes it, like
 * every gap). Leaving again answers the same; a running turn or a closed line has nothing to leave.
 */

export interface Left {
  concertId: number;
  /** The draw number of the token that left. */
  ticket: number;
  status: 'expired';
}

/**
 * Draw numbers of tokens that left through this process, with when: a queue pass of one of them is
 * not trusted here any more (its cookie is cleared, but an API client may still send its header).
 * Kept as long as a pass can be trusted at all (QUEUE_ABANDON_SECONDS): another instance learns of a
 * leave when the pass is next checked against the database.
 */
const leftTokens = new WeakMap<object, Map<number, number>>();
const REMEMBER_LEFT_MS = 10 * 60_000;

function remember(db: Db, drawNumber: number) {
  let left = leftTokens.get(poolOf(db));
  if (!left) leftTokens.set(poolOf(db), (left = new Map()));
  const now = performance.now();
  // In the order they left: the old ones are at the front, and the first young one ends the sweep.
  for (const [id, at] of left) {
    if (now - at <= REMEMBER_LEFT_MS) break;
    left.delete(id);
  }
  left.delete(drawNumber);
  left.set(drawNumber, now);
}

/** Whether the token with this draw number left its line through this process lately. */
export function hasLeft(db: Db, drawNumber: number): boolean {
  return leftTokens.get(poolOf(db))?.has(drawNumber) ?? false;
}

/**
 * Leaves the caller's line of `concertId`: the first of `tokens` (those the request carries) that is
 * the user's token of that line. TOKEN_INVALID when there is none; NOT_IN_LINE (with its `status`) when
 * it is not waiting: a running turn (`active`) or a closed line. An expired token answers as left:
 * leaving is idempotent.
 */
export async function leaveLine(
  db: Db,
  { userId, concertId, tokens }: { userId: string; concertId: number; tokens: (string | undefined)[] },
): Promise<Left> {
  const valid = tokens.filter(validTokenString);
  if (valid.length === 0) throw new DomainError('TOKEN_INVALID', 'No queue token: there is no line to leave.');
  const ours = and(inArray(queueTokens.token, valid), eq(queueTokens.userId, userId), eq(queueTokens.concertId, concertId));
  const [left] = await db
    .update(queueTokens)
    .set({ status: 'expired' })
    .where(and(ours, eq(queueTokens.status, 'waiting')))
    .returning({ id: queueTokens.id });
  if (left) {
    remember(db, left.id);
    return { concertId, ticket: left.id, status: 'expired' };
  }
  const [token] = await db
    .select({ id: queueTokens.id, status: queueTokens.status })
    .from(queueTokens)
    .where(ours)
    .orderBy(desc(queueTokens.id))
    .limit(1);
  if (!token) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours, not of this line, or does not exist.');
  if (token.status === 'expired') return { concertId, ticket: token.id, status: 'expired' };
  throw new DomainError('NOT_IN_LINE', `There is no place to leave: this token is ${token.status}.`, { status: token.status });
}
