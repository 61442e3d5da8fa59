import type { Db } from '@/db/client';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { recordHeartbeat } from './heartbeats';
import { lineState } from './line-cache';
import { hasLeft } from './leave';
import { keepLineMoving } from './line-upkeep';
import { validTokenString, type TokenRow } from './read-token';
import { refresh } from './refresh';
import { isLiveToken } from './rules';
import { signQueuePass, verifyQueuePass, type QueuePass } from './queue-pass';
import { viewFromQueuePass, viewOf, type TokenView } from './views';

/**
 * The queue pass to give the holder of a token the database has just read: a waiting token (in the
 * pre-queue or with a place) whose holder still polls; null for any other.
 */
export function queuePassOf(config: Config, row: TokenRow): string | null {
  if (row.status !== 'waiting' || !isLiveToken(row, config)) return null;
  const queuePass: QueuePass = {
    concertId: row.concertId,
    drawNumber: row.id,
    place: row.place,
    userId: row.userId,
    confirmedAt: Math.floor(row.lastSeenAt.getTime() / 1000),
  };
  return signQueuePass(config.SESSION_SECRET, queuePass, row.token);
}

/**
 * A poll answered without the database: the first of `queuePasses` valid for this user and token, read
 * against its line's cached state (which this poll may first bring up to date: at most once a second
 * per line). The poll's heartbeat joins the next batch.
 */
export async function answerFromQueuePass(
  db: Db,
  config: Config,
  { userId, token, queuePasses }: { userId: string; token: string; queuePasses: (string | undefined)[] },
): Promise<TokenView | undefined> {
  let queuePass: QueuePass | null = null;
  for (const value of queuePasses) if (!queuePass) queuePass = verifyQueuePass(config.SESSION_SECRET, value, { userId, token });
  // A token that left through this process: the database answers (`expired`).
  if (!queuePass || hasLeft(db, queuePass.drawNumber)) return undefined;
  let line = await lineState(db, queuePass.concertId);
  if (line && (await keepLineMoving(db, config, line, { callerPlaced: queuePass.place !== null })))
    line = await lineState(db, queuePass.concertId);
  const view = line && viewFromQueuePass(queuePass, line, config);
  if (view) recordHeartbeat(db, queuePass.drawNumber);
  return view;
}

export interface Polled {
  view: TokenView;
  /** A new signed queue pass for the caller to send with the next polls; null when none is due. */
  queuePass: string | null;
}

/**
 * `queue.status`: the caller's token: prequeue, waiting (with its place), active (until when), expired
 * or closed. From memory when a queue pass allows (`queuePasses`: the ones the request carries), else from
 * the database, with a new queue pass when the token still waits.
 */
export async function tokenStatus(
  db: Db,
  config: Config,
  { userId, token, queuePasses = [] }: { userId: string; token: string | undefined; queuePasses?: (string | undefined)[] },
): Promise<Polled> {
  if (!validTokenString(token)) throw new DomainError('TOKEN_INVALID', 'No queue token: join the queue first.');
  const remembered = await answerFromQueuePass(db, config, { userId, token, queuePasses });
  if (remembered) return { view: remembered, queuePass: null };
  const row = await refresh(db, config, { userId, token, mode: 'skip-if-busy' });
  if (!row) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours or does not exist.');
  return { view: await withSeatsOfLine(db, viewOf(row, config)), queuePass: queuePassOf(config, row) };
}

/**
 * A view read from the database shows the seats as the line cache counts them (at most a read old),
 * as polls answered from memory do: `queue_state`'s own counts are recounted only every few seconds.
 */
async function withSeatsOfLine(db: Db, view: TokenView): Promise<TokenView> {
  if (view.seatsLeft === null) return view;
  const line = await lineState(db, view.concertId);
  return line ? { ...view, seatsLeft: line.seatsLeft, seatsHeld: line.seatsHeld } : view;
}
