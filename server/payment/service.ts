import type { Db } from '@/db/client';
import type { Config } from '@/server/env';
import type { Idempotency } from '@/server/idempotency/service';
import { lookupPayment, payInOneStatement } from '@/server/order/pay';
import { admitAfterTurnEnded } from '@/server/queue/admission';

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

/** payment.pay's lookup (server/order/pay.ts `lookupPayment`), answered as payment.pay answers. */
export const paymentLookup = (
  db: Db,
  { userId, reservationId, idempotency }: { userId: string; reservationId: number; idempotency?: Idempotency },
) =>
  lookupPayment<PaymentResult>(db, { userId, reservationId, idempotency }, ({ paymentId, amount, balance }) => ({
    paymentId,
    reservationId,
    amount,
    balance,
  }));
