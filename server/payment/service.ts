import { and, eq } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { ledgerEntries, orders, payments, reservations } from '../../db/schema';
import type { Config } from '../env';
import { storedResult, type Idempotency } from '../idempotency/service';
import { payInOneStatement } from '../order/pay';
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
 * pass meets. The caller's turn is checked by the procedure rung (server/trpc/init.ts), not here.
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

/**
 * The payment of the order the user's reservation belongs to, as it was first answered: the balance
 * is the one right after it (its ledger entry's), not today's. Undefined if it is not paid.
 */
export async function findPayment(
  db: DbOrTx,
  { userId, reservationId }: { userId: string; reservationId: number },
): Promise<PaymentResult | undefined> {
  const [row] = await db
    .select({ paymentId: payments.id, amount: payments.amount, balance: ledgerEntries.balanceAfter })
    .from(reservations)
    // Only a paid order: a refunded one is no longer paid, and paying it again is refused, not replayed.
    .innerJoin(orders, and(eq(orders.id, reservations.orderId), eq(orders.status, 'confirmed')))
    .innerJoin(payments, eq(payments.orderId, reservations.orderId))
    // By user first: ledger_entries is indexed by (user_id, id), not by payment.
    .innerJoin(
      ledgerEntries,
      and(eq(ledgerEntries.userId, payments.userId), eq(ledgerEntries.paymentId, payments.id), eq(ledgerEntries.kind, 'payment')),
    )
    .where(and(eq(reservations.id, reservationId), eq(reservations.userId, userId)));
  return row && { paymentId: row.paymentId, reservationId, amount: row.amount, balance: row.balance };
}

/**
 * The answer to a payment that already went through, if this call repeats one: the result stored
 * under its idempotency key, else the payment of that reservation. A replay moves no money and needs
 * no turn (the first payment ended it), so the procedure asks for it before the active-turn check.
 */
export async function paymentReplay(
  db: DbOrTx,
  { userId, reservationId, idempotency }: { userId: string; reservationId: number; idempotency?: Idempotency },
): Promise<PaymentResult | undefined> {
  const stored = idempotency && (await storedResult<PaymentResult>(db, userId, idempotency));
  if (stored) return stored.replay;
  return findPayment(db, { userId, reservationId });
}
