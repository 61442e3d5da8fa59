import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  jsonb,
  primaryKey,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { JOIN_DIFFICULTY_DEFAULT, JOIN_DIFFICULTY_MAX, JOIN_DIFFICULTY_MIN, MAX_BALANCE } from './limits';

export * from './accounts-schema';
export * from './operators-schema';
export * from './tickets-schema';

/**
 * Lock order (every transaction that takes more than one row lock takes them in this order):
 *   idempotency_keys → sales → queue_state → users → orders → seats → reservations → tickets →
 *   ticket_transfers → ticket_entries → wallets → queue_tokens
 * The operator console's tables (db/operators-schema.ts) are never locked with these; among
 * themselves: operator_invitations → operators → operator_sessions, and operator_sign_in_limits by key.
 * See docs/how-it-works.md "Lock order" for which operation takes which. (A new order row is inserted after its
 * seats are locked: no other transaction can know its id, so nobody can wait for it. A row of
 * queue_active_changes is only ever inserted by a writer, never updated: nobody waits for it; nor
 * is a row of audit_log, which nothing may update at all.)
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const bigId = (name: string) => bigint(name, { mode: 'number' });

/**
 * A person who buys: a guest (a cookie) or an account (auth_users shares its id). A guest who signs
 * up or signs in is moved into the account (server/account/adopt-guest.ts) and names it here.
 */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: createdAt(),
  mergedInto: uuid('merged_into').references((): AnyPgColumn => users.id),
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

/** `moved_in`/`moved_out`: a guest's balance moved into the account it signed in to (paired entries). */
export const LEDGER_KINDS = ['charge', 'payment', 'refund', 'moved_in', 'moved_out'] as const;

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
    check('ledger_entries_kind_known', sql`${t.kind} IN ('charge', 'payment', 'refund', 'moved_in', 'moved_out')`),
    check(
      'ledger_entries_sign',
      sql`(${t.kind} IN ('charge', 'refund', 'moved_in') AND ${t.amount} > 0) OR (${t.kind} IN ('payment', 'moved_out') AND ${t.amount} < 0)`,
    ),
    // Payments and refunds name their payment.
    check('ledger_entries_payment_named', sql`${t.kind} NOT IN ('payment', 'refund') OR ${t.paymentId} IS NOT NULL`),
  ],
);

/** Who may join a sale's line: anyone (guests too), or only signed-in accounts. */
export const SALE_AUDIENCES = ['everyone', 'accounts'] as const;
export type SaleAudience = (typeof SALE_AUDIENCES)[number];

export const SALE_CLOSED_REASONS = ['sold_out', 'closed'] as const;
export type SaleClosedReason = (typeof SALE_CLOSED_REASONS)[number];

/**
 * A concert's sale: when its pre-queue and its sale open, its line's settings, and the fair draw.
 * `commitment` (hex SHA-256 of `seed`) is public from the start; `seed` is revealed at the opening
 * (`opened_at`), when the pre-queue's tokens get their places (`drawn_count` of them: places
 * 1..drawn_count). Later joiners take the next number of the line's place sequence
 * (`line_places_<concert_id>`, one per sale: created with this row by the trigger sales_line_places,
 * set to drawn_count by the draw; db/functions/take_line_place.sql), which no join waits for, so
 * no join locks this row.
 * `closed_reason` is set when every seat is sold (`sold_out`) or an operator closes the sale.
 * State rule: server/sale/service.ts `saleStateOf`.
 */
