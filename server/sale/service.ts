import { randomBytes } from 'node:crypto';
import { and, asc, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { queueState, queueTokens, reservations, sales, schedules, seats, type SaleClosedReason, type SaleAudience } from '@/db/schema';
import { parseEnv, type Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { clockTime } from '@/server/clock';
import { liveReservation } from '@/server/reservation/rules';
import { commitmentOf, type PublishedDraw } from './draw';

/**
 * A concert's sale: its schedule, its line's settings and the fair draw (server/sale/draw.ts).
 * `saleStateOf` is the one rule for what state a sale is in.
 */

export const SALE_STATES = ['scheduled', 'prequeue', 'open', 'paused', 'sold_out', 'closed'] as const;
export type SaleState = (typeof SALE_STATES)[number];

/**
 * QUEUE_MAX_ACTIVE and QUEUE_ACTIVE_TTL_SECONDS of this process (validated as at start-up), without
 * requiring the rest of a production environment: the seed and test fixtures create sales too.
 */
function lineDefaults(): Pick<Config, 'QUEUE_MAX_ACTIVE' | 'QUEUE_ACTIVE_TTL_SECONDS'> {
  const { QUEUE_MAX_ACTIVE, QUEUE_ACTIVE_TTL_SECONDS } = process.env;
  return parseEnv({ QUEUE_MAX_ACTIVE, QUEUE_ACTIVE_TTL_SECONDS });
}

/** 128 bits of randomness, as 32 hex characters. */
const SEED_BYTES = 16;

export interface SaleTimes {
  prequeueOpensAt: Date;
  opensAt: Date;
  paused: boolean;
  closedReason: SaleClosedReason | null;
}

/**
 * The state of a sale at `now` (the database's clock where it matters):
 * `scheduled` (before the pre-queue) → `prequeue` → `open` ↔ `paused` → `sold_out` / `closed`.
 * A sale paused before its opening shows `prequeue` until it opens, then `paused`.
 */
export function saleStateOf(sale: SaleTimes, now: Date): SaleState {
  if (sale.closedReason) return sale.closedReason;
  if (now < sale.prequeueOpensAt) return 'scheduled';
  if (now < sale.opensAt) return 'prequeue';
  return sale.paused ? 'paused' : 'open';
}

export interface NewSale {
  concertId: number;
  prequeueOpensAt: Date;
  opensAt: Date;
  /** Default: QUEUE_MAX_ACTIVE. */
  maxActive?: number;
  /** Default: QUEUE_ACTIVE_TTL_SECONDS. */
  turnSeconds?: number;
  /** Who may join its line; default: everyone. */
  audience?: SaleAudience;
}

/**
 * Schedules a concert's sale and opens its line (its queue_state row). Generates the secret seed and
 * publishes its commitment at once. Run it in the transaction that creates the concert.
 */
export async function createSale(
  tx: DbOrTx,
  { concertId, prequeueOpensAt, opensAt, maxActive, turnSeconds, audience }: NewSale,
  defaults: Pick<Config, 'QUEUE_MAX_ACTIVE' | 'QUEUE_ACTIVE_TTL_SECONDS'> = lineDefaults(),
): Promise<{ concertId: number; commitment: string }> {
  const seed = randomBytes(SEED_BYTES).toString('hex');
  const commitment = commitmentOf(seed);
  await tx.insert(sales).values({
    concertId,
    prequeueOpensAt,
    opensAt,
    maxActive: maxActive ?? defaults.QUEUE_MAX_ACTIVE,
    turnSeconds: turnSeconds ?? defaults.QUEUE_ACTIVE_TTL_SECONDS,
    audience,
    seed,
    commitment,
  });
  await tx.insert(queueState).values({ concertId });
  return { concertId, commitment };
}

/** A sale's row, or undefined for an unknown concert. */
export async function findSale(db: DbOrTx, concertId: number) {
  const [sale] = await db.select().from(sales).where(eq(sales.concertId, concertId));
  return sale;
}

/**
 * A sale's seats (of its future dates) as the live-reservation rule sees them: all, neither held nor
 * sold, held, and when the earliest hold runs out.
 */
export async function seatCounts(db: DbOrTx, concertId: number) {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      left: sql<number>`(count(*) FILTER (WHERE ${reservations.id} IS NULL))::int`,
      held: sql<number>`(count(*) FILTER (WHERE ${reservations.status} = 'held'))::int`,
      earliestHoldEnd: sql<string | null>`min(${reservations.heldUntil}) FILTER (WHERE ${reservations.status} = 'held')`,
    })
    .from(seats)
    .innerJoin(schedules, and(eq(schedules.id, seats.scheduleId), gt(schedules.startsAt, sql`now()`)))
    .leftJoin(reservations, and(eq(reservations.seatId, seats.id), liveReservation))
    .where(eq(schedules.concertId, concertId));
  return {
    total: row?.total ?? 0,
    left: row?.left ?? 0,
    held: row?.held ?? 0,
    earliestHoldEnd: row?.earliestHoldEnd ? new Date(row.earliestHoldEnd) : null,
  };
}

