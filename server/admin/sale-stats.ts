import { and, asc, count, desc, eq, gt, isNotNull, isNull, max, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { payments, queueState, queueTokens, reservations, schedules } from '@/db/schema';
import type { Config } from '@/server/env';
import { joinRates } from '@/server/queue/join-stats';
import { effectiveDifficulty, JOIN_SURGE_FACTOR } from '@/server/queue/join-surge';
import { estimatedWaitSeconds, runningTurn, stillPolling } from '@/server/queue/rules';
import { openSaleIfDue, seatCounts, type SaleState } from '@/server/sale/service';
import { requireSale } from './sale-view';

/** What the operator's dashboard reads of a sale: its line and seats now, and the last minutes. */

export interface SaleStats {
  state: SaleState;
  /** Waiting tokens (pre-queue included) whose holders still poll. */
  waiting: number;
  /** Turns running now. */
  active: number;
  admittedLastMinute: number;
  /** Seats of the sale's future dates, by their live reservation (server/sale/service.ts seatCounts). */
  seatsFree: number;
  seatsHeld: number;
  seatsSold: number;
  soldLastMinute: number;
  /** The estimated wait of the last one in line; null when nobody waits. */
  lastInLineWaitSeconds: number | null;
  /**
   * Who joins, per second over the last whole seconds (server/queue/join-stats.ts, every process):
   * places taken, join challenges issued, solutions accepted and solutions refused.
   */
  joinsPerSecond: number;
  challengesPerSecond: number;
  solvedPerSecond: number;
  refusedPerSecond: number;
  /** The join challenge's difficulty: the sale's, and what a challenge issued now costs (server/queue/join-surge.ts). */
  joinDifficulty: {
    base: number;
    surgePerSecond: number | null;
    surgeFactor: number;
    effective: number;
    surging: boolean;
  };
  /**
   * The BUSIEST_PREFIXES address prefixes (IPv4 /24, IPv6 /48) with the most places in line (the
   * tokens counted by `waiting` and `active`), most first; `share` of those places (0–1). Places
   * whose address is unknown are in no row.
   */
  busiestPrefixes: { prefix: string; places: number; share: number }[];
}

/** How many address prefixes the dashboard lists. */
export const BUSIEST_PREFIXES = 10;

const ONE_MINUTE = sql`interval '1 minute'`;
const countWhere = (condition: SQL) => sql<number>`(count(*) FILTER (WHERE ${condition}))::int`;

/** `admin.sale.stats`: the line and the seats of one sale, now. */
export async function saleStats(db: Db, config: Pick<Config, 'QUEUE_ABANDON_SECONDS'>, { concertId }: { concertId: number }) {
  let sale = await requireSale(db, { concertId });
  // The dashboard is a caller that notices the opening too: the draw runs then, even before a fan polls.
  if (sale.openedAt === null && sale.closedReason === null && sale.state !== 'scheduled' && sale.state !== 'prequeue') {
    if (await openSaleIfDue(db, concertId)) sale = await requireSale(db, { concertId });
  }
  const ofLine = eq(queueTokens.concertId, concertId);
  const [line] = await db
    .select({
      waiting: countWhere(and(eq(queueTokens.status, 'waiting'), stillPolling(config))!),
      active: countWhere(runningTurn),
      admittedLastMinute: countWhere(gt(queueTokens.admittedAt, sql`now() - ${ONE_MINUTE}`)),
      unplaced: countWhere(and(eq(queueTokens.status, 'waiting'), stillPolling(config), isNull(queueTokens.place))!),
      lastPlace: max(
        sql<number>`CASE WHEN ${queueTokens.status} = 'waiting' AND ${stillPolling(config)} THEN ${queueTokens.place} END`,
      ).mapWith((v: string | number | null) => (v === null ? null : Number(v))),
    })
    .from(queueTokens)
    .where(ofLine);
  const [state] = await db
    .select({ admittedThrough: queueState.admittedThrough, admitRate: queueState.admitRate })
    .from(queueState)
    .where(eq(queueState.concertId, concertId));
  const seats = await seatCounts(db, concertId);
  const [sold] = await db
    // Seats sold: every seat of each order paid (an order's payment names its reservation only for one seat).
    .select({ lastMinute: count(reservations.id) })
    .from(payments)
    .innerJoin(reservations, eq(reservations.orderId, payments.orderId))
    .innerJoin(schedules, eq(schedules.id, reservations.scheduleId))
    .where(and(eq(schedules.concertId, concertId), gt(payments.createdAt, sql`now() - ${ONE_MINUTE}`)));

  const { waiting, active, admittedLastMinute, unplaced, lastPlace } = line!;
  const inLine = or(and(eq(queueTokens.status, 'waiting'), stillPolling(config)), runningTurn);
  const places = count();
  const busiest = await db
    .select({ prefix: queueTokens.addressPrefix, places })
    .from(queueTokens)
    .where(and(ofLine, inLine, isNotNull(queueTokens.addressPrefix)))
    .groupBy(queueTokens.addressPrefix)
    .orderBy(desc(places), asc(queueTokens.addressPrefix))
    .limit(BUSIEST_PREFIXES);
  const rates = await joinRates(db, concertId);
  const effective = effectiveDifficulty(sale, rates.joins);
  // The pre-queue's tokens get the first places at the opening; later joiners' places follow.
  const lastPosition = unplaced + (lastPlace === null ? 0 : Math.max(1, lastPlace - (state?.admittedThrough ?? 0)));
  return {
    state: sale.state,
    waiting,
    active,
    admittedLastMinute,
    seatsFree: seats.left,
    seatsHeld: seats.held,
    seatsSold: seats.total - seats.left - seats.held,
    soldLastMinute: sold!.lastMinute,
    lastInLineWaitSeconds:
      lastPosition === 0 ? null : estimatedWaitSeconds({ position: lastPosition, admitRate: state?.admitRate ?? null, ...sale }),
    joinsPerSecond: rates.joins,
    challengesPerSecond: rates.challenges,
    solvedPerSecond: rates.solved,
    refusedPerSecond: rates.refused,
    joinDifficulty: {
      base: sale.joinDifficulty,
      surgePerSecond: sale.joinSurgePerSecond,
      surgeFactor: JOIN_SURGE_FACTOR,
      effective: effective.difficulty,
      surging: effective.surging,
    },
    // Two statements, so a join between them could make a prefix's places outgrow the line's.
    busiestPrefixes: busiest.map((b) => ({ prefix: b.prefix!, places: b.places, share: b.places / Math.max(waiting + active, b.places) })),
  } satisfies SaleStats;
}

export const HISTORY_MINUTES = 30;

/**
 * `admin.sale.history`: the last HISTORY_MINUTES minutes, a row a minute (oldest first), counted from
 * timestamps that stay: tokens issued (`joined`) and admitted, and seats paid for (`sold`).
 */
export async function saleHistory(db: DbOrTx, { concertId }: { concertId: number }) {
  await requireSale(db, { concertId });
  const rows = await db.execute<{ minute: string | Date; joined: number; admitted: number; sold: number }>(sql`
    WITH minutes AS (
      SELECT generate_series(date_trunc('minute', now()) - make_interval(mins => ${HISTORY_MINUTES - 1}), date_trunc('minute', now()), interval '1 minute') AS minute
    ),
    joined AS (
      SELECT date_trunc('minute', ${queueTokens.issuedAt}) AS minute, count(*)::int AS n FROM ${queueTokens}
      WHERE ${queueTokens.concertId} = ${concertId} AND ${queueTokens.issuedAt} >= now() - make_interval(mins => ${HISTORY_MINUTES})
      GROUP BY 1
    ),
    admitted AS (
      SELECT date_trunc('minute', ${queueTokens.admittedAt}) AS minute, count(*)::int AS n FROM ${queueTokens}
      WHERE ${queueTokens.concertId} = ${concertId} AND ${queueTokens.admittedAt} >= now() - make_interval(mins => ${HISTORY_MINUTES})
      GROUP BY 1
    ),
    sold AS (
      SELECT date_trunc('minute', ${payments.createdAt}) AS minute, count(*)::int AS n FROM ${payments}
      JOIN ${reservations} ON ${reservations.orderId} = ${payments.orderId}
      JOIN ${schedules} ON ${schedules.id} = ${reservations.scheduleId}
      WHERE ${schedules.concertId} = ${concertId} AND ${payments.createdAt} >= now() - make_interval(mins => ${HISTORY_MINUTES})
      GROUP BY 1
    )
    SELECT m.minute, coalesce(j.n, 0) AS joined, coalesce(a.n, 0) AS admitted, coalesce(s.n, 0) AS sold
    FROM minutes m
    LEFT JOIN joined j ON j.minute = m.minute
    LEFT JOIN admitted a ON a.minute = m.minute
    LEFT JOIN sold s ON s.minute = m.minute
    ORDER BY m.minute`);
  return rows.map((r) => ({
    minute: new Date(r.minute).toISOString(),
    joined: Number(r.joined),
    admitted: Number(r.admitted),
    sold: Number(r.sold),
  }));
}
