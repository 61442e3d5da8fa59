import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { ledgerEntries, wallets } from '@/db/schema';
import { DomainError } from '@/server/errors';
import { claimKey, rememberResult, type Idempotency } from '@/server/idempotency/service';
import { MAX_BALANCE } from '@/server/shared/limits';

export { MAX_BALANCE, MAX_CHARGE, MIN_CHARGE } from '@/server/shared/limits';

export async function getBalance(db: DbOrTx, { userId }: { userId: string }): Promise<number> {
  const [wallet] = await db.select({ balance: wallets.balance }).from(wallets).where(eq(wallets.userId, userId));
  if (!wallet) throw new DomainError('SESSION_REQUIRED', 'This session is no longer valid. Start a new one.');
  return wallet.balance;
}

/**
 * Adds money: one atomic update of the wallet (which takes its row lock) and a ledger entry, in one
 * transaction. A charge that would take the balance past MAX_BALANCE is refused and changes nothing.
 * With an idempotency key, a repeat returns the first result and adds nothing.
 */
export async function charge(
  db: Db,
  { userId, amount, idempotency: idem }: { userId: string; amount: number; idempotency?: Idempotency },
): Promise<{ balance: number }> {
  return db.transaction(async (tx) => {
    if (idem) {
      const first = await claimKey<{ balance: number }>(tx, userId, idem);
      if (first) return first.replay;
    }
    const [wallet] = await tx
      .update(wallets)
      .set({ balance: sql`${wallets.balance} + ${amount}`, updatedAt: sql`now()` })
      .where(and(eq(wallets.userId, userId), sql`${wallets.balance} + ${amount} <= ${MAX_BALANCE}`))
      .returning({ balance: wallets.balance });
    if (!wallet) {
      const balance = await getBalance(tx, { userId }); // throws when the user is gone
      throw new DomainError('BALANCE_LIMIT', `A balance can't exceed ₩${MAX_BALANCE.toLocaleString('en-US')}.`, {
        balance,
        maxCharge: MAX_BALANCE - balance,
      });
    }
    await tx.insert(ledgerEntries).values({ userId, kind: 'charge', amount, balanceAfter: wallet.balance });
    const result = { balance: wallet.balance };
    if (idem) await rememberResult(tx, userId, idem, result);
    return result;
  });
}

export const HISTORY_PAGE_SIZE = 20;

/** Ledger entries, newest first; `cursor` is the last id of the previous page. */
export async function history(
  db: DbOrTx,
  { userId, cursor, limit = HISTORY_PAGE_SIZE }: { userId: string; cursor?: number; limit?: number },
) {
  const rows = await db
    .select({
      entryId: ledgerEntries.id,
      kind: ledgerEntries.kind,
      amount: ledgerEntries.amount,
      balanceAfter: ledgerEntries.balanceAfter,
      paymentId: ledgerEntries.paymentId,
      createdAt: ledgerEntries.createdAt,
    })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.userId, userId), cursor ? lt(ledgerEntries.id, cursor) : undefined))
    .orderBy(desc(ledgerEntries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    entries: page.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.entryId : null,
  };
}