/**
 * Marks a sale sold out (once; a closed sale stays closed) when, counted again under the sale row's
 * lock, no seat is free or held. The caller's count may be stale: a refund can commit between it and
 * this. Under the lock either the count sees the refund, or the refund's `reopenSoldOut` (which waits
 * for this lock) sees the mark and clears it. Its waiting tokens close at their next poll.
 */
export async function markSoldOut(db: DbOrTx, concertId: number): Promise<void> {
  await db.transaction(async (tx) => {
    const [sale] = await tx.select({ closedReason: sales.closedReason }).from(sales).where(eq(sales.concertId, concertId)).for('update');
    if (!sale || sale.closedReason !== null) return;
    const seats = await seatCounts(tx, concertId);
    if (seats.total === 0 || seats.left > 0 || seats.held > 0) return;
    await tx
      .update(sales)
      .set({ closedReason: 'sold_out', closedAt: sql`now()` })
      .where(and(eq(sales.concertId, concertId), isNull(sales.closedReason)));
  });
}

/**
 * Seats came back on sale (a refund): a sold-out sale is open again, so new fans may join. Waiting
 * tokens already told "sold out" stay closed. A sale closed by its operator stays closed.
 */
export async function reopenSoldOut(db: DbOrTx, concertId: number): Promise<void> {
  await db
    .update(sales)
    .set({ closedReason: null, closedAt: null })
    .where(and(eq(sales.concertId, concertId), eq(sales.closedReason, 'sold_out')));
}

/** The longest the draw's statements may run (the pool's limit is 15 s). */
const DRAW_STATEMENT_TIMEOUT_SECONDS = 120;

/**
 * The opening: once `opens_at` has passed, the first call that notices runs the draw, under the sale
 * row's lock, once (`opened_at` is set in the same transaction; a caller that waited for the lock
 * finds it set and does nothing), on any instance. The pre-queue's tokens (waiting, no place yet)
 * get places 1..n by the published rule (server/sale/draw.ts); later joiners take places from n + 1
 * (the line's place sequence is set to n here, in the same transaction).
 * A sale closed before its opening is not drawn.
 */
