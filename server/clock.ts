import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';

/**
 * The database's clock, read in a query's select list. Two readings, named for what they read:
 *
 * - `transactionTime()` is `now()`: the time the transaction started, the same for every statement
 *   in it. Rows written and judged in one transaction agree with it.
 * - `clockTime()` is `clock_timestamp()`: the time at the moment the row is read, after any lock the
 *   statement waited for. A payment that waited for a lock must see a hold that ran out meanwhile as
 *   expired, so rows judged by `effectiveStatus` (server/reservation/rules.ts) are read with it.
 *
 * The database's clock, not this process's: every instance then judges time alike.
 */
const asDate = (v: string | Date) => new Date(v);

export const transactionTime = () => sql<Date>`now()`.mapWith(asDate);

export const clockTime = () => sql<Date>`clock_timestamp()`.mapWith(asDate);

/** `transactionTime()` on its own, for code that has no row to read it with. */
export async function readTransactionTime(db: DbOrTx): Promise<Date> {
  const [row] = await db.execute<{ now: string | Date }>(sql`SELECT now() AS now`);
  return asDate(row!.now);
}
