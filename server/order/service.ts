import { and, asc, desc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client';
import {
  concerts,
  ledgerEntries,
  orders,
  payments,
  queueTokens,
  reservations,
  schedules,
  seats,
  users,
  wallets,
  type OrderStatus,
} from '../../db/schema';
import { seatLabel } from '../concert/service';
import type { Config } from '../env';
import { DomainError, PG, pgCode } from '../errors';
import { turnCap } from '../queue/rules';
import { claimKey, rememberResult, storedResult, type Idempotency } from '../idempotency/service';
import { admitAfterTurnEnded, endTurn, extendTurn, markAdmissionDue, type ActiveToken } from '../queue/service';
import { concertOfOrder } from '../sale/scope';
import { reopenSoldOut } from '../sale/service';
import { dbNow, effectiveStatus, liveHold, liveReservation, occupiesSeat } from '../reservation/rules';
import { ticketReference } from '../ticket/reference';
import { MAX_BALANCE } from '../wallet/limits';
import { newBookingCode } from './booking-code';

/**
 * Orders: seats of one date held together (all or none), paid together (one payment, one ledger
 * entry, one booking code), refunded together. Every reservation belongs to an order; the single-seat
 * API (reservation.hold, payment.pay, reservation.cancel) is a one-seat order.
 *
 * Locks, in the documented order (db/schema.ts): users → orders → seats → reservations → wallets →
 * queue_tokens, after the idempotency key when one is sent.
 */

const isoOf = (d: Date) => d.toISOString();

export interface OrderSeat {
  seatId: number;
  label: string;
  section: string;
  row: string;
  number: number;
  price: number;
}

export interface HeldOrder {
  orderId: number;
  status: 'held';
  seats: (OrderSeat & { reservationId: number })[];
  total: number;
  heldUntil: string;
}

const invalidSeats = (message: string) =>
  new DomainError('INVALID_INPUT', 'Some fields are not valid.', { fieldErrors: { seatIds: [message] } });

const seatsUnavailable = (seatIds: number[]) =>
  new DomainError(
    'SEAT_UNAVAILABLE',
    seatIds.length === 1 ? 'Someone else has just taken this seat. Please pick another.' : 'Some of these seats have just been taken.',
    { seatIds },
  );

/** Thrown inside the hold's transaction when a seat is locked by another; answered after the rollback. */
class SeatsLocked extends Error {}

/**
 * The caller's limits, counted under their users row lock so concurrent holds can't slip past one:
 * seats held at once (HOLD_MAX_PER_USER), and held and bought seats of one concert, all its dates
 * together (PURCHASE_MAX_PER_USER).
 */
export async function checkSeatLimits(
  tx: Tx,
  config: Config,
  { userId, concertId, adding }: { userId: string; concertId: number; adding: number },
) {
  const [{ holds, ofConcert } = { holds: 0, ofConcert: 0 }] = await tx
    .select({
      holds: sql<number>`(count(*) FILTER (WHERE ${liveHold}))::int`,
      ofConcert: sql<number>`(count(*) FILTER (WHERE ${eq(schedules.concertId, concertId)}))::int`,
    })
    .from(reservations)
    .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
    .where(and(eq(reservations.userId, userId), liveReservation));
  if (holds + adding > config.HOLD_MAX_PER_USER) {
    throw new DomainError('HOLD_LIMIT', `You can hold at most ${config.HOLD_MAX_PER_USER} seats at a time.`, {
      limit: config.HOLD_MAX_PER_USER,
    });
  }
  if (ofConcert + adding > config.PURCHASE_MAX_PER_USER) {
    throw new DomainError('PURCHASE_LIMIT', `You can buy at most ${config.PURCHASE_MAX_PER_USER} seats for this concert.`, {
      limit: config.PURCHASE_MAX_PER_USER,
    });
  }
}

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

/**
 * Holds seats of one date together, all or none, for HOLD_TTL_SECONDS but never past the end of the
 * caller's turn's cap: one order, one hold clock. One transaction; locks users (the caller) → seats
 * (ascending ids, NOWAIT: a seat being taken right now is SEAT_UNAVAILABLE at once) → reservations (run-out
 * holds of these seats) → queue_tokens (the turn lasts until the hold runs out, up to its cap). The new
 * order row is inserted after the seat locks (nobody else can wait for a row that does not exist yet).
 * Any seat taken: nothing is held, SEAT_UNAVAILABLE with `seatIds` (the taken ones). Asking again for
 * exactly the seats of one's own live order returns that order.
 */
export async function holdSeats(db: Db, config: Config, request: HoldRequest): Promise<HeldOrder> {
  const { seatIds } = request;
  if (seatIds.length === 0) throw invalidSeats('must name at least one seat');
  if (seatIds.length > config.HOLD_MAX_PER_USER) throw invalidSeats(`at most ${config.HOLD_MAX_PER_USER} seats`);
  if (new Set(seatIds).size !== seatIds.length) throw invalidSeats('must not name a seat twice');
  const ids = [...seatIds].sort((a, b) => a - b);
  try {
    return await db.transaction((tx) => holdIn(tx, config, { ...request, seatIds: ids }));
  } catch (error) {
    if (!(error instanceof SeatsLocked)) throw error;
    const taken = await seatsTaken(db, { userId: request.userId, seatIds: ids });
    if (taken.length === 0) throw new DomainError('BUSY', 'Another request is changing the same seats right now. Please try again.');
    throw seatsUnavailable(taken);
  }
}

async function holdIn(
  tx: Tx,
  config: Config,
  { userId, token, seatIds: ids, ownSeatInBiggerOrder = 'refuse' }: HoldRequest,
): Promise<HeldOrder> {
  const [me] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
  if (!me) throw new DomainError('SESSION_REQUIRED', 'This session is no longer valid. Start a new one.');

  let locked;
  try {
    locked = await tx
      .select({
        id: seats.id,
        scheduleId: seats.scheduleId,
        concertId: schedules.concertId,
        price: seats.price,
        section: seats.section,
        row: seats.row,
        number: seats.number,
      })
      .from(seats)
      .innerJoin(schedules, and(eq(schedules.id, seats.scheduleId), gt(schedules.startsAt, sql`now()`)))
      .where(inArray(seats.id, ids))
      .orderBy(asc(seats.id))
      .for('update', { of: seats, noWait: true });
  } catch (error) {
    if (pgCode(error) === PG.LOCK_NOT_AVAILABLE) throw new SeatsLocked();
    throw error;
  }
  if (locked.length !== ids.length) {
    throw new DomainError(
      'NOT_FOUND',
      ids.length === 1 ? 'There is no such seat, or its date has passed.' : 'Some of these seats do not exist, or their date has passed.',
    );
  }
  const scheduleId = locked[0]!.scheduleId;
  if (locked.some((s) => s.scheduleId !== scheduleId)) throw invalidSeats('must all be seats of one date');

  const occupants = await tx
    .select({
      id: reservations.id,
      seatId: reservations.seatId,
      userId: reservations.userId,
      orderId: reservations.orderId,
      status: reservations.status,
      heldUntil: reservations.heldUntil,
      now: dbNow(),
    })
    .from(reservations)
    .where(and(inArray(reservations.seatId, ids), occupiesSeat));
  const taken: number[] = [];
  const mine: typeof occupants = [];
  const ranOut: number[] = [];
  for (const o of occupants) {
    const status = effectiveStatus(o, o.now);
    if (status === 'expired') ranOut.push(o.id);
    else if (status === 'held' && o.userId === userId) mine.push(o);
    else taken.push(o.seatId);
  }
  if (taken.length === 0 && mine.length === ids.length && mine.every((o) => o.orderId === mine[0]!.orderId)) {
    // Asked again (a double click, a retry): the caller's own live order.
    const existing = await heldOrderView(tx, mine[0]!.orderId);
    const sameSeats = existing.seats.length === ids.length;
    if (sameSeats || ownSeatInBiggerOrder === 'return') return existing;
  }
  taken.push(...mine.map((o) => o.seatId));
  if (taken.length > 0) throw seatsUnavailable(taken.sort((a, b) => a - b));
  if (ranOut.length > 0) {
    // Holds that ran out: marked so, which frees each seat's one live place.
    await tx
      .update(reservations)
      .set({ status: 'expired', updatedAt: sql`now()` })
      .where(inArray(reservations.id, ranOut));
  }

  await checkSeatLimits(tx, config, { userId, concertId: locked[0]!.concertId, adding: ids.length });

  const total = locked.reduce((sum, s) => sum + s.price, 0);
  const [order] = await tx
    .insert(orders)
    .values({
      userId,
      scheduleId,
      total,
      status: 'held',
      // A hold never outlives the turn it was made in.
      heldUntil: sql`least(now() + make_interval(secs => ${config.HOLD_TTL_SECONDS}), (SELECT ${turnCap(config)} FROM ${queueTokens} WHERE ${queueTokens.id} = ${token.id}))`,
    })
    .returning({ id: orders.id, heldUntil: orders.heldUntil });
  const created = await tx
    .insert(reservations)
    .values(
      locked.map((s) => ({
        userId,
        orderId: order!.id,
        seatId: s.id,
        scheduleId,
        price: s.price,
        status: 'held' as const,
        heldUntil: order!.heldUntil,
      })),
    )
    .returning({ id: reservations.id, seatId: reservations.seatId });
  await extendTurn(tx, config, { tokenId: token.id, until: order!.heldUntil });
  const reservationOf = new Map(created.map((r) => [r.seatId, r.id]));
  return {
    orderId: order!.id,
    status: 'held',
    seats: locked.map((s) => ({ ...orderSeat({ seatId: s.id, ...s }), reservationId: reservationOf.get(s.id)! })),
    total,
    heldUntil: isoOf(order!.heldUntil),
  };
}

const orderSeat = (s: { seatId: number; section: string; row: string; number: number; price: number }): OrderSeat => ({
  seatId: s.seatId,
  label: seatLabel(s),
  section: s.section,
  row: s.row,
  number: s.number,
  price: s.price,
});

/** A live held order as order.hold answers it (read inside the hold's transaction). */
async function heldOrderView(tx: Tx, orderId: number): Promise<HeldOrder> {
  const rows = await tx
    .select({
      total: orders.total,
      heldUntil: orders.heldUntil,
      reservationId: reservations.id,
      seatId: seats.id,
      section: seats.section,
      row: seats.row,
      number: seats.number,
      price: reservations.price,
    })
    .from(orders)
    .innerJoin(reservations, eq(reservations.orderId, orders.id))
    .innerJoin(seats, eq(seats.id, reservations.seatId))
    .where(eq(orders.id, orderId))
    .orderBy(asc(seats.id));
  return {
    orderId,
    status: 'held',
    seats: rows.map((r) => ({ ...orderSeat(r), reservationId: r.reservationId })),
    total: rows[0]!.total,
    heldUntil: isoOf(rows[0]!.heldUntil),
  };
}

/** Locks the caller's order (NOT_FOUND for anyone else's) and reads it with its date's times. */
async function lockOwnOrder(tx: Tx, config: Config, { userId, orderId }: { userId: string; orderId: number }) {
  const [order] = await tx
    .select({
      status: orders.status,
      heldUntil: orders.heldUntil,
      total: orders.total,
      bookingCode: orders.bookingCode,
      concertId: schedules.concertId,
      now: dbNow(),
      refundDeadline: sql<Date>`${schedules.startsAt} - make_interval(hours => ${config.REFUND_DEADLINE_HOURS})`.mapWith(
        (v: string | Date) => new Date(v),
      ),
    })
    .from(orders)
    .innerJoin(schedules, eq(schedules.id, orders.scheduleId))
    .where(and(eq(orders.id, orderId), eq(orders.userId, userId)))
    .for('update', { of: orders });
  if (!order) throw new DomainError('NOT_FOUND', 'There is no such order.');
  return { ...order, effective: effectiveStatus(order, order.now) };
}

/** Locks an order's seats (ascending) and then its reservations, in the documented order. */
async function lockOrderSeats(tx: Tx, orderId: number) {
  await tx
    .select({ id: seats.id })
    .from(seats)
    .where(inArray(seats.id, tx.select({ id: reservations.seatId }).from(reservations).where(eq(reservations.orderId, orderId))))
    .orderBy(asc(seats.id))
    .for('update');
  return tx
    .select({ id: reservations.id, status: reservations.status, heldUntil: reservations.heldUntil, now: dbNow() })
    .from(reservations)
    .where(eq(reservations.orderId, orderId))
    .orderBy(asc(reservations.id))
    .for('update');
}

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
 * wallets. A live hold is released (`cancelled`); a hold that ran out is marked `expired`; a paid order
 * is refunded in full (a `refund` ledger entry, its seats back on sale, `refunded`) until
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
  const [wallet] = await tx
    .update(wallets)
    .set({ balance: sql`${wallets.balance} + ${order.total}`, updatedAt: sql`now()` })
    .where(and(eq(wallets.userId, userId), sql`${wallets.balance} + ${order.total} <= ${MAX_BALANCE}`))
    .returning({ balance: wallets.balance });
  if (!wallet) {
    const balance = await balanceOf(tx, userId);
    throw new DomainError('BALANCE_LIMIT', 'The refund would take your balance past its maximum. Spend some of it first.', {
      balance,
      maxCharge: MAX_BALANCE - balance,
    });
  }
  const [payment] = await tx.select({ id: payments.id }).from(payments).where(eq(payments.orderId, orderId));
  await tx
    .insert(ledgerEntries)
    .values({ userId, kind: 'refund', amount: order.total, balanceAfter: wallet.balance, paymentId: payment!.id });
  // The seats go back on sale: their reservations no longer take them.
  await tx
    .update(reservations)
    .set({ status: 'cancelled', updatedAt: sql`now()` })
    .where(eq(reservations.orderId, orderId));
  await tx
    .update(orders)
    .set({ status: 'refunded', updatedAt: sql`now()` })
    .where(eq(orders.id, orderId));
  return { orderId, status: 'refunded', refunded: order.total, balance: wallet.balance };
}