export const sales = pgTable(
  'sales',
  {
    concertId: integer('concert_id')
      .primaryKey()
      .references(() => concerts.id, { onDelete: 'cascade' }),
    prequeueOpensAt: timestamp('prequeue_opens_at', { withTimezone: true }).notNull(),
    opensAt: timestamp('opens_at', { withTimezone: true }).notNull(),
    maxActive: integer('max_active').notNull(),
    turnSeconds: integer('turn_seconds').notNull(),
    audience: text('audience', { enum: SALE_AUDIENCES }).notNull().default('everyone'),
    paused: boolean('paused').notNull().default(false),
    /** When the sale was last paused; null while it is not paused. */
    pausedAt: timestamp('paused_at', { withTimezone: true }),
    /**
     * The join challenge's difficulty: the most key derivations a solver may need (server/queue/join-challenge.ts).
     * The operator raises it live; `join_surge_per_second` raises it by itself while joins come faster than that.
     */
    joinDifficulty: integer('join_difficulty').notNull().default(JOIN_DIFFICULTY_DEFAULT),
    joinSurgePerSecond: integer('join_surge_per_second'),
    closedReason: text('closed_reason', { enum: SALE_CLOSED_REASONS }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    commitment: text('commitment').notNull(),
    seed: text('seed').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    /** How many pre-queue tokens the draw placed (places 1..drawn_count); null before the opening. */
    drawnCount: integer('drawn_count'),
    createdAt: createdAt(),
  },
  (t) => [
    check('sales_opens_after_prequeue', sql`${t.opensAt} > ${t.prequeueOpensAt}`),
    check('sales_max_active_positive', sql`${t.maxActive} > 0`),
    check('sales_turn_seconds_positive', sql`${t.turnSeconds} > 0`),
    check('sales_audience_known', sql`${t.audience} IN ('everyone', 'accounts')`),
    check('sales_closed_reason_known', sql`${t.closedReason} IS NULL OR ${t.closedReason} IN ('sold_out', 'closed')`),
    check('sales_closed_has_time', sql`(${t.closedReason} IS NULL) = (${t.closedAt} IS NULL)`),
    check('sales_commitment_hex', sql`${t.commitment} ~ '^[0-9a-f]{64}$'`),
    check('sales_paused_has_time', sql`${t.paused} = (${t.pausedAt} IS NOT NULL)`),
    check(
      'sales_join_difficulty_range',
      sql`${t.joinDifficulty} BETWEEN ${sql.raw(String(JOIN_DIFFICULTY_MIN))} AND ${sql.raw(String(JOIN_DIFFICULTY_MAX))}`,
    ),
    check('sales_join_surge_positive', sql`${t.joinSurgePerSecond} IS NULL OR ${t.joinSurgePerSecond} > 0`),
  ],
);

export const TOKEN_STATUSES = ['waiting', 'active', 'expired', 'done', 'closed'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

/**
 * The waiting rooms, one line per concert. `id` is the draw number (unique across lines). A token
 * of the pre-queue waits with no `place` until the draw gives it one; a token that joins after the
 * opening takes the next place at once. A token is admitted when its place comes (status active,
 * expires_at set), ends when it expires or its user pays (done), gives up its place when its holder
 * stops polling (expired), and turns `closed` (with `closed_reason`) when its sale sells out or is
 * closed while it waits.
 */
export const queueTokens = pgTable(
  'queue_tokens',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    token: text('token').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    concertId: integer('concert_id')
      .notNull()
      .references(() => concerts.id, { onDelete: 'cascade' }),
    /** Place in the concert's line: null in the pre-queue until the draw. */
    place: bigId('place'),
    status: text('status', { enum: TOKEN_STATUSES }).notNull().default('waiting'),
    closedReason: text('closed_reason', { enum: SALE_CLOSED_REASONS }),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    admittedAt: timestamp('admitted_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** The turn length the token was admitted with (its sale's `turn_seconds` then). */
    turnSeconds: integer('turn_seconds'),
    /** The join challenge solved for this place (its nonce): each solves one join. Null when none was asked. */
    challengeNonce: text('challenge_nonce'),
    /** The joining client's network (an IPv4 /24 or IPv6 /48), for the operator's view of who joins. */
    addressPrefix: text('address_prefix'),
  },
  (t) => [
    uniqueIndex('queue_tokens_token').on(t.token),
    // A user holds at most one live token per concert.
    uniqueIndex('queue_tokens_one_live_per_user_concert')
      .on(t.userId, t.concertId)
      .where(sql`${t.status} IN ('waiting', 'active')`),
    index('queue_tokens_waiting_in_order')
      .on(t.concertId, t.place)
      .where(sql`${t.status} = 'waiting'`),
    index('queue_tokens_active_by_expiry')
      .on(t.concertId, t.expiresAt)
      .where(sql`${t.status} = 'active'`),
    index('queue_tokens_placed').on(t.concertId, t.place),
    uniqueIndex('queue_tokens_challenge_once')
      .on(t.challengeNonce)
      .where(sql`${t.challengeNonce} IS NOT NULL`),
    check('queue_tokens_status_known', sql`${t.status} IN ('waiting', 'active', 'expired', 'done', 'closed')`),
    check('queue_tokens_active_has_expiry', sql`${t.status} <> 'active' OR ${t.expiresAt} IS NOT NULL`),
    check('queue_tokens_closed_has_reason', sql`(${t.status} = 'closed') = (${t.closedReason} IS NOT NULL)`),
    check('queue_tokens_admitted_has_place', sql`${t.status} <> 'active' OR ${t.place} IS NOT NULL`),
  ],
);

/**
 * One row per line (concert): the admission cursor and what the hot path needs to decide, without a
 * lock or a count, whether an admission pass is due. Written only by the admission pass (under its
 * row lock, in one statement: `admit_line`) and by the conditional one-statement updates beside it
 * (marking a pass due, recounting seats), never by a payment. `active_count` is kept exactly, not
 * counted: plus the line's pending `queue_active_changes`, it is the number of its `active` tokens.
 */
export const queueState = pgTable('queue_state', {
  concertId: integer('concert_id')
    .primaryKey()
    .references(() => concerts.id, { onDelete: 'cascade' }),
  /** Highest place admitted so far; a waiting token's position is `place - admitted_through`. */
  admittedThrough: bigId('admitted_through').notNull().default(0),
  /** Active tokens, as of the last pass: add the line's queue_active_changes for now (server/queue/admission.ts). */
  activeCount: integer('active_count').notNull().default(0),
  /** Earliest expires_at among active tokens (or a hold's end while no seat is free): a pass is due once it has passed. */
  nextExpiryAt: timestamp('next_expiry_at', { withTimezone: true }),
  lastAdmittedAt: timestamp('last_admitted_at', { withTimezone: true }),
  /** Smoothed admissions per second, for the waiting estimate. */
  admitRate: doublePrecision('admit_rate'),
  /** The last pass found no free seat: a free slot alone does not make a pass due (a run-out hold or cancel does). */
  noSeatFree: boolean('no_seat_free').notNull().default(false),
  /** Seats of the sale neither held nor sold / held, as last counted (at most a few seconds old). */
  seatsLeft: integer('seats_left'),
  seatsHeld: integer('seats_held'),
  seatsCountedAt: timestamp('seats_counted_at', { withTimezone: true }),
  /** A seat the last pass found free: the next pass looks for a free seat from there (no count of the sale's seats). */
  freeSeatHint: integer('free_seat_hint'),
});

/**
 * Changes of a line's active count not yet applied to `queue_state.active_count`: one row per token
 * that entered or left `active` (+1 / -1), written by a trigger on queue_tokens in the transaction
 * that moved it (a payment ending a turn, an expiry, an operator's or a test's direct write), and a
 * 0 row to wake the running admission pass. Insert-only for writers, so no payment writes a row that
 * every payment shares; the admission pass deletes a line's rows and adds them up into the count.
 * No foreign key: a row of a concert being deleted is harmless, and the trigger fires during the
 * cascade that deletes it. Functions: db/functions/; triggers: db/migrations/0006_line_admission.sql.
 */
export const queueActiveChanges = pgTable(
  'queue_active_changes',
  {
    concertId: integer('concert_id').notNull(),
    delta: integer('delta').notNull(),
  },
  (t) => [index('queue_active_changes_by_line').on(t.concertId), check('queue_active_changes_delta', sql`${t.delta} BETWEEN -1 AND 1`)],
);

/**
 * What each app process saw of a line's joins, per second: challenges issued, solutions accepted and
 * refused, places taken. Each process adds its counts once a second (one upsert per line and second,
 * server/queue/join-stats.ts), so no join writes a row every join shares. The operator's console
 * reads the last seconds; rows older than a day are deleted by the same flush. UNLOGGED (see the
 * migration): counts for a dashboard need no crash safety.
 */
export const joinStats = pgTable(
  'join_stats',
  {
    concertId: integer('concert_id').notNull(),
    second: timestamp('second', { withTimezone: true }).notNull(),
    challenges: integer('challenges').notNull().default(0),
    solved: integer('solved').notNull().default(0),
    refused: integer('refused').notNull().default(0),
    joins: integer('joins').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.concertId, t.second] })],
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

/**
 * What operators did: one row per operator action (an `admin.*` mutation, a door check, a sign-in or
 * sign-out), written in the transaction of the change it records, so a change that fails leaves no
 * row and one that commits always has one. Append-only: the database refuses UPDATE, DELETE and
 * TRUNCATE of it (db/functions/audit_log_refuse_change.sql, which also creates its triggers). The
 * actor is copied, not referenced: an entry outlives the account that made it, and `concert_id` has
 * no foreign key for the same reason (deleting a concert must not need to delete its history).
 * `before` / `after` hold the values the action concerned (null where there was nothing: a created
 * concert has no `before`). Listed newest first by `id` (server/audit/list.ts).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: text('actor_id').notNull(),
    actorName: text('actor_name').notNull(),
    actorRole: text('actor_role'),
    /** The procedure: `admin.sale.pause`, `ticket.verify`, `admin.login`, … */
    action: text('action').notNull(),
    concertId: integer('concert_id'),
    /** What was acted on, in words: a concert's title, a booking code. */
    target: text('target').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
  },
  (t) => [
    index('audit_log_by_concert').on(t.concertId, t.id),
    index('audit_log_by_time').on(t.at),
    index('audit_log_by_actor').on(t.actorId, t.id),
  ],
);
