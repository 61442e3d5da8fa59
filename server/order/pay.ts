import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client';
import { ledgerEntries, orders, payments, reservations, schedules, wallets } from '../../db/schema';
import type { Config } from '../env';
import { DomainError, PG, pgCode } from '../errors';
import { claimKey, rememberResult, storedResult, type Idempotency } from '../idempotency/service';
import { admitAfterTurnEnded, endTurn } from '../queue/admission';
import { effectiveStatus, liveHold } from '../reservation/rules';
import { newBookingCode } from './booking-code';
import { lockOrderSeats, lockOwnOrder } from './service';

/** Paying a held order from the wallet (lock order: server/order/service.ts). */

export interface OrderPayment {
  orderId: number;
  bookingCode: string;
  paymentId: number;
  amount: number;
  balance: number;
}

const BOOKING_CODE_ATTEMPTS = 5;

/** Confirms the order under a fresh booking code, retrying (in a savepoint) on the rare clash. */
async function confirmWithBookingCode(tx: Tx, orderId: number): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const bookingCode = newBookingCode();
    try {
      await tx.transaction(async (savepoint) => {
        await savepoint
          .update(orders)
          .set({ status: 'confirmed', bookingCode, updatedAt: sql`now()` })
          .where(eq(orders.id, orderId));
      });
      return bookingCode;
    } catch (error) {
      if (pgCode(error) !== PG.UNIQUE_VIOLATION || attempt >= BOOKING_CODE_ATTEMPTS) throw error;
    }
  }
}

/**
 * Pays the caller's held order from the wallet, inside the caller's transaction (which claimed the
 * idempotency key, if any). Locks orders → seats → reservations → wallets → the line's write lock
 * (shared, to end the turn) → queue_tokens. Deducts the total, writes one payment and one ledger
 * entry, sells every seat, gives the order its booking code and ends the payer's turn once no other
 * hold is left. A paid order is answered with its first payment (`first: false`) and moves nothing.
 */
export async function payOrderIn(
  tx: Tx,
  config: Config,
  { userId, orderId }: { userId: string; orderId: number },
): Promise<{ result: OrderPayment; first: boolean; turnEnded: boolean; concertId: number }> {
  const order = await lockOwnOrder(tx, config, { userId, orderId });
  if (order.effective === 'refunded') {
    throw new DomainError('RESERVATION_EXPIRED', 'This order was refunded: its seats went back on sale. Pick your seats again.');
  }
  if (order.effective === 'confirmed') {
    return { result: (await findOrderPayment(tx, { userId, orderId }))!, first: false, turnEnded: false, concertId: order.concertId };
  }
  if (order.effective === 'cancelled') throw new DomainError('RESERVATION_EXPIRED', 'This hold was cancelled. Pick your seats again.');
  if (order.effective === 'expired') {
    throw new DomainError('RESERVATION_EXPIRED', 'Your hold on these seats ran out before payment. Pick your seats again.');
  }
  const held = await lockOrderSeats(tx, orderId);
  if (held.some((r) => effectiveStatus(r, r.now) !== 'held')) {
    throw new DomainError('RESERVATION_EXPIRED', 'Your hold on these seats ran out before payment. Pick your seats again.');
  }

  const [wallet] = await tx.select({ balance: wallets.balance }).from(wallets).where(eq(wallets.userId, userId)).for('update');
  if (wallet!.balance < order.total) {
    throw new DomainError('INSUFFICIENT_BALANCE', 'Your balance is not enough for these seats.', {
      balance: wallet!.balance,
      price: order.total,
      shortfall: order.total - wallet!.balance,
    });
  }
  const balance = wallet!.balance - order.total;
  await tx
    .update(wallets)
    .set({ balance, updatedAt: sql`now()` })
    .where(eq(wallets.userId, userId));
  const [payment] = await tx
    .insert(payments)
    // A one-seat order names its reservation too, as payments did before orders.
    .values({ orderId, reservationId: held.length === 1 ? held[0]!.id : null, userId, amount: order.total })
    .returning({ id: payments.id });
  await tx.insert(ledgerEntries).values({ userId, kind: 'payment', amount: -order.total, balanceAfter: balance, paymentId: payment!.id });
  await tx
    .update(reservations)
    .set({ status: 'confirmed', updatedAt: sql`now()` })
    .where(eq(reservations.orderId, orderId));
  const bookingCode = await confirmWithBookingCode(tx, orderId);

  // The turn in this concert's line ends once no other hold of the concert is left to pay.
  const [otherHold] = await tx
    .select({ id: reservations.id })
    .from(reservations)
    .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
    .where(and(eq(reservations.userId, userId), liveHold, eq(schedules.concertId, order.concertId)))
    .limit(1);
  if (!otherHold) await endTurn(tx, { userId, concertId: order.concertId });
  return {
    result: { orderId, bookingCode, paymentId: payment!.id, amount: order.total, balance },
    first: true,
    turnEnded: !otherHold,
    concertId: order.concertId,
  };
}

