import { randomBytes } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { queueState, queueTokens, sales, type SaleClosedReason } from '../../db/schema';
import { transactionTime } from '../clock';
import type { Config } from '../env';
import { DomainError, PG, pgCode } from '../errors';
import { openSaleIfDue, saleStateOf, type SaleState } from '../sale/service';
import { admitWaiting, type AdmissionMode } from './admission';
import { recordHeartbeat } from './heartbeats';
import { forgetLine, lineState, type CachedLine } from './line-cache';
import { keepLineMoving, recountSeats, SEAT_COUNT_SECONDS } from './line-upkeep';
import { estimatedWaitSeconds, isAbandoned, lineChangesPending, isLiveToken, isRunningTurn, PLACE_TAKING_STATUSES } from './rules';
import { signTicket, verifyTicket, type QueueTicket } from './ticket';
import { HEARTBEAT_SECONDS } from './timing';

/**
 * The waiting rooms: one line per concert's sale.
 *
 * A token's id is its ticket number; its `place` is its place in its concert's line: given by the
 * draw at the opening for the pre-queue's tickets (server/sale/draw.ts), and the next one of the
 * line's counter (`sales.last_place`) for later joiners. Each line's `queue_state` row holds its
 * admission cursor (`admitted_through`, a place): a waiting token's position is `place -
 * admitted_through`, one read however long the line is. There is no background worker: the calls
 * that issue or read tokens run an admission pass (server/queue/admission.ts) when one is due.
 *
 * A waiting fan's poll is answered from memory when it carries a valid queue ticket
 * (server/queue/ticket.ts) and the line's cached state (server/queue/line-cache.ts) shows the place
 * still ahead of the cursor; anything else is read from the database, which stays the source of
 * truth and signs a new ticket.
 */

const TOKEN_BYTES = 18; // 144 bits of randomness
const MAX_TOKEN_LENGTH = 64;
/**
 * A ticket answers polls until its holder's last confirmed presence is this much short of
 * QUEUE_ABANDON_SECONDS: room for the difference between the database's clock as this process
 * estimates it and as the pass that gives places up reads it.
 */
const TICKET_MARGIN_SECONDS = 5;

export type QueueStatus = 'prequeue' | 'waiting' | 'active' | 'expired' | 'closed';

export interface TokenView {
  concertId: number;
  /** The ticket number (the token's id): find yourself in the draw with it. */
  ticket: number;
  status: QueueStatus;
  /** 1 is next; null unless waiting. */
  position: number | null;
  aheadOfYou: number | null;
  estimatedWaitSeconds: number | null;
  activeUntil: string | null;
  opensAt: string;
  /** Seats of the sale neither held nor sold, and held (they may come back), while prequeue or waiting. */
  seatsLeft: number | null;
  seatsHeld: number | null;
  closedReason: SaleClosedReason | null;
}

export interface ActiveToken {
  id: number;
  concertId: number;
  expiresAt: Date;
}

function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

function tokenQuery(db: DbOrTx) {
  return db
    .select({
      id: queueTokens.id,
      token: queueTokens.token,
      userId: queueTokens.userId,
      concertId: queueTokens.concertId,
      place: queueTokens.place,
      status: queueTokens.status,
      closedReason: queueTokens.closedReason,
      expiresAt: queueTokens.expiresAt,
      lastSeenAt: queueTokens.lastSeenAt,
      admittedThrough: queueState.admittedThrough,
      activeCount: queueState.activeCount,
      nextExpiryAt: queueState.nextExpiryAt,
      admitRate: queueState.admitRate,
      noSeatFree: queueState.noSeatFree,
      changesPending: lineChangesPending(queueState.concertId),
      seatsLeft: queueState.seatsLeft,
      seatsHeld: queueState.seatsHeld,
      seatsCountedAt: queueState.seatsCountedAt,
      prequeueOpensAt: sales.prequeueOpensAt,
      opensAt: sales.opensAt,
      openedAt: sales.openedAt,
      paused: sales.paused,
      saleClosedReason: sales.closedReason,
      maxActive: sales.maxActive,
      turnSeconds: sales.turnSeconds,
      now: transactionTime(),
    })
    .from(queueTokens)
    .innerJoin(queueState, eq(queueState.concertId, queueTokens.concertId))
    .innerJoin(sales, eq(sales.concertId, queueTokens.concertId))
    .where(eq(queueTokens.token, sql.placeholder('token')))
    .prepare('read_queue_token');
}

