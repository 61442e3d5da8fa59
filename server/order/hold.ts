import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { invalidateSeatMap } from '@/server/concert/seat-map';
import type { Config } from '@/server/env';
import { DomainError, pgCode } from '@/server/errors';
import { turnCapSeconds } from '@/server/queue/rules';
import type { ActiveToken } from '@/server/queue/active-turn';
import { isoOf, orderSeat, type HeldOrder } from './service';

/**
 * Holding seats: an order of seats of one date, all or none, in one statement (the database function
 * `hold_seats`, db/functions/hold_seats.sql). One round trip whatever the answer: a hot
 * seat's losers cost one read, and nobody builds a query per request.
 */

const invalidSeats = (message: string) =>
  new DomainError('INVALID_INPUT', 'Some fields are not valid.', { fieldErrors: { seatIds: [message] } });

const seatsUnavailable = (seatIds: number[]) =>
  new DomainError(
    'SEAT_UNAVAILABLE',
    seatIds.length === 1 ? 'Someone else has just taken this seat. Please pick another.' : 'Some of these seats have just been taken.',
    { seatIds },
  );

/** SQLSTATE `hold_seats` raises when the caller's turn ended before the hold could extend it. */
const TURN_ENDED = 'HLD01';

export interface HoldRequest {
  userId: string;
  token: ActiveToken;
  seatIds: number[];
  /**
   * A seat the caller already holds in a bigger order: return that hold (reservation.hold, which
   * answers for the one seat) instead of refusing it (order.hold, which answers for the whole order).
   */
  ownSeatInBiggerOrder?: 'return' | 'refuse';
}

interface HeldSeatRow {
  seatId: number;
  reservationId: number;
  section: string;
  row: string;
  number: number;
  price: number;
}

/** What `hold_seats` answers (one JSON object). */
type HoldOutcome =
  | { outcome: 'held'; scheduleId: number; orderId: number; heldUntil: string; total: number; seats: HeldSeatRow[] }
  | { outcome: 'existing'; orderId: number; heldUntil: string; total: number; seats: HeldSeatRow[] }
  | { outcome: 'SEAT_UNAVAILABLE'; seatIds: number[] }
  | { outcome: 'NOT_FOUND' | 'MIXED_DATES' | 'SESSION_REQUIRED' | 'HOLD_LIMIT' | 'PURCHASE_LIMIT' };

const holdStatement = (db: Db) =>
  db
    .select({
      outcome: sql<HoldOutcome>`hold_seats(${sql.placeholder('userId')}::uuid, ${sql.placeholder('tokenId')}::bigint,
        ${sql.placeholder('seatIds')}::int[], ${sql.placeholder('holdSeconds')}::int, ${sql.placeholder('turnCapSeconds')}::int,
        ${sql.placeholder('holdMax')}::int, ${sql.placeholder('purchaseMax')}::int, ${sql.placeholder('ownSeatInBiggerOrder')}::boolean)`,
    })
    .from(sql`(VALUES (1)) AS one`)
    .prepare('hold_seats');

/** Built once per database handle: the hold is a hot path. */
const preparedHolds = new WeakMap<object, ReturnType<typeof holdStatement>>();

async function runHold(db: Db, parameters: Record<string, string | number | boolean>): Promise<HoldOutcome> {
  let statement = preparedHolds.get(db);
  if (!statement) preparedHolds.set(db, (statement = holdStatement(db)));
  const [row] = await statement.execute(parameters);
  return row!.outcome;
}

/**
 * Holds seats of one date together, all or none, for HOLD_TTL_SECONDS but never past the end of the
 * caller's turn's cap: one order, one hold clock. One statement, which:
 * - refuses a seat visibly taken by someone else from a plain read, before any lock or write;
 * - locks users (the caller) → seats (ascending ids, never waiting: a seat being taken right now is
 *   SEAT_UNAVAILABLE at once) → reservations (run-out holds of these seats, marked expired) →
 *   queue_tokens (the turn lasts until the hold runs out, up to its cap), inserting the new order after
 *   the seat locks (nobody else can wait for a row that does not exist yet);
 * - counts the hold and purchase limits under the caller's row lock.
 * Any seat taken: nothing is held, SEAT_UNAVAILABLE with `seatIds` (the taken ones). Asking again for
 * exactly the seats of one's own live order returns that order.
 */
export async function holdSeats(db: Db, config: Config, request: HoldRequest): Promise<HeldOrder> {
  const { seatIds, userId, token, ownSeatInBiggerOrder = 'refuse' } = request;
  if (seatIds.length === 0) throw invalidSeats('must name at least one seat');
  if (seatIds.length > config.HOLD_MAX_PER_USER) throw invalidSeats(`at most ${config.HOLD_MAX_PER_USER} seats`);
  if (new Set(seatIds).size !== seatIds.length) throw invalidSeats('must not name a seat twice');
  let outcome: HoldOutcome;
  try {
    outcome = await runHold(db, {
      userId,
      tokenId: token.id,
      // An array literal: the pool reads no array types (db/client.ts, fetch_types), so it binds text.
      seatIds: `{${seatIds.join(',')}}`,
      holdSeconds: config.HOLD_TTL_SECONDS,
      turnCapSeconds: turnCapSeconds(config),
      holdMax: config.HOLD_MAX_PER_USER,
      purchaseMax: config.PURCHASE_MAX_PER_USER,
      ownSeatInBiggerOrder: ownSeatInBiggerOrder === 'return',
    });
  } catch (error) {
    if (pgCode(error) === TURN_ENDED) throw new DomainError('TOKEN_EXPIRED', 'Your turn has ended. Join the queue again.');
    throw error;
  }
  // This process's seat map shows the new hold at once (other processes within SEAT_MAP_MAX_AGE_MS).
  if (outcome.outcome === 'held') invalidateSeatMap(outcome.scheduleId);
  switch (outcome.outcome) {
    case 'held':
    case 'existing':
      return {
        orderId: outcome.orderId,
        status: 'held',
        seats: outcome.seats.map((s) => ({ ...orderSeat(s), reservationId: s.reservationId })),
        total: outcome.total,
        heldUntil: isoOf(new Date(outcome.heldUntil)),
      };
    case 'SEAT_UNAVAILABLE':
      throw seatsUnavailable(outcome.seatIds);
    case 'NOT_FOUND':
      throw new DomainError(
        'NOT_FOUND',
        seatIds.length === 1
          ? 'There is no such seat, or its date has passed.'
          : 'Some of these seats do not exist, or their date has passed.',
      );
    case 'MIXED_DATES':
      throw invalidSeats('must all be seats of one date');
    case 'SESSION_REQUIRED':
      throw new DomainError('SESSION_REQUIRED', 'This session is no longer valid. Start a new one.');
    case 'HOLD_LIMIT':
      throw new DomainError('HOLD_LIMIT', `You can hold at most ${config.HOLD_MAX_PER_USER} seats at a time.`, {
        limit: config.HOLD_MAX_PER_USER,
      });
    case 'PURCHASE_LIMIT':
      throw new DomainError('PURCHASE_LIMIT', `You can buy at most ${config.PURCHASE_MAX_PER_USER} seats for this concert.`, {
        limit: config.PURCHASE_MAX_PER_USER,
      });
  }
}
