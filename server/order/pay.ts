import { poolOf, type Db } from '@/db/client';
import { invalidateSeatMap } from '@/server/concert/seat-map';
import type { Config } from '@/server/env';
import { DomainError, onlyRow, pgCode, type Reason } from '@/server/errors';
import type { Idempotency } from '@/server/idempotency/service';
import { admitAfterTurnEnded } from '@/server/queue/admission';
import { newBookingCode } from './booking-code';

/**
 * Paying a held order from the wallet: one statement, the database function `pay_order`
 * (db/functions/pay_order.sql), which takes the locks in the documented order (db/schema.ts):
 * [idempotency_keys: the key claimed first] → orders → seats (ascending) → reservations → wallets →
 * queue_tokens. It deducts the total, writes one payment and one ledger entry, sells every seat, gives
 * the order its booking code and ends the payer's turn once no other hold of that concert is left (the
 * freed slot is recorded for the admission pass, which runs after the commit). A paid order is answered
 * with its first payment and moves nothing; a refunded one is not paid any more (RESERVATION_EXPIRED).
 * Whether a hold ran out is judged by the clock after the lock waits (clock_timestamp()).
 */

export interface OrderPayment {
  orderId: number;
  bookingCode: string;
  paymentId: number;
  amount: number;
  balance: number;
}

/** Booking codes tried in turn by one payment: a clash with an existing code (45 random bits) tries the next. */
const BOOKING_CODE_ATTEMPTS = 5;
/** SQLSTATE of a refusal raised by pay_order (its message is the reason, its detail the facts as JSON). */
const REFUSAL = 'CTDOM';

const REFUSAL_MESSAGES: Record<string, string> = {
  refunded: 'This order was refunded: its seats went back on sale. Pick your seats again.',
  cancelled: 'This hold was cancelled. Pick your seats again.',
  expired: 'Your hold on these seats ran out before payment. Pick your seats again.',
  order: 'There is no such order.',
  reservation: 'There is no such reservation.',
  INSUFFICIENT_BALANCE: 'Your balance is not enough for these seats.',
  IDEMPOTENCY_KEY_REUSED: 'This idempotency key was already used for a different request.',
};

/** A pay_order refusal as the DomainError the API answers with; anything else as it came. */
function refusalOf(error: unknown): unknown {
  if (pgCode(error) !== REFUSAL) return error;
  const { message: reason, detail } = error as { message: string; detail?: string };
  const { why, what, ...details } = JSON.parse(detail || '{}') as { why?: string; what?: string } & Record<string, unknown>;
  return new DomainError(reason as Reason, REFUSAL_MESSAGES[why ?? what ?? reason] ?? reason, details);
}

export interface PaidOutcome<T> {
  result: T;
  /** This call moved the money (not a replay). */
  first: boolean;
  /** It ended a running turn: an admission pass is due for the concert's line. */
  turnEnded: boolean;
  concertId: number | null;
  /** The order's date (null on a replay of a stored answer). */
  scheduleId: number | null;
}

/**
 * The payment statement: the order (or the order of the caller's reservation, answered with the
 * reservation's id) paid, or its first payment, or the first answer under the idempotency key.
 */
export async function payInOneStatement<T>(
  db: Db,
  target: { userId: string; idempotency?: Idempotency } & ({ orderId: number } | { reservationId: number }),
): Promise<PaidOutcome<T>> {
  const orderId = 'orderId' in target ? target.orderId : null;
  const reservationId = 'reservationId' in target ? target.reservationId : null;
  // An array literal: the codes are letters, digits and dashes only.
  const codes = `{${Array.from({ length: BOOKING_CODE_ATTEMPTS }, newBookingCode).join(',')}}`;
  try {
    const row = onlyRow(
      await poolOf(db)<{ outcome: PaidOutcome<T> }[]>`
      SELECT pay_order(${target.userId}::uuid, ${orderId}::bigint, ${reservationId}::bigint,
        ${target.idempotency?.key ?? null}::text, ${target.idempotency?.requestHash ?? null}::text, ${codes}::text[]) AS outcome`,
    );
    // This process's seat map shows the sale at once (other processes within SEAT_MAP_MAX_AGE_MS).
    if (row.outcome.first && row.outcome.scheduleId) invalidateSeatMap(row.outcome.scheduleId);
    return row.outcome;
  } catch (error) {
    throw refusalOf(error);
  }
}

