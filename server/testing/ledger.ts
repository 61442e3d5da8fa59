import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';

/** Users whose balance is not the sum of their ledger entries (there must be none). */
export async function ledgerMismatches(db: Db) {
  return db.execute<{ user_id: string; balance: number; ledger: number }>(sql`
    SELECT w.user_id, w.balance, coalesce(sum(l.amount), 0)::int AS ledger
    FROM wallets w LEFT JOIN ledger_entries l ON l.user_id = w.user_id
    GROUP BY w.user_id, w.balance
    HAVING w.balance <> coalesce(sum(l.amount), 0)`);
}
