import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  doublePrecision,
  index,
  jsonb,
  primaryKey,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { MAX_BALANCE } from '../server/wallet/limits';

/**
 * Lock order (every transaction that takes more than one row lock takes them in this order):
 *   idempotency_keys → queue_state → users → orders → seats → reservations → wallets → queue_tokens
 * See README "Lock order" for which operation takes which. (A new order row is inserted after its
 * seats are locked: no other transaction can know its id, so nobody can wait for it.)
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const bigId = (name: string) => bigint(name, { mode: 'number' });

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const wallets = pgTable(
  'wallets',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    balance: integer('balance').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('wallets_balance_range', sql`${t.balance} >= 0 AND ${t.balance} <= ${sql.raw(String(MAX_BALANCE))}`)],
);

export const concerts = pgTable('concerts', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  title: text('title').notNull(),
  artist: text('artist').notNull(),
  venue: text('venue').notNull(),
  createdAt: createdAt(),
});

/** One date (performance) of a concert. */
export const schedules = pgTable(
  'schedules',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    concertId: integer('concert_id')
      .notNull()
      .references(() => concerts.id, { onDelete: 'cascade' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('schedules_concert_starts').on(t.concertId, t.startsAt)],
);

/** A seat of one date. Whether it is free, held or sold is read from its live reservation. */
export const seats = pgTable(
  'seats',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    scheduleId: integer('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    section: text('section').notNull(),
    row: text('row').notNull(),
    number: integer('number').notNull(),
    price: integer('price').notNull(),
  },
  (t) => [uniqueIndex('seats_place').on(t.scheduleId, t.section, t.row, t.number), check('seats_price_positive', sql`${t.price} > 0`)],
);

export const ORDER_STATUSES = ['held', 'confirmed', 'expired', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Booking codes: three groups of three from A–Z without I and O, and 2–9 (e.g. `K7Q-4MZ-92D`). */
export const BOOKING_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const BOOKING_CODE_PATTERN = '^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$';

/**
 * What a fan holds and buys together: seats of one date, one hold clock (`held_until`, copied to
 * each of its reservations), one payment, one booking code once paid. A `held` order whose
 * `held_until` has passed is expired, marked or not (server/reservation/rules.ts).
 */
export const orders = pgTable(
  'orders',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    scheduleId: integer('schedule_id')
      .notNull()
      .references(() => schedules.id),
    status: text('status', { enum: ORDER_STATUSES }).notNull().default('held'),
    /** Set when paid; kept when refunded (so a refunded ticket is recognised at the door). */
    bookingCode: text('booking_code'),
    total: integer('total').notNull(),
    heldUntil: timestamp('held_until', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('orders_booking_code').on(t.bookingCode),
    index('orders_by_user').on(t.userId, t.id),
    check('orders_status_known', sql`${t.status} IN ('held', 'confirmed', 'expired', 'cancelled', 'refunded')`),
    check('orders_total_positive', sql`${t.total} > 0`),
    // A booking code exactly when the order was paid (confirmed, or refunded after).
    check('orders_code_when_paid', sql`(${t.status} IN ('confirmed', 'refunded')) = (${t.bookingCode} IS NOT NULL)`),
    check('orders_code_format', sql`${t.bookingCode} ~ ${sql.raw(`'${BOOKING_CODE_PATTERN}'`)}`),
  ],
);

export const RESERVATION_STATUSES = ['held', 'confirmed', 'expired', 'cancelled'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/**
 * A hold and, once paid, the ticket. `held` rows whose `held_until` has passed are expired
 * lazily: readers treat them as expired, and the next hold of the seat marks them so.
 */
export const reservations = pgTable(
  'reservations',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The order the seat was held in; every reservation belongs to one. */
    orderId: bigId('order_id')
      .notNull()
      .references(() => orders.id),
    seatId: integer('seat_id')
      .notNull()
      .references(() => seats.id),
    scheduleId: integer('schedule_id')
      .notNull()
      .references(() => schedules.id),
    price: integer('price').notNull(),
    status: text('status', { enum: RESERVATION_STATUSES }).notNull().default('held'),
    heldUntil: timestamp('held_until', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One live reservation per seat: the database refuses a second, whatever the code does.
    uniqueIndex('reservations_one_live_per_seat')
      .on(t.seatId)
      .where(sql`${t.status} IN ('held', 'confirmed')`),
    index('reservations_live_by_schedule')
      .on(t.scheduleId)
      .where(sql`${t.status} IN ('held', 'confirmed')`),
    index('reservations_by_user').on(t.userId, t.id),
    index('reservations_by_order').on(t.orderId),
    check('reservations_status_known', sql`${t.status} IN ('held', 'confirmed', 'expired', 'cancelled')`),
    check('reservations_price_positive', sql`${t.price} > 0`),
  ],
);

export const payments = pgTable(
  'payments',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    /** The order paid: one payment per order. */
    orderId: bigId('order_id')
      .notNull()
      .references(() => orders.id),
    /** The seat's reservation when the order has one seat (as before orders); null for several. */
    reservationId: bigId('reservation_id').references(() => reservations.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    amount: integer('amount').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // One payment per order (and so per reservation).
    uniqueIndex('payments_one_per_order').on(t.orderId),
    uniqueIndex('payments_one_per_reservation').on(t.reservationId),
    check('payments_amount_positive', sql`${t.amount} > 0`),
  ],
);

export const LEDGER_KINDS = ['charge', 'payment', 'refund'] as const;

/** Every change of a balance, signed: the sum of a user's entries is their balance. */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: LEDGER_KINDS }).notNull(),
    amount: integer('amount').notNull(),
    balanceAfter: integer('balance_after').notNull(),
    paymentId: bigId('payment_id').references(() => payments.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('ledger_entries_by_user').on(t.userId, t.id),
    // One payment entry and at most one refund entry per payment.
    uniqueIndex('ledger_entries_one_payment_entry')
      .on(t.paymentId)
      .where(sql`${t.kind} = 'payment'`),
    uniqueIndex('ledger_entries_one_refund_entry')
      .on(t.paymentId)
      .where(sql`${t.kind} = 'refund'`),
    check('ledger_entries_kind_known', sql`${t.kind} IN ('charge', 'payment', 'refund')`),
    check(
      'ledger_entries_sign',
      sql`(${t.kind} = 'charge' AND ${t.amount} > 0) OR (${t.kind} = 'payment' AND ${t.amount} < 0) OR (${t.kind} = 'refund' AND ${t.amount} > 0)`,
    ),
    // Payments and refunds name their payment.
    check('ledger_entries_payment_named', sql`${t.kind} = 'charge' OR ${t.paymentId} IS NOT NULL`),
  ],
);

