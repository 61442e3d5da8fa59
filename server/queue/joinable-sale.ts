import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { sales } from '@/db/schema';
import { transactionTime } from '@/server/clock';
import { DomainError } from '@/server/errors';
import { saleStateOf, type SaleState } from '@/server/sale/service';

/** Says why a line cannot be joined in this state (sold out, closed, not open yet). */
export function refuseJoining(state: SaleState, sale: { prequeueOpensAt: Date; opensAt: Date }): never {
  if (state === 'sold_out') throw new DomainError('SOLD_OUT', 'This concert is sold out.');
  if (state === 'closed') throw new DomainError('SALE_CLOSED', 'The sale of this concert is closed.');
  throw new DomainError('SALE_NOT_OPEN', 'The line for this concert is not open yet.', {
    prequeueOpensAt: sale.prequeueOpensAt.toISOString(),
    opensAt: sale.opensAt.toISOString(),
  });
}

/**
 * A sale's line as joining sees it, read once: refused with its reason unless the caller may join now
 * (NOT_FOUND, SALE_FOR_ACCOUNTS for a guest, SOLD_OUT, SALE_CLOSED, SALE_NOT_OPEN). The one place both
 * `queue.challenge` and `queue.issue` judge a line by, so a fan never solves for a line that is shut.
 */
export async function readJoinableSale(db: Db, concertId: number, { isAccount }: { isAccount: boolean }) {
  const [sale] = await db
    .select({
      audience: sales.audience,
      joinDifficulty: sales.joinDifficulty,
      joinSurgePerSecond: sales.joinSurgePerSecond,
      prequeueOpensAt: sales.prequeueOpensAt,
      opensAt: sales.opensAt,
      paused: sales.paused,
      closedReason: sales.closedReason,
      openedAt: sales.openedAt,
      now: transactionTime(),
    })
    .from(sales)
    .where(eq(sales.concertId, concertId));
  if (!sale) throw new DomainError('NOT_FOUND', 'There is no such concert.');
  if (sale.audience === 'accounts' && !isAccount) {
    throw new DomainError('SALE_FOR_ACCOUNTS', 'This sale is for signed-in fans: sign in or create an account, then join.');
  }
  const state = saleStateOf(sale, sale.now);
  if (state !== 'prequeue' && state !== 'open' && state !== 'paused') refuseJoining(state, sale);
  return { sale, state };
}