/** Built once per database handle: this read is the hot path of every poll. */
const preparedTokenQueries = new WeakMap<object, ReturnType<typeof tokenQuery>>();

/** One indexed read: the token with its line's state, its sale and the database's clock. */
async function readToken(db: Db, token: string) {
  let query = preparedTokenQueries.get(db);
  if (!query) preparedTokenQueries.set(db, (query = tokenQuery(db)));
  const [row] = await query.execute({ token });
  return row;
}

type TokenRow = NonNullable<Awaited<ReturnType<typeof readToken>>>;

const secondsBetween = (later: Date, earlier: Date) => (later.getTime() - earlier.getTime()) / 1000;

const saleOfRow = (row: TokenRow) => ({
  prequeueOpensAt: row.prequeueOpensAt,
  opensAt: row.opensAt,
  paused: row.paused,
  closedReason: row.saleClosedReason,
});

/** Whether the line admits at all now: opened (drawn), not paused, not sold out or closed. */
const admitting = (row: TokenRow) => row.openedAt !== null && saleStateOf(saleOfRow(row), row.now) === 'open';

/**
 * Whether this caller should run an admission pass: a turn has run out (or a pass was marked due:
 * `markAdmissionDue`, or a hold that may free a seat ran out), changes of the active count wait for a
 * pass, or a slot is free while the line admits and the last pass found a seat free.
 */
function admissionDue(row: TokenRow): boolean {
  const aTurnRanOut = row.nextExpiryAt !== null && row.nextExpiryAt <= row.now;
  const slotFree = row.status === 'waiting' && row.place !== null && row.activeCount < row.maxActive && !row.noSeatFree;
  return aTurnRanOut || row.changesPending || (slotFree && admitting(row));
}

export function positionOf(row: { place: number; admittedThrough: number }): number {
  // A place below the cursor (its token was passed over while it was being written) is next: 1.
  return Math.max(1, row.place - row.admittedThrough);
}

const NOT_WAITING = { position: null, aheadOfYou: null, estimatedWaitSeconds: null, seatsLeft: null, seatsHeld: null };

function viewOf(row: TokenRow, config: Config): TokenView {
  const base = {
    concertId: row.concertId,
    ticket: row.id,
    opensAt: row.opensAt.toISOString(),
    activeUntil: null,
    closedReason: null,
  };
  if (row.status === 'closed') return { ...base, ...NOT_WAITING, status: 'closed', closedReason: row.closedReason };
  if (!isLiveToken(row, config)) return { ...base, ...NOT_WAITING, status: 'expired' };
  if (isRunningTurn(row)) return { ...base, ...NOT_WAITING, status: 'active', activeUntil: row.expiresAt!.toISOString() };
  return placedView({ ...row, ticket: row.id });
}

/**
 * A token in the pre-queue or waiting, as the fan sees it: one shape, from the database's row or from
 * a ticket read against the cached line. Its position is `place - admitted_through`.
 */
function placedView(t: {
  concertId: number;
  ticket: number;
  place: number | null;
  opensAt: Date;
  seatsLeft: number | null;
  seatsHeld: number | null;
  admittedThrough: number;
  admitRate: number | null;
  maxActive: number;
  turnSeconds: number;
}): TokenView {
  const base = {
    concertId: t.concertId,
    ticket: t.ticket,
    opensAt: t.opensAt.toISOString(),
    activeUntil: null,
    closedReason: null,
    seatsLeft: t.seatsLeft,
    seatsHeld: t.seatsHeld,
  };
  if (t.place === null) return { ...NOT_WAITING, ...base, status: 'prequeue' };
  const position = positionOf({ place: t.place, admittedThrough: t.admittedThrough });
  return {
    ...base,
    status: 'waiting',
    position,
    aheadOfYou: position - 1,
    estimatedWaitSeconds: estimatedWaitSeconds({ position, admitRate: t.admitRate, maxActive: t.maxActive, turnSeconds: t.turnSeconds }),
  };
}

