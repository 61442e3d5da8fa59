import { sql as q } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import { orders, queueTokens, reservations, sales, schedules } from '@/db/schema';
import type { Config } from './env';
import { runningTurn, turnCap } from './queue/rules';
import { liveReservation, occupiesSeat } from './reservation/rules';

/**
 * What must always hold on a live database, whatever happened: each query returns the breaches it
 * finds (none is the only right answer). Used by `npm run check:invariants`, the tests and the
 * benchmark. The rules of what is live come from the services' own rule modules.
 */
export const INVARIANTS: {
  name: string;
  breaches: (sql: postgres.Sql, maxActive: number, db: PostgresJsDatabase) => PromiseLike<readonly unknown[]>;
}[] = [
  {
    name: 'every balance equals the sum of its ledger',
    breaches: (sql) => sql`
      SELECT w.user_id, w.balance, coalesce(sum(l.amount), 0)::bigint AS ledger
      FROM wallets w LEFT JOIN ledger_entries l ON l.user_id = w.user_id
      GROUP BY w.user_id, w.balance HAVING w.balance <> coalesce(sum(l.amount), 0) LIMIT 10`,
  },
  {
    name: 'no balance is negative',
    breaches: (sql) => sql`SELECT user_id, balance FROM wallets WHERE balance < 0 LIMIT 10`,
  },
  {
    name: 'no seat has more than one live reservation',
    // Run-out holds included: until one is marked expired it still occupies the seat's one place.
    breaches: (_sql, _max, db) =>
      db.execute(q`
        SELECT seat_id, count(*)::int AS live FROM ${reservations} WHERE ${occupiesSeat}
        GROUP BY seat_id HAVING count(*) > 1 LIMIT 10`),
  },
  {
    name: 'every paid order has exactly one payment of its total, and every payment a paid order',
    breaches: (sql) => sql`
      SELECT o.id AS order_id, o.status, count(p.id)::int AS payments
      FROM orders o LEFT JOIN payments p ON p.order_id = o.id AND p.amount = o.total AND p.user_id = o.user_id
      WHERE o.status IN ('confirmed', 'refunded') GROUP BY o.id HAVING count(p.id) <> 1
      UNION ALL
      SELECT o.id, o.status, 1 FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.status NOT IN ('confirmed', 'refunded')
      LIMIT 10`,
  },
  {
    name: 'an order’s total is the sum of its seats’ prices, and its reservations are its user’s, of its date',
    breaches: (sql) => sql`
      SELECT o.id AS order_id, o.total, coalesce(sum(r.price), 0)::int AS seats_total
      FROM orders o LEFT JOIN reservations r ON r.order_id = o.id
      GROUP BY o.id HAVING o.total <> coalesce(sum(r.price), 0)
        OR bool_or(r.user_id <> o.user_id OR r.schedule_id <> o.schedule_id)
      LIMIT 10`,
  },
  {
    name: 'every sold seat belongs to a paid order, and a paid order’s seats are all sold',
    breaches: (sql) => sql`
      SELECT r.id AS reservation_id, r.status, o.status AS order_status
      FROM reservations r JOIN orders o ON o.id = r.order_id
      WHERE (r.status = 'confirmed') <> (o.status = 'confirmed')
        -- A refund leaves a ticket passed to someone else (or already used) live: its seat stays sold.
        AND NOT (o.status = 'refunded' AND r.status = 'confirmed' AND EXISTS (
          SELECT 1 FROM tickets t WHERE t.reservation_id = r.id AND t.status = 'live'))
      LIMIT 10`,
  },
  {
    name: 'a refunded, cancelled or expired order’s seats have no live reservation of it',
    // A refunded seat is back on sale: the order's reservations no longer occupy it.
    breaches: (_sql, _max, db) =>
      db.execute(q`
        SELECT ${reservations.id} AS reservation_id, ${orders.status} AS order_status
        FROM ${reservations} JOIN ${orders} ON ${orders.id} = ${reservations.orderId}
        WHERE ${orders.status} IN ('refunded', 'cancelled', 'expired') AND ${occupiesSeat}
          AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.reservation_id = ${reservations.id} AND t.status = 'live')
        LIMIT 10`),
  },
  {
    name: 'every payment has its one ledger entry',
    breaches: (sql) => sql`
      SELECT p.id FROM payments p LEFT JOIN ledger_entries l ON l.payment_id = p.id AND l.kind = 'payment' AND l.amount = -p.amount
      GROUP BY p.id HAVING count(l.id) <> 1 LIMIT 10`,
  },
  {
    name: 'a refunded order has exactly one refund entry, of its refunded tickets’ prices, and only a refunded order has one',
    breaches: (sql) => sql`
      SELECT o.id AS order_id, o.status, count(l.id)::int AS refunds
      FROM orders o JOIN payments p ON p.order_id = o.id
      LEFT JOIN ledger_entries l ON l.payment_id = p.id AND l.kind = 'refund' AND l.amount = (
        SELECT coalesce(sum(r.price), 0) FROM tickets t JOIN reservations r ON r.id = t.reservation_id
        WHERE t.order_id = o.id AND t.status = 'refunded')
      GROUP BY o.id HAVING count(l.id) <> (CASE WHEN o.status = 'refunded' THEN 1 ELSE 0 END)
      UNION ALL
      SELECT NULL, l.kind, l.id::int FROM ledger_entries l LEFT JOIN payments p ON p.id = l.payment_id
      WHERE l.kind = 'refund' AND (p.id IS NULL OR l.amount > p.amount OR l.amount <= 0)
      LIMIT 10`,
  },
  {
    name: 'every sold seat has exactly one live ticket, and every live ticket a sold seat',
    breaches: (sql) => sql`
      SELECT r.id AS reservation_id, r.status, t.id AS ticket_id, t.status AS ticket_status
      FROM reservations r FULL JOIN (SELECT * FROM tickets WHERE status = 'live') t ON t.reservation_id = r.id
      WHERE (r.status = 'confirmed') IS DISTINCT FROM (t.id IS NOT NULL) OR r.id IS NULL
      LIMIT 10`,
  },
  {
    name: 'a ticket is let in at most once, only on its own date, and a ticket let in is never refunded',
    breaches: (sql) => sql`
      SELECT e.ticket_id, count(*)::int AS admitted FROM ticket_entries e WHERE e.status = 'admitted'
      GROUP BY e.ticket_id HAVING count(*) > 1
      UNION ALL
      SELECT e.ticket_id, 0 FROM ticket_entries e JOIN tickets t ON t.id = e.ticket_id WHERE e.schedule_id <> t.schedule_id
      UNION ALL
      SELECT e.ticket_id, -1 FROM ticket_entries e JOIN tickets t ON t.id = e.ticket_id
      WHERE e.status = 'admitted' AND t.status = 'refunded'
      LIMIT 10`,
  },
  {
    // A sale's cap may be raised past QUEUE_MAX_ACTIVE by an operator; lowering it lets the turns
    // already running end on their own, so the given cap is the floor of what a line may hold.
    name: 'no line has more active tokens than its sale’s cap (or QUEUE_MAX_ACTIVE, when higher)',
    breaches: (_sql, maxActive, db) =>
      db.execute(q`
        SELECT ${queueTokens.concertId} AS concert_id, count(*)::int AS active, max(${sales.maxActive}) AS cap
        FROM ${queueTokens} JOIN ${sales} ON ${sales.concertId} = ${queueTokens.concertId} WHERE ${runningTurn}
        GROUP BY 1 HAVING count(*) > greatest(max(${sales.maxActive}), ${maxActive}) LIMIT 10`),
  },
  {
    // queue_state.active_count is kept, not counted (server/queue/admission.ts): with the changes
    // recorded and not yet applied by a pass, it is exactly the line's active tokens. One statement,
    // so one snapshot: a pass or a payment commits on one side of it.
    name: 'every line’s active count (with its pending changes) equals its active tokens',
    breaches: (sql) => sql`
      SELECT q.concert_id, q.active_count, coalesce(c.pending, 0)::int AS pending, coalesce(t.active, 0)::int AS active
      FROM queue_state q
      LEFT JOIN (SELECT concert_id, sum(delta) AS pending FROM queue_active_changes GROUP BY concert_id) c ON c.concert_id = q.concert_id
      LEFT JOIN (SELECT concert_id, count(*) AS active FROM queue_tokens WHERE status = 'active' GROUP BY concert_id) t
        ON t.concert_id = q.concert_id
      WHERE q.active_count + coalesce(c.pending, 0) <> coalesce(t.active, 0)
      LIMIT 10`,
  },
];

