import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { authUsers } from './accounts-schema';

/**
 * The operator console's people (server/admin/operators.ts). An operator is an account (auth_users)
 * with a role; the built-in owner (OPERATOR_PASSWORD) has no row here. None of these tables is ever
 * locked together with a sale's or a fan's rows; among themselves the lock order is
 * operator_invitations → operators → operator_sessions (db/schema.ts).
 */

/** What each role may do, widest first: the list is the same in server/admin/roles.ts. */
export const OPERATOR_ROLES = ['owner', 'manager', 'door'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

const roleCheck = (column: unknown) => sql`${column} IN (${sql.raw(OPERATOR_ROLES.map((r) => `'${r}'`).join(', '))})`;
const stamp = (name: string) => timestamp(name, { withTimezone: true }).notNull().defaultNow();

/** An account that may use the console. Deleting the row (removal) deletes its sessions with it. */
export const operators = pgTable(
  'operators',
  {
    id: uuid('id')
      .primaryKey()
      .references(() => authUsers.id, { onDelete: 'cascade' }),
    role: text('role', { enum: OPERATOR_ROLES }).notNull(),
    createdAt: stamp('created_at'),
  },
  (t) => [check('operators_role', roleCheck(t.role))],
);

/**
 * An owner's invitation: its token is mailed, and only its SHA-256 is kept. Single use
 * (`accepted_at`), and good until `expires_at`.
 */
export const operatorInvitations = pgTable(
  'operator_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    role: text('role', { enum: OPERATOR_ROLES }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: stamp('created_at'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
  },
  (t) => [check('operator_invitations_role', roleCheck(t.role)), index('operator_invitations_by_email').on(t.email)],
);

/**
 * A signed-in console: the `operator` cookie carries its id, and every operator call reads this row,
 * so revoking it (sign-out, an owner ending it, removal) refuses a copied cookie at once. A null
 * operator is the built-in owner (OPERATOR_PASSWORD). Removing an operator deletes its rows, so a
 * session can never fall back to null.
 */
export const operatorSessions = pgTable(
  'operator_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    operatorId: uuid('operator_id').references(() => operators.id, { onDelete: 'cascade' }),
    createdAt: stamp('created_at'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('operator_sessions_by_operator').on(t.operatorId)],
);

/**
 * Operator sign-in attempts, per address and per account (`ip:…`, `account:…`): a few a minute, then
 * a block that doubles with each one in a row (server/admin/sign-in-limits.ts).
 */
export const operatorSignInLimits = pgTable('operator_sign_in_limits', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  attempts: integer('attempts').notNull(),
  /** Blocks in a row; back to 0 after a sign-in or a quiet day. */
  strikes: integer('strikes').notNull().default(0),
  blockedUntil: timestamp('blocked_until', { withTimezone: true }),
});