/**
 * Refreshes a line's seat counts for its waiting fans when they are older than SEAT_COUNT_SECONDS
 * (server/queue/line-upkeep.ts: skipped when another caller or a pass holds the row; marks the sale
 * sold out when every seat is sold).
 */
async function refreshSeatCounts(db: Db, config: Config, row: TokenRow): Promise<TokenRow> {
  if (row.seatsCountedAt && secondsBetween(row.now, row.seatsCountedAt) < SEAT_COUNT_SECONDS) return row;
  const counted = await recountSeats(db, config, row.concertId);
  if (!counted) return row;
  if (counted.soldOut) return { ...row, seatsLeft: 0, seatsHeld: 0, saleClosedReason: row.saleClosedReason ?? 'sold_out' };
  return { ...row, seatsLeft: counted.left, seatsHeld: counted.held };
}

/** A waiting token of a sale that sold out or was closed turns `closed`, with the sale's reason. */
async function closeToken(db: Db, row: TokenRow, reason: SaleClosedReason): Promise<TokenRow> {
  forgetLine(db, row.concertId);
  const [closed] = await db
    .update(queueTokens)
    .set({ status: 'closed', closedReason: reason })
    .where(and(eq(queueTokens.id, row.id), eq(queueTokens.status, 'waiting')))
    .returning({ status: queueTokens.status, closedReason: queueTokens.closedReason });
  return closed ? { ...row, ...closed } : ((await readToken(db, row.token)) ?? row);
}

/**
 * Reads a token for its owner: closes it if its sale closed, gives up an abandoned place, runs the
 * draw when the opening has come, an admission pass if one is due, and refreshes the heartbeat.
 */
async function refresh(db: Db, config: Config, { userId, token, mode }: { userId: string; token: string; mode: AdmissionMode }) {
  let row = await readToken(db, token);
  if (!row || row.userId !== userId) return undefined;
  if (row.status === 'waiting') {
    if (row.saleClosedReason) return closeToken(db, row, row.saleClosedReason);
    if (isAbandoned(row, config)) {
      await db
        .update(queueTokens)
        .set({ status: 'expired' })
        .where(and(eq(queueTokens.id, row.id), eq(queueTokens.status, 'waiting')));
      return { ...row, status: 'expired' as const };
    }
    if (row.place === null && row.openedAt === null && row.now >= row.opensAt) {
      await openSaleIfDue(db, row.concertId);
      forgetLine(db, row.concertId);
      row = (await readToken(db, token))!;
    }
  }
  if (admissionDue(row)) {
    await admitWaiting(db, config, { concertId: row.concertId, mode });
    forgetLine(db, row.concertId);
    row = (await readToken(db, token))!;
  }
  if (row.status !== 'waiting') return row;
  row = await refreshSeatCounts(db, config, row);
  if (row.saleClosedReason) return closeToken(db, row, row.saleClosedReason);
  if (secondsBetween(row.now, row.lastSeenAt) > HEARTBEAT_SECONDS) {
    await db
      .update(queueTokens)
      .set({ lastSeenAt: sql`now()` })
      .where(eq(queueTokens.id, row.id));
    // Written at now() of that statement, a little after row.now: row.now understates it.
    row = { ...row, lastSeenAt: row.now };
  }
  return row;
}

const validTokenString = (token: string | undefined): token is string =>
  typeof token === 'string' && token.length > 0 && token.length <= MAX_TOKEN_LENGTH;

/**
 * The ticket to give the holder of a token the database has just read: a waiting token (in the
 * pre-queue or with a place) whose holder still polls; null for any other.
 */