export interface InvariantReport {
  name: string;
  breaches: readonly unknown[];
}

export type InvariantLimits = Pick<Config, 'QUEUE_ACTIVE_TTL_SECONDS' | 'HOLD_TTL_SECONDS' | 'PURCHASE_MAX_PER_USER'>;

/** What must hold under the configured limits (checked when the caller gives them). */
export const LIMIT_INVARIANTS: {
  name: string;
  breaches: (db: PostgresJsDatabase, limits: InvariantLimits) => PromiseLike<readonly unknown[]>;
}[] = [
  {
    name: 'no turn runs past its cap (QUEUE_ACTIVE_TTL_SECONDS + HOLD_TTL_SECONDS after admission)',
    breaches: (db, limits) =>
      db.execute(q`
        SELECT id, admitted_at, expires_at FROM ${queueTokens} WHERE ${runningTurn} AND ${queueTokens.expiresAt} > ${turnCap(limits)} LIMIT 10`),
  },
  {
    name: 'no user holds and bought more seats of one concert than PURCHASE_MAX_PER_USER',
    breaches: (db, limits) =>
      db.execute(q`
        SELECT ${reservations.userId} AS user_id, ${schedules.concertId} AS concert_id, count(*)::int AS seats
        FROM ${reservations} JOIN ${schedules} ON ${schedules.id} = ${reservations.scheduleId}
        WHERE ${liveReservation} GROUP BY 1, 2 HAVING count(*) > ${limits.PURCHASE_MAX_PER_USER} LIMIT 10`),
  },
];

export async function checkInvariants(sql: postgres.Sql, maxActive: number, limits?: InvariantLimits): Promise<InvariantReport[]> {
  const db = drizzle(sql);
  const reports: InvariantReport[] = [];
  for (const invariant of INVARIANTS) reports.push({ name: invariant.name, breaches: await invariant.breaches(sql, maxActive, db) });
  if (limits)
    for (const invariant of LIMIT_INVARIANTS) reports.push({ name: invariant.name, breaches: await invariant.breaches(db, limits) });
  return reports;
}
