import type { Db } from '../../db/client';
import type { Config } from '../env';
import { DomainError } from '../errors';
import { recordHeartbeat } from './heartbeats';
import { lineState } from './line-cache';
import { keepLineMoving } from './line-upkeep';
import { validTokenString, type TokenRow } from './read-token';
import { refresh } from './refresh';
import { isLiveToken } from './rules';
import { signTicket, verifyTicket, type QueueTicket } from './ticket';
import { viewFromTicket, viewOf, type TokenView } from './views';

/**
 * The ticket to give the holder of a token the database has just read: a waiting token (in the
 * pre-queue or with a place) whose holder still polls; null for any other.
 */
export function ticketOf(config: Config, row: TokenRow): string | null {
  if (row.status !== 'waiting' || !isLiveToken(row, config)) return null;
  const ticket: QueueTicket = {
    concertId: row.concertId,
    ticket: row.id,
    place: row.place,
    userId: row.userId,
    confirmedAt: Math.floor(row.lastSeenAt.getTime() / 1000),
  };
  return signTicket(config.SESSION_SECRET, ticket, row.token);
}

/**
 * A poll answered without the database: the first of `tickets` valid for this user and token, read
 * against its line's cached state (which this poll may first bring up to date: at most once a second
 * per line). The poll's heartbeat joins the next batch.
 */
async function answerFromTicket(
  db: Db,
  config: Config,
  { userId, token, tickets }: { userId: string; token: string; tickets: (string | undefined)[] },
): Promise<TokenView | undefined> {
  let ticket: QueueTicket | null = null;
  for (const value of tickets) if (!ticket) ticket = verifyTicket(config.SESSION_SECRET, value, { userId, token });
  if (!ticket) return undefined;
  let line = await lineState(db, ticket.concertId);
  if (line && (await keepLineMoving(db, config, line, { callerPlaced: ticket.place !== null })))
    line = await lineState(db, ticket.concertId);
  const view = line && viewFromTicket(ticket, line, config);
  if (view) recordHeartbeat(db, ticket.ticket);
  return view;
}

export interface Polled {
  view: TokenView;
  /** A new signed ticket for the caller to send with the next polls; null when none is due. */
  ticket: string | null;
}

/**
 * `queue.status`: the caller's token: prequeue, waiting (with its place), active (until when), expired
 * or closed. From memory when a ticket allows (`tickets`: the ones the request carries), else from
 * the database, with a new ticket when the token still waits.
 */
export async function tokenStatus(
  db: Db,
  config: Config,
  { userId, token, tickets = [] }: { userId: string; token: string | undefined; tickets?: (string | undefined)[] },
): Promise<Polled> {
  if (!validTokenString(token)) throw new DomainError('TOKEN_INVALID', 'No queue token: join the queue first.');
  const remembered = await answerFromTicket(db, config, { userId, token, tickets });
  if (remembered) return { view: remembered, ticket: null };
  const row = await refresh(db, config, { userId, token, mode: 'skip-if-busy' });
  if (!row) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours or does not exist.');
  return { view: viewOf(row, config), ticket: ticketOf(config, row) };
}