function ticketOf(config: Config, row: TokenRow): string | null {
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
 * A waiting fan's view from their ticket and the line's state, or undefined when memory cannot
 * answer: the sale closed, the cursor reached the place, the place may have been given up (the
 * ticket's confirmation is too old), or the pre-queue's opening has come (the draw is the database's).
 */
function viewFromTicket(ticket: QueueTicket, line: CachedLine, config: Config): TokenView | undefined {
  if (line.closedReason !== null) return undefined;
  const trustedFor = config.QUEUE_ABANDON_SECONDS - TICKET_MARGIN_SECONDS;
  if (line.now.getTime() / 1000 - ticket.confirmedAt > trustedFor) return undefined;
  if (ticket.place === null && (line.openedAt !== null || line.now >= line.opensAt)) return undefined;
  if (ticket.place !== null && line.admittedThrough >= ticket.place) return undefined;
  return placedView({ ...line, ticket: ticket.ticket, place: ticket.place });
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

/**
 * `queue.issue`: the user's live token for the concert, or a new one at the back of its line (in the
 * pre-queue before the opening). A user has at most one live token per concert (a partial unique
 * index guarantees it), so issuing again never jumps the line.
 */
export type IssuedToken = TokenView & { token: string; status: 'prequeue' | 'waiting' | 'active' };

const liveView = (token: string, view: TokenView): IssuedToken | undefined =>
  view.status === 'prequeue' || view.status === 'waiting' || view.status === 'active' ? { ...view, token, status: view.status } : undefined;

function refuseJoining(state: SaleState, sale: { prequeueOpensAt: Date; opensAt: Date }): never {
  if (state === 'sold_out') throw new DomainError('SOLD_OUT', 'This concert is sold out.');
  if (state === 'closed') throw new DomainError('SALE_CLOSED', 'The sale of this concert is closed.');
  throw new DomainError('SALE_NOT_OPEN', 'The line for this concert is not open yet.', {
    prequeueOpensAt: sale.prequeueOpensAt.toISOString(),
    opensAt: sale.opensAt.toISOString(),
  });
}

/**
 * Inserts the caller's token in the pre-queue (no place), or says how to join: `open` (take a place),
 * `draw-first` (the opening is due: run the draw, then take a place) or `retry` (the sale opened
 * while joining the pre-queue).
 */
async function joinPrequeueOrSayHow(db: Db, { userId, concertId, token }: { userId: string; concertId: number; token: string }) {
  const [sale] = await db
    .select({
      prequeueOpensAt: sales.prequeueOpensAt,
      opensAt: sales.opensAt,
      paused: sales.paused,
      closedReason: sales.closedReason,
      openedAt: sales.openedAt,
      now: transactionTime(),
    })
    .from(sales)
    .where(eq(sales.concertId, concertId));
  if (!sale) throw new DomainError('NOT_FOUND', 'There is no such concert.');
  const state = saleStateOf(sale, sale.now);
  if (state === 'prequeue') {
    // The draw locks the sale row FOR UPDATE: a pre-queue join either commits before it (and is drawn)
    // or finds it opened, and joins behind the drawn tickets.
    const joined = await db.transaction(async (tx) => {
      const [locked] = await tx
        .select({ opensAt: sales.opensAt, openedAt: sales.openedAt, closedReason: sales.closedReason, now: transactionTime() })
        .from(sales)
        .where(eq(sales.concertId, concertId))
        .for('share');
      if (!locked || locked.openedAt !== null || locked.closedReason !== null || locked.now >= locked.opensAt) return false;
      await tx.insert(queueTokens).values({ token, userId, concertId });
      return true;
    });
    return joined ? ('inserted' as const) : ('retry' as const);
  }
  if (state !== 'open' && state !== 'paused') refuseJoining(state, sale);
  return sale.openedAt === null ? ('draw-first' as const) : ('open' as const);
}

/**
 * Takes the next place of an opened line and inserts the token there: one statement, so the sales
 * row (the line's place counter) is locked only for its own commit, and places commit in order.
 */
async function insertPlacedToken(db: Db, { userId, concertId, token }: { userId: string; concertId: number; token: string }) {
  const inserted = await db.execute(sql`
    WITH taken AS (
      UPDATE ${sales} SET last_place = last_place + 1
      WHERE concert_id = ${concertId} AND opened_at IS NOT NULL AND closed_reason IS NULL
      RETURNING last_place)
    INSERT INTO ${queueTokens} (token, user_id, concert_id, place)
    SELECT ${token}, ${userId}, ${concertId}, taken.last_place FROM taken
    RETURNING id`);
  return inserted.length > 0;
}

export async function issueToken(
  db: Db,
  config: Config,
  { userId, concertId }: { userId: string; concertId: number },
): Promise<{ issued: IssuedToken; ticket: string | null }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [live] = await db
      .select({ token: queueTokens.token })
      .from(queueTokens)
      .where(and(eq(queueTokens.userId, userId), eq(queueTokens.concertId, concertId), inArray(queueTokens.status, PLACE_TAKING_STATUSES)));
    if (live) {
      const row = await refresh(db, config, { userId, token: live.token, mode: 'wait' });
      const issued = row && liveView(row.token, viewOf(row, config));
      if (issued) return { issued, ticket: ticketOf(config, row) };
      if (row?.status === 'closed') refuseJoining(row.closedReason!, row);
      // Its turn ran out or its place was given up: it is no longer live, so a new one is due.
      await db
        .update(queueTokens)
        .set({ status: 'expired' })
        .where(and(eq(queueTokens.token, live.token), inArray(queueTokens.status, PLACE_TAKING_STATUSES)));
    }
    try {
      const token = newToken();
      let how = await joinPrequeueOrSayHow(db, { userId, concertId, token });
      if (how === 'retry') continue;
      if (how === 'draw-first') {
        await openSaleIfDue(db, concertId);
        how = 'open';
      }
      if (how === 'open' && !(await insertPlacedToken(db, { userId, concertId, token }))) continue;
      const row = await refresh(db, config, { userId, token, mode: 'wait' });
      if (row?.status === 'closed') refuseJoining(row.closedReason!, row);
      const issued = row && liveView(token, viewOf(row, config));
      if (issued) return { issued, ticket: ticketOf(config, row) };
    } catch (error) {
      // Another request of the same user issued one first: return that one.
      if (pgCode(error) !== PG.UNIQUE_VIOLATION) throw error;
    }
  }
  throw new DomainError('BUSY', 'Could not issue a queue token right now. Please try again.');
}

/**
 * The active-turn rule, for the procedure rungs in server/trpc/init.ts (and only there).
 * `tokens`: the queue tokens the request carries, the one for `concertId` first. With a `concertId`
 * (the concert of the resource the call touches), the caller's token of that concert's line, active
 * and unexpired, or an error (`TOKEN_WRONG_SALE` when the token is of another concert). Without one
 * (the wallet, the reservation list), an active turn of any sale.
 */
export async function requireActiveToken(
  db: Db,
  config: Config,
  { userId, tokens, concertId }: { userId: string; tokens: (string | undefined)[]; concertId?: number },
): Promise<ActiveToken> {
  const candidates = [...new Set(tokens.filter(validTokenString))];
  if (candidates.length === 0) throw new DomainError('TOKEN_INVALID', 'No queue token: join the queue first.');
  let firstError: unknown;
  for (const token of candidates) {
    try {
      return await activeTurnOf(db, config, { userId, token, concertId });
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}

async function activeTurnOf(
  db: Db,
  config: Config,
  { userId, token, concertId }: { userId: string; token: string; concertId?: number },
): Promise<ActiveToken> {
  let row = await readToken(db, token);
  if (!row || row.userId !== userId) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours or does not exist.');
  if (concertId !== undefined && row.concertId !== concertId) {
    throw new DomainError('TOKEN_WRONG_SALE', 'This queue token is for another concert. Join this concert’s line.', {
      tokenConcertId: row.concertId,
      concertId,
    });
  }
  if (row.status === 'waiting') row = await refresh(db, config, { userId, token, mode: 'skip-if-busy' });
  if (!row) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours or does not exist.');
  if (row.status === 'waiting' && !isAbandoned(row, config)) {
    const view = viewOf(row, config);
    throw new DomainError('TOKEN_NOT_ACTIVE', 'Your turn has not come yet.', {
      position: view.position,
      estimatedWaitSeconds: view.estimatedWaitSeconds,
    });
  }
  if (!isRunningTurn(row)) throw new DomainError('TOKEN_EXPIRED', 'Your turn has ended. Join the queue again.');
  return { id: row.id, concertId: row.concertId, expiresAt: row.expiresAt! };
}
