import { sql as q } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import { queueTokens, reservations, sales, schedules } from '../db/schema';
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
    name: 'every sold seat has exactly one confirmed reservation and one payment of its price',
    breaches: (sql) => sql`
      SELECT r.id, r.seat_id, count(p.id)::int AS payments
      FROM reservations r LEFT JOIN payments p ON p.reservation_id = r.id AND p.amount = r.price AND p.user_id = r.user_id
      WHERE r.status = 'confirmed' GROUP BY r.id HAVING count(p.id) <> 1
      UNION ALL
      SELECT r.id, r.seat_id, 0 FROM payments p JOIN reservations r ON r.id = p.reservation_id WHERE r.status <> 'confirmed'
      LIMIT 10`,
  },
  {
    name: 'every payment has its ledger entry',
    breaches: (sql) => sql`
      SELECT p.id FROM payments p LEFT JOIN ledger_entries l ON l.payment_id = p.id AND l.amount = -p.amount
      GROUP BY p.id HAVING count(l.id) <> 1 LIMIT 10`,
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
