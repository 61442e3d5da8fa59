import { poolOf, type Db } from '../../db/client';
import type { Config } from '../env';
import type { Idempotency } from '../idempotency/service';
import { payInOneStatement } from '../order/pay';
import { DomainError, onlyRow } from '../errors';
import { admitAfterTurnEnded } from '../queue/admission';

export interface PaymentResult {
  paymentId: number;
  reservationId: number;
  amount: number;
  balance: number;
}

export interface PaymentRequest {
  userId: string;
  reservationId: number;
  idempotency?: Idempotency;
  /** The request's id, for the server's logs. */
  requestId?: string;
}

/**
 * Pays a hold from the wallet: the order the reservation belongs to, in one statement
 * (server/order/pay.ts `payInOneStatement`, which documents the locks), answered as before orders.
 * Paying a paid reservation again charges nothing and returns the first payment. Then, when the
 * payment ended the turn, the admission pass for the freed slot; the payment stands whatever that
 * pass meets. The caller's turn is checked by the procedure rung (server/queue/procedures.ts), not here.
 */
export async function pay(
  db: Db,
  config: Config,
  { userId, reservationId, idempotency, requestId }: PaymentRequest,
): Promise<PaymentResult> {
  const outcome = await payInOneStatement<PaymentResult>(db, { userId, reservationId, idempotency });
  // A freed slot admits the next in line at once, not at the next poll.
  if (outcome.first && outcome.turnEnded) await admitAfterTurnEnded(db, config, { concertId: outcome.concertId!, requestId });
  return outcome.result;
}

const reused = () => new DomainError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used for a different request.');

/**
 * What payment.pay's procedure rung asks first, in one prepared statement: the answer to a payment
 * this call repeats (the result stored under its idempotency key, else the payment of
 * the order the reservation belongs to, while that order is paid) and the concert of the caller's
 * reservation (whose line's turn a new payment needs; undefined for an unknown or another user's one).
 */
export async function paymentLookup(
  db: Db,
  { userId, reservationId, idempotency }: { userId: string; reservationId: number; idempotency?: Idempotency },
): Promise<{ replay: PaymentResult | undefined; concertId: number | undefined }> {
  const row = onlyRow(
    await poolOf(db)<
      {
        concert_id: number | null;
        key_found: boolean;
        request_hash: string | null;
        response: PaymentResult | null;
        payment_id: number | null;
        amount: number | null;
        balance: number | null;
      }[]
    >`
    SELECT sc.concert_id, k.user_id IS NOT NULL AS key_found, k.request_hash, k.response,
      p.id::int AS payment_id, p.amount, l.balance_after AS balance
    FROM (SELECT 1) AS asked
    LEFT JOIN idempotency_keys k ON k.user_id = ${userId}::uuid AND k.key = ${idempotency?.key ?? null}::text
    LEFT JOIN reservations r ON r.id = ${reservationId}::bigint AND r.user_id = ${userId}::uuid
    LEFT JOIN schedules sc ON sc.id = r.schedule_id
    LEFT JOIN orders o ON o.id = r.order_id
    -- Only a paid order's payment: a refunded one is no longer paid, and paying it again is refused, not replayed.
    LEFT JOIN payments p ON p.order_id = o.id AND o.status = 'confirmed'
    LEFT JOIN ledger_entries l ON l.user_id = p.user_id AND l.payment_id = p.id AND l.kind = 'payment'`,
  );
  const concertId = row.concert_id ?? undefined;
  if (idempotency && row.key_found) {
    if (row.request_hash !== idempotency.requestHash) throw reused();
    // A key claimed by a call still in flight has no answer yet: that call's own statement decides.
    if (row.response !== null) return { replay: row.response, concertId };
  }
  if (row.payment_id === null) return { replay: undefined, concertId };
  return { replay: { paymentId: row.payment_id, reservationId, amount: row.amount!, balance: row.balance! }, concertId };
}
