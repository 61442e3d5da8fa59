import { and, asc, count, eq, gt, isNull, max, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { concerts, payments, queueState, queueTokens, reservations, sales, schedules } from '../../db/schema';
import { readTransactionTime, transactionTime } from '../clock';
import type { Config } from '../env';
import { DomainError } from '../errors';
import { intId } from '../ids';
import { estimatedWaitSeconds, runningTurn, stillPolling } from '../queue/rules';
import { openSaleIfDue, saleStateOf, seatCounts, type SaleState } from '../sale/service';
import { isoDateTime, maxActiveSchema, turnSecondsSchema } from './concert';

/**
 * The operator's controls of a running sale and what the dashboard reads. Every control locks the
 * sale's row (lock order: sales first) and is idempotent: pausing a paused sale, closing a closed one
 * or setting the cap it already has changes nothing and answers the same. No control reopens a sale
 * that is sold out or closed. The line reads the sale's row at every poll, so a change applies to the
 * next admission (server/queue/refresh.ts).
 */

export const saleRef = z.object({ concertId: intId });

export const updateSaleInput = z
  .object({
    concertId: intId,
    maxActive: maxActiveSchema.optional(),
    turnSeconds: turnSecondsSchema.optional(),
    prequeueOpensAt: isoDateTime.optional(),
    opensAt: isoDateTime.optional(),
  })
  .superRefine((input, ctx) => {
    const { prequeueOpensAt, opensAt } = input;
    const valid = (iso: string | undefined): iso is string => iso !== undefined && isoDateTime.safeParse(iso).success;
    if (valid(opensAt) && new Date(opensAt).getTime() <= Date.now()) {
      ctx.addIssue({ code: 'custom', path: ['opensAt'], message: 'must be in the future' });
    }
    if (valid(opensAt) && valid(prequeueOpensAt) && new Date(opensAt) <= new Date(prequeueOpensAt)) {
      ctx.addIssue({ code: 'custom', path: ['opensAt'], message: 'must be after the pre-queue opens' });
    }
  });

export type UpdateSaleInput = z.output<typeof updateSaleInput>;

/** A sale as the console shows it. The seed only once the draw has revealed it, as `sale.draw` does. */
export interface SaleView {
  concertId: number;
  title: string;
  artist: string;
  venue: string;
  state: SaleState;
  prequeueOpensAt: string;
  opensAt: string;
  maxActive: number;
  turnSeconds: number;
  paused: boolean;
  closedReason: 'sold_out' | 'closed' | null;
  closedAt: string | null;
  commitment: string;
  seed: string | null;
  openedAt: string | null;
  /** The concert's first and last date (null when it has none). */
  firstDate: string | null;
  lastDate: string | null;
}

type SaleRow = typeof sales.$inferSelect & { title: string; artist: string; venue: string; now: Date };

function viewOf(row: SaleRow, dates: { first: Date | null; last: Date | null }): SaleView {
  return {
    concertId: row.concertId,
    title: row.title,
    artist: row.artist,
    venue: row.venue,
    state: saleStateOf(row, row.now),
    prequeueOpensAt: row.prequeueOpensAt.toISOString(),
    opensAt: row.opensAt.toISOString(),
    maxActive: row.maxActive,
    turnSeconds: row.turnSeconds,
    paused: row.paused,
    closedReason: row.closedReason,
    closedAt: row.closedAt?.toISOString() ?? null,
    commitment: row.commitment,
    seed: row.openedAt ? row.seed : null,
    openedAt: row.openedAt?.toISOString() ?? null,
    firstDate: dates.first?.toISOString() ?? null,
    lastDate: dates.last?.toISOString() ?? null,
  };
}

const saleColumns = {
  sale: sales,
  title: concerts.title,
  artist: concerts.artist,
  venue: concerts.venue,
  now: transactionTime(),
  first: sql<Date | null>`(SELECT min(${schedules.startsAt}) FROM ${schedules} WHERE ${schedules.concertId} = ${sales.concertId})`.mapWith(
    (v: string | Date | null) => (v === null ? null : new Date(v)),
  ),
  last: sql<Date | null>`(SELECT max(${schedules.startsAt}) FROM ${schedules} WHERE ${schedules.concertId} = ${sales.concertId})`.mapWith(
    (v: string | Date | null) => (v === null ? null : new Date(v)),
  ),
};

async function readSales(db: DbOrTx, where?: SQL, { lock = false } = {}): Promise<SaleView[]> {
  const query = db
    .select(saleColumns)
    .from(sales)
    .innerJoin(concerts, eq(concerts.id, sales.concertId))
    .where(where)
    .orderBy(asc(sales.opensAt), asc(sales.concertId));
  const rows = lock ? await query.for('update', { of: sales }) : await query;
  return rows.map((r) => viewOf({ ...r.sale, title: r.title, artist: r.artist, venue: r.venue, now: r.now }, r));
}

/** `admin.sale.list`: every sale, the soonest opening first. */
export function listSales(db: DbOrTx): Promise<SaleView[]> {
  return readSales(db);
}

/** One sale; `lock` takes its row for update (the caller's transaction). Unknown concerts: NOT_FOUND. */
export async function requireSale(db: DbOrTx, { concertId, lock = false }: { concertId: number; lock?: boolean }): Promise<SaleView> {
  const [sale] = await readSales(db, eq(sales.concertId, concertId), { lock });
  if (!sale) throw new DomainError('NOT_FOUND', 'There is no such concert.');
  return sale;
}

const isClosed = (sale: SaleView) => sale.closedReason !== null;

/**
 * `admin.sale.update`: the cap and turn length at any time (the next admission uses them; turns
 * already running keep theirs); the pre-queue and opening times only before the sale opens
 * (`SALE_ALREADY_OPEN` after), keeping the pre-queue before the opening. The commitment never changes.
 */
export async function updateSale(db: Db, input: UpdateSaleInput): Promise<SaleView> {
  const { concertId, maxActive, turnSeconds, prequeueOpensAt, opensAt } = input;
  return db.transaction(async (tx) => {
    const sale = await requireSale(tx, { concertId, lock: true });
    const changesTimes = prequeueOpensAt !== undefined || opensAt !== undefined;
    if (changesTimes) {
      const now = await readTransactionTime(tx);
      if (sale.openedAt !== null || new Date(sale.opensAt) <= now) {
        throw new DomainError('SALE_ALREADY_OPEN', 'This sale has opened: its times can no longer change.', { opensAt: sale.opensAt });
      }
      const nextPrequeue = new Date(prequeueOpensAt ?? sale.prequeueOpensAt);
      const nextOpening = new Date(opensAt ?? sale.opensAt);
      if (nextOpening <= nextPrequeue) {
        const field = opensAt !== undefined ? 'opensAt' : 'prequeueOpensAt';
        const message = field === 'opensAt' ? 'must be after the pre-queue opens' : 'must be before the sale opens';
        throw new DomainError('INVALID_INPUT', 'The sale must open after its pre-queue.', { fieldErrors: { [field]: [message] } });
      }
    }
    const changes = {
      ...(maxActive !== undefined && maxActive !== sale.maxActive && { maxActive }),
      ...(turnSeconds !== undefined && turnSeconds !== sale.turnSeconds && { turnSeconds }),
      ...(prequeueOpensAt !== undefined && { prequeueOpensAt: new Date(prequeueOpensAt) }),
      ...(opensAt !== undefined && { opensAt: new Date(opensAt) }),
    };
    if (Object.keys(changes).length === 0) return sale;
    await tx.update(sales).set(changes).where(eq(sales.concertId, concertId));
    return requireSale(tx, { concertId });
  });
}

/** Sets `paused` (a sold-out or closed sale stays as it is). Waiting fans stay waiting; active ones go on buying. */
async function setPaused(db: Db, { concertId, paused }: { concertId: number; paused: boolean }): Promise<SaleView> {
  return db.transaction(async (tx) => {
    const sale = await requireSale(tx, { concertId, lock: true });
    if (sale.paused === paused || isClosed(sale)) return sale;
    await tx.update(sales).set({ paused }).where(eq(sales.concertId, concertId));
    return requireSale(tx, { concertId });
  });
}

export const pauseSale = (db: Db, { concertId }: { concertId: number }) => setPaused(db, { concertId, paused: true });
export const resumeSale = (db: Db, { concertId }: { concertId: number }) => setPaused(db, { concertId, paused: false });

/**
 * `admin.sale.close`: ends the sale for good (`closed_reason` 'closed'). Its waiting fans' tokens turn
 * `closed` at their next poll and new joins are refused (the line's rules). A sold-out sale stays sold out.
 */
export async function closeSale(db: Db, { concertId }: { concertId: number }): Promise<SaleView> {
  return db.transaction(async (tx) => {
    const sale = await requireSale(tx, { concertId, lock: true });
    if (isClosed(sale)) return sale;
    await tx
      .update(sales)
      .set({ closedReason: 'closed', closedAt: sql`now()` })
      .where(and(eq(sales.concertId, concertId), isNull(sales.closedReason)));
    return requireSale(tx, { concertId });
  });
}

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
}

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