/**
 * The payment of the caller's order as it was first answered: the balance is the one right after it
 * (its ledger entry's), not today's. Undefined if the order is not paid (or not theirs).
 */
export async function findOrderPayment(
  db: DbOrTx,
  { userId, orderId }: { userId: string; orderId: number },
): Promise<OrderPayment | undefined> {
  const [row] = await db
    .select({ paymentId: payments.id, amount: payments.amount, balance: ledgerEntries.balanceAfter, bookingCode: orders.bookingCode })
    .from(payments)
    .innerJoin(orders, eq(orders.id, payments.orderId))
    // By user first: ledger_entries is indexed by (user_id, id).
    .innerJoin(
      ledgerEntries,
      and(eq(ledgerEntries.userId, payments.userId), eq(ledgerEntries.paymentId, payments.id), eq(ledgerEntries.kind, 'payment')),
    )
    // A refunded order is no longer paid: asking to pay it again is not a replay (payOrderIn refuses it).
    .where(and(eq(payments.orderId, orderId), eq(payments.userId, userId), eq(orders.status, 'confirmed')));
  return row && { orderId, bookingCode: row.bookingCode!, paymentId: row.paymentId, amount: row.amount, balance: row.balance };
}

/**
 * order.pay: one transaction (the idempotency key claimed first, then `payOrderIn`), then, when it
 * ended the turn, the admission pass that gives the freed slot to the next fan at once. The payment
 * stands whatever that pass meets (it never throws).
 */
export async function payOrder(
  db: Db,
  config: Config,
  { userId, orderId, idempotency, requestId }: { userId: string; orderId: number; idempotency?: Idempotency; requestId?: string },
): Promise<OrderPayment> {
  const outcome = await db.transaction(async (tx) => {
    if (idempotency) {
      const first = await claimKey<OrderPayment>(tx, userId, idempotency);
      if (first) return { result: first.replay, first: false, turnEnded: false, concertId: 0 };
    }
    const paid = await payOrderIn(tx, config, { userId, orderId });
    if (idempotency) await rememberResult(tx, userId, idempotency, paid.result);
    return paid;
  });
  if (outcome.first && outcome.turnEnded) await admitAfterTurnEnded(db, config, { concertId: outcome.concertId, requestId });
  return outcome.result;
}

/**
 * The answer to an order payment that already went through, if this call repeats one: the result
 * stored under its idempotency key, else the order's payment. A replay needs no turn (the first
 * payment ended it), so the procedure asks for it before the active-turn check.
 */
export async function orderPaymentReplay(
  db: DbOrTx,
  { userId, orderId, idempotency }: { userId: string; orderId: number; idempotency?: Idempotency },
): Promise<OrderPayment | undefined> {
  const stored = idempotency && (await storedResult<OrderPayment>(db, userId, idempotency));
  if (stored) return stored.replay;
  return findOrderPayment(db, { userId, orderId });
}