export interface OrderView {
  orderId: number;
  status: OrderStatus;
  bookingCode: string | null;
  /** The signed reference a confirmed order's QR code encodes (ticket.verify reads it); else null. */
  ticketRef: string | null;
  concertId: number;
  concertTitle: string;
  venue: string;
  scheduleId: number;
  startsAt: string;
  seats: OrderSeat[];
  total: number;
  heldUntil: string;
  createdAt: string;
}

/** Orders with their seats in one indexed query (orders_by_user, then reservations_by_order per order). */
async function readOrders(db: DbOrTx, config: Config, where: SQL) {
  const rows = await db
    .select({
      orderId: orders.id,
      status: orders.status,
      heldUntil: orders.heldUntil,
      now: dbNow(),
      bookingCode: orders.bookingCode,
      total: orders.total,
      createdAt: orders.createdAt,
      scheduleId: schedules.id,
      startsAt: schedules.startsAt,
      concertId: concerts.id,
      concertTitle: concerts.title,
      venue: concerts.venue,
      seats: sql<{ seatId: number; section: string; row: string; number: number; price: number }[]>`(
        SELECT json_agg(json_build_object('seatId', ${seats.id}, 'section', ${seats.section}, 'row', ${seats.row},
          'number', ${seats.number}, 'price', ${reservations.price}) ORDER BY ${seats.id})
        FROM ${reservations} JOIN ${seats} ON ${seats.id} = ${reservations.seatId}
        WHERE ${reservations.orderId} = ${orders.id})`,
    })
    .from(orders)
    .innerJoin(schedules, eq(schedules.id, orders.scheduleId))
    .innerJoin(concerts, eq(concerts.id, schedules.concertId))
    .where(where)
    .orderBy(desc(orders.id));
  return rows.map((r): OrderView => {
    const status = effectiveStatus(r, r.now);
    return {
      orderId: r.orderId,
      status,
      bookingCode: r.bookingCode,
      ticketRef: status === 'confirmed' && r.bookingCode ? ticketReference(config.SESSION_SECRET, r.bookingCode) : null,
      concertId: r.concertId,
      concertTitle: r.concertTitle,
      venue: r.venue,
      scheduleId: r.scheduleId,
      startsAt: isoOf(r.startsAt),
      seats: (r.seats ?? []).map(orderSeat),
      total: r.total,
      heldUntil: isoOf(r.heldUntil),
      createdAt: isoOf(r.createdAt),
    };
  });
}

