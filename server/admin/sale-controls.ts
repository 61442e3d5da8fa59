import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { sales } from '@/db/schema';
import type { Attribution } from '@/server/audit/actor';
import { recordAudit } from '@/server/audit/record';
import { readTransactionTime } from '@/server/clock';
import { DomainError } from '@/server/errors';
import type { UpdateSaleInput } from './sale-input';
import { requireSale, type SaleView } from './sale-view';

/**
 * The operator's controls of a running sale and what the dashboard reads. Every control locks the
 * sale's row (lock order: sales first) and is idempotent: pausing a paused sale, closing a closed one
 * or setting the cap it already has changes nothing and answers the same. No control reopens a sale
 * that is sold out or closed. The line reads the sale's row at every poll, so a change applies to the
 * next admission (server/queue/refresh.ts). Each call that succeeds, a repeat that changed nothing
 * included, appends one audit entry in its own transaction (what the operator did, before and after).
 */

/** The sale's values an audit entry shows: its state and the fields the action concerned. */
type SaleFact =
  | 'paused'
  | 'maxActive'
  | 'turnSeconds'
  | 'prequeueOpensAt'
  | 'opensAt'
  | 'closedReason'
  | 'audience'
  | 'joinDifficulty'
  | 'joinSurgePerSecond';
const factsOf = (sale: SaleView, facts: SaleFact[]) => Object.fromEntries((['state', ...facts] as const).map((key) => [key, sale[key]]));

async function recordSaleChange(
  tx: Tx,
  by: Attribution,
  {
    action,
    before,
    after,
    facts,
  }: { action: `admin.sale.${'update' | 'pause' | 'resume' | 'close'}`; before: SaleView; after: SaleView; facts: SaleFact[] },
): Promise<SaleView> {
  await recordAudit(tx, by, {
    action,
    concertId: after.concertId,
    target: after.title,
    before: factsOf(before, facts),
    after: factsOf(after, facts),
  });
  return after;
}

const isClosed = (sale: SaleView) => sale.closedReason !== null;

/** Writes `changes` to the locked sale's row and reads it back. */
async function applyChanges(tx: Tx, concertId: number, changes: Partial<typeof sales.$inferInsert>): Promise<SaleView> {
  await tx.update(sales).set(changes).where(eq(sales.concertId, concertId));
  return requireSale(tx, { concertId });
}

/**
 * `admin.sale.update`: the cap and turn length at any time (the next admission uses them; turns
 * already running keep theirs), and the join challenge's difficulty and surge threshold at any time
 * (the next challenge issued uses them; challenges already issued keep theirs); the pre-queue and opening times only before the sale opens
 * (`SALE_ALREADY_OPEN` after), keeping the pre-queue before the opening. The commitment never changes.
 */
export async function updateSale(db: Db, input: UpdateSaleInput, by: Attribution): Promise<SaleView> {
  const { concertId, maxActive, turnSeconds, prequeueOpensAt, opensAt, audience, joinDifficulty, joinSurgePerSecond } = input;
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
    if (audience !== undefined && audience !== sale.audience) {
      const now = await readTransactionTime(tx);
      if (new Date(sale.prequeueOpensAt) <= now) {
        throw new DomainError('SALE_ALREADY_OPEN', 'Its pre-queue has opened: who may join can no longer change.', {
          opensAt: sale.opensAt,
        });
      }
    }
    const changes = {
      ...(audience !== undefined && audience !== sale.audience && { audience }),
      ...(maxActive !== undefined && maxActive !== sale.maxActive && { maxActive }),
      ...(turnSeconds !== undefined && turnSeconds !== sale.turnSeconds && { turnSeconds }),
      ...(prequeueOpensAt !== undefined && { prequeueOpensAt: new Date(prequeueOpensAt) }),
      ...(opensAt !== undefined && { opensAt: new Date(opensAt) }),
      ...(joinDifficulty !== undefined && joinDifficulty !== sale.joinDifficulty && { joinDifficulty }),
      ...(joinSurgePerSecond !== undefined && joinSurgePerSecond !== sale.joinSurgePerSecond && { joinSurgePerSecond }),
    };
    const facts = (
      ['maxActive', 'turnSeconds', 'prequeueOpensAt', 'opensAt', 'audience', 'joinDifficulty', 'joinSurgePerSecond'] as const
    ).filter((key) => input[key] !== undefined);
    const after = Object.keys(changes).length === 0 ? sale : await applyChanges(tx, concertId, changes);
    return recordSaleChange(tx, by, { action: 'admin.sale.update', before: sale, after, facts });
  });
}

/** Sets `paused` (a sold-out or closed sale stays as it is). Waiting fans stay waiting; active ones go on buying. */
async function setPaused(db: Db, { concertId, paused }: { concertId: number; paused: boolean }, by: Attribution): Promise<SaleView> {
  return db.transaction(async (tx) => {
    const sale = await requireSale(tx, { concertId, lock: true });
    const changes = async () => ({ paused, pausedAt: paused ? await readTransactionTime(tx) : null });
    const after = sale.paused === paused || isClosed(sale) ? sale : await applyChanges(tx, concertId, await changes());
    return recordSaleChange(tx, by, { action: paused ? 'admin.sale.pause' : 'admin.sale.resume', before: sale, after, facts: ['paused'] });
  });
}

export const pauseSale = (db: Db, { concertId }: { concertId: number }, by: Attribution) => setPaused(db, { concertId, paused: true }, by);
export const resumeSale = (db: Db, { concertId }: { concertId: number }, by: Attribution) =>
  setPaused(db, { concertId, paused: false }, by);

/**
 * `admin.sale.close`: ends the sale for good (`closed_reason` 'closed'). Its waiting fans' tokens turn
 * `closed` at their next poll and new joins are refused (the line's rules). A sold-out sale stays sold out.
 */
export async function closeSale(db: Db, { concertId }: { concertId: number }, by: Attribution): Promise<SaleView> {
  return db.transaction(async (tx) => {
    const sale = await requireSale(tx, { concertId, lock: true });
    let after = sale;
    if (!isClosed(sale)) {
      await tx
        .update(sales)
        .set({ closedReason: 'closed', closedAt: sql`now()` })
        .where(and(eq(sales.concertId, concertId), isNull(sales.closedReason)));
      after = await requireSale(tx, { concertId });
    }
    return recordSaleChange(tx, by, { action: 'admin.sale.close', before: sale, after, facts: ['closedReason'] });
  });
}