export const TOKEN_STATUSES = ['waiting', 'active', 'expired', 'done'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

/**
 * The waiting room. `id` is the ticket number: issue order. A token is admitted when its turn
 * comes (status active, expires_at set), ends when it expires or its user pays (done), and a
 * waiting token that stops polling gives up its place (expired).
 */
export const queueTokens = pgTable(
  'queue_tokens',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    token: text('token').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status', { enum: TOKEN_STATUSES }).notNull().default('waiting'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    admittedAt: timestamp('admitted_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('queue_tokens_token').on(t.token),
    // A user holds at most one live token.
    uniqueIndex('queue_tokens_one_live_per_user')
      .on(t.userId)
      .where(sql`${t.status} IN ('waiting', 'active')`),
    index('queue_tokens_waiting_in_order')
      .on(t.id)
      .where(sql`${t.status} = 'waiting'`),
    index('queue_tokens_active_by_expiry')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'active'`),
    check('queue_tokens_status_known', sql`${t.status} IN ('waiting', 'active', 'expired', 'done')`),
    check('queue_tokens_active_has_expiry', sql`${t.status} <> 'active' OR ${t.expiresAt} IS NOT NULL`),
  ],
);

/**
 * One row: the admission cursor and what the hot path needs to decide, without a lock or a
 * count, whether an admission pass is due. Written only by the admission pass (under its row lock).
 */
export const queueState = pgTable(
  'queue_state',
  {
    id: smallint('id').primaryKey().default(1),
    /** Highest ticket number admitted so far; a waiting token's position is `id - admitted_through`. */
    admittedThrough: bigId('admitted_through').notNull().default(0),
    activeCount: integer('active_count').notNull().default(0),
    /** Earliest expires_at among active tokens: an admission pass is due once it has passed. */
    nextExpiryAt: timestamp('next_expiry_at', { withTimezone: true }),
    lastAdmittedAt: timestamp('last_admitted_at', { withTimezone: true }),
    /** Smoothed admissions per second, for the waiting estimate. */
    admitRate: doublePrecision('admit_rate'),
  },
  (t) => [check('queue_state_single_row', sql`${t.id} = 1`)],
);

/**
 * Idempotency keys of money-moving calls (wallet.charge, payment.pay): the first call's result,
 * returned again to a retry with the same key. Claimed as the first statement of the call's own
 * transaction, so a concurrent duplicate waits for it and a failed call leaves no key behind.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** What the key was used for: the procedure and a hash of its input. */
    requestHash: text('request_hash').notNull(),
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_keys_by_age').on(t.createdAt)],
);

/**
 * Rate-limit counters, shared by every app instance: one row per (procedure, client) with the hits of
 * its current fixed window. Counted by one atomic upsert per call (server/rate-limit.ts). UNLOGGED (see
 * the migration): a counter needs no crash safety, and skipping the WAL makes the upsert cheap.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  hits: integer('hits').notNull(),
});