/** The caller's orders, newest first. */
export function listOrders(db: DbOrTx, config: Config, { userId }: { userId: string }) {
  return readOrders(db, config, eq(orders.userId, userId));
}

/** One of the caller's orders; anyone else's is NOT_FOUND. */
export async function getOrder(db: DbOrTx, config: Config, { userId, orderId }: { userId: string; orderId: number }) {
  const [order] = await readOrders(db, config, and(eq(orders.userId, userId), eq(orders.id, orderId))!);
  if (!order) throw new DomainError('NOT_FOUND', 'There is no such order.');
  return order;
}

/**
 * Which of these seats are taken, after a hold met a seat lock: those another transaction has locked
 * right now (not lockable with SKIP LOCKED) and those with a live reservation.
 */
async function seatsTaken(db: Db, { seatIds }: { userId: string; seatIds: number[] }): Promise<number[]> {
  return db.transaction(async (tx) => {
    const lockable = await tx.select({ id: seats.id }).from(seats).where(inArray(seats.id, seatIds)).for('update', { skipLocked: true });
    const occupied = await tx
      .select({ seatId: reservations.seatId })
      .from(reservations)
      .where(and(inArray(reservations.seatId, seatIds), liveReservation));
    const free = new Set(lockable.map((s) => s.id));
    const taken = new Set([...seatIds.filter((id) => !free.has(id)), ...occupied.map((r) => r.seatId)]);
    return [...taken].sort((a, b) => a - b);
  });
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
 * After a commit that released seats (a refund, a released hold): the sale's sold-out state and its
 * line see them again. Both steps are idempotent and never wait (the cancel already stands).
 */
async function seatsBackOnSale(db: Db, { userId, orderId }: { userId: string; orderId: number }) {
  const concertId = await concertOfOrder(db, { userId, orderId });
  if (concertId === undefined) return;
  await reopenSoldOut(db, concertId);
  await markAdmissionDue(db, concertId);
}