export async function openSaleIfDue(db: Db, concertId: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [sale] = await tx
      .select({ seed: sales.seed, openedAt: sales.openedAt, opensAt: sales.opensAt, closedReason: sales.closedReason, now: clockTime() })
      .from(sales)
      .where(eq(sales.concertId, concertId))
      .for('update');
    if (!sale || sale.openedAt !== null || sale.closedReason !== null || sale.now < sale.opensAt) return false;
    // The draw is one statement over the whole pre-queue (100,000 tokens take seconds on a busy
    // machine): it must not be cut off by the pool's statement limit (db/client.ts) and retried from
    // scratch by the next caller.
    await tx.execute(sql.raw(`SET LOCAL statement_timeout = '${DRAW_STATEMENT_TIMEOUT_SECONDS}s'`));
    // The pre-queue's rows locked in id order first, as a batch of heartbeats (server/queue/heartbeats.ts:
    // an UPDATE by id) locks them: one then waits for the other. Updated in the join's order instead,
    // the draw and a heartbeat batch deadlocked in the 100k bench (PostgreSQL aborted one after a second).
    await tx.execute(sql`
      SELECT count(*) FROM (
        SELECT 1 FROM ${queueTokens}
        WHERE ${queueTokens.concertId} = ${concertId} AND ${queueTokens.status} = 'waiting' AND ${queueTokens.place} IS NULL
        ORDER BY ${queueTokens.id} FOR UPDATE) locked`);
    // The rule of server/sale/draw.ts (`drawPlaces`), computed where the rows are: ascending
    // SHA-256 of `${seed}:${drawNumber}` (bytea compares as its hex does), ties by draw number. One
    // statement, so a draw of 100,000 entries holds no app worker: it waits on the database, and no
    // hash is computed on the event loop (drawPlaces stays the published rule the checks use).
    const drawn = await tx.execute<{ n: number }>(sql`
      WITH drawn AS (
        SELECT ${queueTokens.id} AS id,
               row_number() OVER (ORDER BY sha256(convert_to(${sale.seed}::text || ':' || ${queueTokens.id}::text, 'UTF8')), ${queueTokens.id}) AS place
        FROM ${queueTokens}
        WHERE ${queueTokens.concertId} = ${concertId} AND ${queueTokens.status} = 'waiting' AND ${queueTokens.place} IS NULL),
      placed AS (
        UPDATE ${queueTokens} SET place = drawn.place FROM drawn WHERE ${queueTokens.id} = drawn.id RETURNING 1)
      SELECT count(*)::int AS n FROM placed`);
    const entries = drawn[0]?.n ?? 0;
    // The line's next place is n + 1: set before the commit that shows the sale opened, which joiners
    // wait to see before they take a place (server/queue/issue.ts insertPlacedToken).
    await tx.execute(sql`SELECT start_line_places(${concertId}::int, ${entries}::bigint)`);
    await tx
      .update(sales)
      .set({ openedAt: sql`now()`, drawnCount: entries })
      .where(eq(sales.concertId, concertId));
    return true;
  });
}

/** Entries of one `sale.draw` answer when the caller names no limit, and the most it may ask for. */
export const DRAW_PAGE_DEFAULT = 10_000;
export const DRAW_PAGE_MAX = 10_000;

export interface DrawPage {
  /** The entries after this place (exclusive); none: from place 1. */
  cursor?: number | null;
  /** 1..DRAW_PAGE_MAX; default DRAW_PAGE_DEFAULT. */
  limit?: number;
}

/**
 * `sale.draw`: the commitment, and after the opening the seed and the pre-queue's places, so anyone
 * can check the draw (`drawProblems`, `npm run verify:draw`). Runs the opening if it is due.
 *
 * Paged by place: `entries` are at most `limit` entries after place `cursor` (from place 1 without
 * one), `drawnCount` is how many the draw placed in all, and `nextCursor` is the cursor of the next
 * page (null on the last). A draw of up to DRAW_PAGE_DEFAULT entries is one page, as the answer was
 * before it was paged; a larger one is read page by page (one indexed range read each: a page of
 * 10,000 entries is ~300 kB of JSON, so no call holds a worker for long whatever the draw's size).
 */
export async function publishedDraw(
  db: Db,
  { concertId, cursor, limit = DRAW_PAGE_DEFAULT }: { concertId: number } & DrawPage,
): Promise<PublishedDraw & { drawnCount: number | null; nextCursor: number | null }> {
  let sale = await findSale(db, concertId);
  if (!sale) throw new DomainError('NOT_FOUND', 'There is no such concert.');
  if (sale.openedAt === null && sale.closedReason === null && (await openSaleIfDue(db, concertId))) {
    sale = (await findSale(db, concertId))!;
  }
  if (sale.openedAt === null)
    return { commitment: sale.commitment, seed: null, openedAt: null, entries: null, drawnCount: null, nextCursor: null };
  const drawnCount = sale.drawnCount ?? 0;
  const after = cursor ?? 0;
  const entries = await db
    .select({ ticket: queueTokens.id, place: queueTokens.place })
    .from(queueTokens)
    .where(and(eq(queueTokens.concertId, concertId), gt(queueTokens.place, after), lte(queueTokens.place, drawnCount)))
    .orderBy(asc(queueTokens.place))
    .limit(Math.min(limit, DRAW_PAGE_MAX));
  const last = entries.at(-1)?.place ?? null;
  return {
    commitment: sale.commitment,
    seed: sale.seed,
    openedAt: sale.openedAt.toISOString(),
    entries: entries.map((e) => ({ ticket: e.ticket, place: e.place! })),
    drawnCount,
    nextCursor: last !== null && last < drawnCount ? last : null,
  };
}
