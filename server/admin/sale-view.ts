import { asc, eq, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { concerts, sales, schedules, type SaleAudience } from '@/db/schema';
import { transactionTime } from '@/server/clock';
import { DomainError } from '@/server/errors';
import { saleStateOf, type SaleState } from '@/server/sale/service';

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
  audience: SaleAudience;
  paused: boolean;
  /** The join challenge's difficulty: the most key derivations a solver may need. */
  joinDifficulty: number;
  /** Joins per second above which the difficulty rises by itself (server/queue/join-surge.ts); null: never. */
  joinSurgePerSecond: number | null;
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
    audience: row.audience,
    paused: row.paused,
    joinDifficulty: row.joinDifficulty,
    joinSurgePerSecond: row.joinSurgePerSecond,
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
