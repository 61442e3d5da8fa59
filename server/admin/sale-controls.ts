import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { sales } from '@/db/schema';
import { readTransactionTime } from '@/server/clock';
import { DomainError } from '@/server/errors';
import type { UpdateSaleInput } from './sale-input';
import { requireSale, type SaleView } from './sale-view';

/**
 * The operator's controls of a running sale and what the dashboard reads. Every control locks the
 * sale's row (lock order: sales first) and is idempotent: pausing a paused sale, closing a closed one
 * or setting the cap it already has changes nothing and answers the same. No control reopens a sale
 * that is sold out or closed. The line reads the sale's row at every poll, so a change applies to the
 * next admission (server/queue/refresh.ts).
 */

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
