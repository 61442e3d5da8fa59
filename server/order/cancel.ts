import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { ledgerEntries, orders, payments, reservations, wallets, type OrderStatus } from '@/db/schema';
import { invalidateSeatMap } from '@/server/concert/seat-map';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { claimKey, rememberResult, type Idempotency } from '@/server/idempotency/service';
import { markAdmissionDue } from '@/server/queue/admission';
import { dateOfOrder } from '@/server/sale/scope';
import { reopenSoldOut } from '@/server/sale/service';
import { MAX_BALANCE } from '@/server/shared/limits';
import { refundTickets, ticketsToRefund } from '@/server/ticket/refund';
import { isoOf, lockOrderSeats, lockOwnOrder } from './service';

/** Releasing a held order and refunding a paid one (lock order: server/order/service.ts). */

export interface CancelResult {
  orderId: number;
  status: OrderStatus;
  /** Won returned to the wallet: the total for a refund, 0 for a released hold. */
  refunded: number;
  balance: number;
}

const balanceOf = async (tx: Tx, userId: string) =>
  (await tx.select({ balance: wallets.balance }).from(wallets).where(eq(wallets.userId, userId)))[0]!.balance;

/**
 * Cancels the caller's order, inside the caller's transaction. Locks orders → seats → reservations →
 * tickets → ticket_transfers → wallets. A live hold is released (`cancelled`); a hold that ran out is
 * marked `expired`; a paid order is refunded for the tickets the buyer still holds (a `refund` ledger
 * entry of their prices, their seats back on sale, `refunded`; a ticket passed on stays its holder's) until
 * REFUND_DEADLINE_HOURS before its show, else REFUND_CLOSED; `refund: false` (reservation.cancel)
 * refuses a paid order instead. Cancelling again answers as the first time and moves nothing.
 */
export async function cancelOrderIn(
  tx: Tx,
  config: Config,
  { userId, orderId, refund }: { userId: string; orderId: number; refund: boolean },
): Promise<CancelResult> {
  const order = await lockOwnOrder(tx, config, { userId, orderId });
  const answer = async (status: OrderStatus) => ({ orderId, status, refunded: 0, balance: await balanceOf(tx, userId) });
  switch (order.effective) {
    case 'cancelled':
    case 'expired': {
      if (order.status === 'held') {
        // A hold that ran out is marked as what it already is (its reservations too, unless a later
        // hold of a seat marked one first).
        const status = order.effective;
        await lockOrderSeats(tx, orderId);
        await tx
          .update(reservations)
          .set({ status, updatedAt: sql`now()` })
          .where(and(eq(reservations.orderId, orderId), eq(reservations.status, 'held')));
        await tx
          .update(orders)
          .set({ status, updatedAt: sql`now()` })
          .where(eq(orders.id, orderId));
      }
      return answer(order.effective);
    }
    case 'held': {
      await lockOrderSeats(tx, orderId);
      await tx
        .update(reservations)
        .set({ status: 'cancelled', updatedAt: sql`now()` })
        .where(and(eq(reservations.orderId, orderId), eq(reservations.status, 'held')));
      await tx
        .update(orders)
        .set({ status: 'cancelled', updatedAt: sql`now()` })
        .where(eq(orders.id, orderId));
      return answer('cancelled');
    }
    case 'refunded': {
      const [entry] = await tx
        .select({ balance: ledgerEntries.balanceAfter, amount: ledgerEntries.amount })
        .from(ledgerEntries)
        .innerJoin(payments, eq(payments.id, ledgerEntries.paymentId))
        .where(and(eq(ledgerEntries.userId, userId), eq(ledgerEntries.kind, 'refund'), eq(payments.orderId, orderId)));
      return { orderId, status: 'refunded', refunded: entry!.amount, balance: entry!.balance };
    }
    case 'confirmed':
      break;
  }
  if (!refund) throw new DomainError('RESERVATION_CONFIRMED', 'This ticket is already paid for.');
  if (order.now >= order.refundDeadline) {
    throw new DomainError(
      'REFUND_CLOSED',
      `Paid tickets can be cancelled until ${config.REFUND_DEADLINE_HOURS} hours before the show; that time has passed.`,
      { deadline: isoOf(order.refundDeadline) },
    );
  }
  await lockOrderSeats(tx, orderId);
  const kept = await ticketsToRefund(tx, { userId, orderId });
  if (kept.tickets.length === 0) {
    throw new DomainError('NOTHING_TO_REFUND', 'Every ticket of this order was passed on or used: none is yours to refund.');
  }
  const amount = kept.amount;
  const [wallet] = await tx
    .update(wallets)
    .set({ balance: sql`${wallets.balance} + ${amount}`, updatedAt: sql`now()` })
    .where(and(eq(wallets.userId, userId), sql`${wallets.balance} + ${amount} <= ${MAX_BALANCE}`))
    .returning({ balance: wallets.balance });
  if (!wallet) {
    const balance = await balanceOf(tx, userId);
    throw new DomainError('BALANCE_LIMIT', 'The refund would take your balance past its maximum. Spend some of it first.', {
      balance,
      maxCharge: MAX_BALANCE - balance,
    });
  }
  const [payment] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.orderId, orderId));
  await tx.insert(ledgerEntries).values({ userId, kind: 'refund', amount, balanceAfter: wallet.balance, paymentId: payment!.id });
  // The seats go back on sale (their reservations no longer take them) and their tickets are void;
  // a ticket passed to someone else keeps its seat.
  await refundTickets(tx, kept.tickets);
  await tx
    .update(reservations)
    .set({ status: 'cancelled', updatedAt: sql`now()` })
    .where(
      inArray(
        reservations.id,
        kept.tickets.map((t) => t.reservationId),
      ),
    );
  await tx
    .update(orders)
    .set({ status: 'refunded', updatedAt: sql`now()` })
    .where(eq(orders.id, orderId));
  return { orderId, status: 'refunded', refunded: amount, balance: wallet.balance };
}

/** order.cancel: one transaction, the idempotency key claimed first, then `cancelOrderIn`. */
export async function cancelOrder(
  db: Db,
  config: Config,
  { userId, orderId, idempotency }: { userId: string; orderId: number; idempotency?: Idempotency },
): Promise<CancelResult> {
  const result = await db.transaction(async (tx) => {
    if (idempotency) {
      const first = await claimKey<CancelResult>(tx, userId, idempotency);
      if (first) return first.replay;
    }
    const cancelled = await cancelOrderIn(tx, config, { userId, orderId, refund: true });
    if (idempotency) await rememberResult(tx, userId, idempotency, cancelled);
    return cancelled;
  });
  if (result.status === 'refunded' || result.status === 'cancelled') await seatsBackOnSale(db, { userId, orderId });
  return result;
}

/**
 * After a commit that released seats (a refund, a released hold): this process's seat map, the sale's
 * sold-out state and its line see them again. Each step is idempotent and never waits (the cancel
 * already stands).
 */
export async function seatsBackOnSale(db: Db, { userId, orderId }: { userId: string; orderId: number }) {
  const date = await dateOfOrder(db, { userId, orderId });
  if (date === undefined) return;
  invalidateSeatMap(date.scheduleId);
  await reopenSoldOut(db, date.concertId);
  await markAdmissionDue(db, date.concertId);
}
