import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { ledgerEntries, payments, reservations, schedules, wallets } from '../../db/schema';
import type { Config } from '../env';
import { DomainError } from '../errors';
import { claimKey, rememberResult, storedResult, type Idempotency } from '../idempotency/service';
import { admitAfterTurnEnded, endTurn } from '../queue/service';
import { liveHold } from '../reservation/rules';
import { lockOwnReservation } from '../reservation/service';

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
 * Pays a hold from the wallet. One transaction; locks, in the documented order:
 *   seats → reservations → wallets → the concert line's write lock (shared, to end the turn) → queue_tokens.
 * Checks owner, status and expiry, then the balance; deducts, writes the payment and its ledger
 * entry, confirms the reservation (so the seat is sold) and ends the payer's turn once no other hold
 * is left to pay. Paying a confirmed reservation again charges nothing and returns the first payment.
 * The caller's turn is checked by the procedure rung (server/trpc/init.ts), not here.
 */
export async function pay(
  db: Db,
  config: Config,
  { userId, reservationId, idempotency, requestId }: PaymentRequest,
): Promise<PaymentResult> {
  const outcome = await db.transaction(async (tx) => {
    if (idempotency) {
      const first = await claimKey<PaymentResult>(tx, userId, idempotency);
      if (first) return { result: first.replay, first: false };
    }
    const r = await lockOwnReservation(tx, { userId, reservationId });
    if (r.status === 'confirmed') {
      const result = (await findPayment(tx, { userId, reservationId }))!;
      if (idempotency) await rememberResult(tx, userId, idempotency, result);
      return { result, first: false };
    }
    if (r.status === 'cancelled') throw new DomainError('RESERVATION_EXPIRED', 'This hold was cancelled. Pick a seat again.');
    if (r.status === 'expired') {
      throw new DomainError('RESERVATION_EXPIRED', 'Your hold on this seat ran out before payment. Pick a seat again.');
    }

    const [wallet] = await tx.select({ balance: wallets.balance }).from(wallets).where(eq(wallets.userId, userId)).for('update');
    if (wallet!.balance < r.price) {
      throw new DomainError('INSUFFICIENT_BALANCE', 'Your balance is not enough for this seat.', {
        balance: wallet!.balance,
        price: r.price,
        shortfall: r.price - wallet!.balance,
      });
    }
    const balance = wallet!.balance - r.price;
    await tx
      .update(wallets)
      .set({ balance, updatedAt: sql`now()` })
      .where(eq(wallets.userId, userId));
    const [payment] = await tx.insert(payments).values({ reservationId, userId, amount: r.price }).returning({ id: payments.id });
    await tx.insert(ledgerEntries).values({ userId, kind: 'payment', amount: -r.price, balanceAfter: balance, paymentId: payment!.id });
    await tx
      .update(reservations)
      .set({ status: 'confirmed', updatedAt: sql`now()` })
      .where(eq(reservations.id, reservationId));

    // The turn in this concert's line ends once no other hold of the concert is left to pay.
    const [otherHold] = await tx
      .select({ id: reservations.id })
      .from(reservations)
      .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
      .where(and(eq(reservations.userId, userId), liveHold, eq(schedules.concertId, r.concertId)))
      .limit(1);
    if (!otherHold) await endTurn(tx, { userId, concertId: r.concertId });
    const result = { paymentId: payment!.id, reservationId, amount: r.price, balance };
    if (idempotency) await rememberResult(tx, userId, idempotency, result);
    return { result, first: true, turnEnded: !otherHold, concertId: r.concertId };
  });
  // A freed slot admits the next in line at once, not at the next poll; the payment stands whatever that pass meets.
  if (outcome.first && outcome.turnEnded) await admitAfterTurnEnded(db, config, { concertId: outcome.concertId!, requestId });
  return outcome.result;
}

/**
 * The payment of the user's reservation as it was first answered: the balance is the one right after
 * it (its ledger entry's), not today's. Undefined if the reservation is not paid.
 */
export async function findPayment(
  db: DbOrTx,
  { userId, reservationId }: { userId: string; reservationId: number },
): Promise<PaymentResult | undefined> {
  const [row] = await db
    .select({ paymentId: payments.id, amount: payments.amount, balance: ledgerEntries.balanceAfter })
    .from(payments)
    // By user first: ledger_entries is indexed by (user_id, id), not by payment.
    .innerJoin(
      ledgerEntries,
      and(eq(ledgerEntries.userId, payments.userId), eq(ledgerEntries.paymentId, payments.id), eq(ledgerEntries.kind, 'payment')),
    )
    .where(and(eq(payments.reservationId, reservationId), eq(payments.userId, userId)));
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