/**
 * order.pay: the payment statement, then, when it ended the turn, the admission pass that gives the
 * freed slot to the next fan at once. The payment stands whatever that pass meets (it never throws).
 */
export async function payOrder(
  db: Db,
  config: Config,
  { userId, orderId, idempotency, requestId }: { userId: string; orderId: number; idempotency?: Idempotency; requestId?: string },
): Promise<OrderPayment> {
  const outcome = await payInOneStatement<OrderPayment>(db, { userId, orderId, idempotency });
  if (outcome.first && outcome.turnEnded) await admitAfterTurnEnded(db, config, { concertId: outcome.concertId!, requestId });
  return outcome.result;
}

/** A paid order's first payment, as the lookup reads it. */
export interface FoundPayment {
  paymentId: number;
  amount: number;
  balance: number;
  bookingCode: string;
}

/**
 * What a payment's procedure rung asks first, in one statement (for
 * `activeTokenOrReplayLookupProcedure`): the answer to a payment this call repeats (the result stored
 * under its idempotency key, else the first payment of the order while it is paid) and the concert of
 * the caller's order, or of the order the caller's reservation belongs to (undefined for an unknown or
 * another user's one). `replayOf` shapes a found payment as the procedure answers it.
 */
export async function lookupPayment<T>(
  db: Db,
  target: { userId: string; idempotency?: Idempotency } & ({ orderId: number } | { reservationId: number }),
  replayOf: (payment: FoundPayment) => T,
): Promise<{ replay: T | undefined; concertId: number | undefined }> {
  const { userId, idempotency } = target;
  const orderId = 'orderId' in target ? target.orderId : null;
  const reservationId = 'reservationId' in target ? target.reservationId : null;
  const row = onlyRow(
    await poolOf(db)<
      {
        concert_id: number | null;
        key_found: boolean;
        request_hash: string | null;
        response: T | null;
        payment_id: number | null;
        amount: number | null;
        balance: number | null;
        booking_code: string | null;
      }[]
    >`
    SELECT sc.concert_id, k.user_id IS NOT NULL AS key_found, k.request_hash, k.response,
      p.id::int AS payment_id, p.amount, l.balance_after AS balance, o.booking_code
    FROM (SELECT 1) AS asked
    LEFT JOIN idempotency_keys k ON k.user_id = ${userId}::uuid AND k.key = ${idempotency?.key ?? null}::text
    LEFT JOIN reservations r ON r.id = ${reservationId}::bigint AND r.user_id = ${userId}::uuid
    LEFT JOIN orders o ON o.id = coalesce(r.order_id, ${orderId}::bigint) AND o.user_id = ${userId}::uuid
    LEFT JOIN schedules sc ON sc.id = coalesce(r.schedule_id, o.schedule_id)
    -- Only a paid order's payment: a refunded one is no longer paid, and paying it again is refused, not replayed.
    LEFT JOIN payments p ON p.order_id = o.id AND o.status = 'confirmed'
    LEFT JOIN ledger_entries l ON l.user_id = p.user_id AND l.payment_id = p.id AND l.kind = 'payment'`,
  );
  const concertId = row.concert_id ?? undefined;
  if (idempotency && row.key_found) {
    if (row.request_hash !== idempotency.requestHash) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', REFUSAL_MESSAGES.IDEMPOTENCY_KEY_REUSED!);
    }
    // A key claimed by a call still in flight has no answer yet: that call's own statement decides.
    if (row.response !== null) return { replay: row.response, concertId };
  }
  if (row.payment_id === null) return { replay: undefined, concertId };
  const found = { paymentId: row.payment_id, amount: row.amount!, balance: row.balance!, bookingCode: row.booking_code! };
  return { replay: replayOf(found), concertId };
}

/** order.pay's lookup (`lookupPayment`), answered as order.pay answers. */
export const orderPaymentLookup = (
  db: Db,
  { userId, orderId, idempotency }: { userId: string; orderId: number; idempotency?: Idempotency },
) =>
  lookupPayment<OrderPayment>(db, { userId, orderId, idempotency }, ({ paymentId, amount, balance, bookingCode }) => ({
    orderId,
    bookingCode,
    paymentId,
    amount,
    balance,
  }));
