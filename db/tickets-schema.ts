import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { orders, reservations, schedules, seats, users } from './schema';

/**
 * Tickets at the door (docs/tickets-and-door.md): one ticket per paid seat, its transfers and its
 * entries. Lock order (db/schema.ts): … → reservations → tickets → ticket_transfers → ticket_entries →
 * wallets → …; a new entry or transfer row is only inserted while its ticket is locked.
 */

const bigId = (name: string) => bigint(name, { mode: 'number' });
const stamp = (name: string) => timestamp(name, { withTimezone: true }).notNull().defaultNow();

export const TICKET_STATUSES = ['live', 'refunded'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** A paid seat's ticket. Issued by pay_order (db/functions/pay_order.sql) with the seat's reservation. */
export const tickets = pgTable(
  'tickets',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    /** `<booking code>-<n>`: the order's booking code and the seat's number within the order. */
    reference: text('reference').notNull(),
    orderId: bigId('order_id')
      .notNull()
      .references(() => orders.id),
    reservationId: bigId('reservation_id')
      .notNull()
      .references(() => reservations.id),
    seatId: integer('seat_id')
      .notNull()
      .references(() => seats.id),
    scheduleId: integer('schedule_id')
      .notNull()
      .references(() => schedules.id),
    /** Who holds it now: the buyer, or the account it was passed to. */
    holderId: uuid('holder_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Rises with each transfer or offer: a QR of an older serial lets nobody in. */
    serial: integer('serial').notNull().default(1),
    status: text('status', { enum: TICKET_STATUSES }).notNull().default('live'),
    createdAt: stamp('created_at'),
    updatedAt: stamp('updated_at'),
  },
  (t) => [
    uniqueIndex('tickets_reference').on(t.reference),
    uniqueIndex('tickets_one_per_reservation').on(t.reservationId),
    index('tickets_by_holder').on(t.holderId, t.id),
    index('tickets_by_order').on(t.orderId),
    index('tickets_by_schedule').on(t.scheduleId),
    check('tickets_status_known', sql`${t.status} IN ('live', 'refunded')`),
    check('tickets_serial_positive', sql`${t.serial} > 0`),
  ],
);

export const TRANSFER_STATUSES = ['accepted', 'offered', 'cancelled', 'expired'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/**
 * Each pass of a ticket from one holder to another: the chain of holders. `offered` waits for
 * `to_email` to have an account (until `expires_at`); `accepted` names who received it.
 */
export const ticketTransfers = pgTable(
  'ticket_transfers',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigId('ticket_id')
      .notNull()
      .references(() => tickets.id),
    fromUserId: uuid('from_user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    toEmail: text('to_email').notNull(),
    toUserId: uuid('to_user_id').references(() => users.id, { onDelete: 'cascade' }),
    status: text('status', { enum: TRANSFER_STATUSES }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: stamp('created_at'),
    updatedAt: stamp('updated_at'),
  },
  (t) => [
    index('ticket_transfers_by_ticket').on(t.ticketId, t.id),
    index('ticket_transfers_offered_to')
      .on(t.toEmail)
      .where(sql`${t.status} = 'offered'`),
    uniqueIndex('ticket_transfers_one_offer')
      .on(t.ticketId)
      .where(sql`${t.status} = 'offered'`),
    check('ticket_transfers_status_known', sql`${t.status} IN ('accepted', 'offered', 'cancelled', 'expired')`),
    check('ticket_transfers_accepted_names_holder', sql`(${t.status} = 'accepted') = (${t.toUserId} IS NOT NULL)`),
  ],
);

export const ENTRY_STATUSES = ['admitted', 'duplicate', 'refused', 'undone'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/**
 * A scan that let a ticket in: `admitted` (at most one per ticket, the database's rule), `duplicate`
 * (an offline device let in a ticket another entry had already let in: reported on upload),
 * `refused` (an offline device let in a ticket the door now refuses: refunded or passed on after its
 * list was downloaded; reported too) or `undone` (a manager's undo of a mistaken scan, on the audit record).
 */
export const ticketEntries = pgTable(
  'ticket_entries',
  {
    id: bigId('id').primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigId('ticket_id')
      .notNull()
      .references(() => tickets.id),
    scheduleId: integer('schedule_id')
      .notNull()
      .references(() => schedules.id),
    serial: integer('serial').notNull(),
    gate: text('gate').notNull(),
    /** The operator's id (an account id, or 'owner' for the built-in owner) and name at the time. */
    operatorId: text('operator_id').notNull(),
    operatorName: text('operator_name').notNull(),
    source: text('source', { enum: ['online', 'offline'] }).notNull(),
    /** An offline device's id and its own id of the entry: an upload repeated records nothing new. */
    deviceId: text('device_id'),
    localId: text('local_id'),
    /** When the ticket was let in: the server's clock online, the device's clock offline. */
    scannedAt: timestamp('scanned_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: ENTRY_STATUSES }).notNull(),
    undoneBy: text('undone_by'),
    undoReason: text('undo_reason'),
    createdAt: stamp('created_at'),
  },
  (t) => [
    uniqueIndex('ticket_entries_one_admitted')
      .on(t.ticketId)
      .where(sql`${t.status} = 'admitted'`),
    uniqueIndex('ticket_entries_device_local').on(t.deviceId, t.localId),
    index('ticket_entries_admitted_by_schedule')
      .on(t.scheduleId)
      .where(sql`${t.status} = 'admitted'`),
    check('ticket_entries_status_known', sql`${t.status} IN ('admitted', 'duplicate', 'refused', 'undone')`),
    check('ticket_entries_source_known', sql`${t.source} IN ('online', 'offline')`),
    check('ticket_entries_offline_device', sql`(${t.source} = 'offline') = (${t.deviceId} IS NOT NULL AND ${t.localId} IS NOT NULL)`),
    check('ticket_entries_gate_length', sql`length(${t.gate}) BETWEEN 1 AND 40`),
  ],
);
