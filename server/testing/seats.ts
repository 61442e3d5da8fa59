import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { concertOnSale } from './test-user';

/**
 * Hands out future seats of the concert on sale (the one `TestUser.join` joins by default) in order,
 * each once, so the tests of one file never compete for a seat.
 */
export function seatPicker(db: Db) {
  let offset = 0;
  let concertId: Promise<number> | undefined;
  const take = async (count: number) => {
    const from = offset;
    offset += count; // before the await: concurrent callers get different seats
    concertId ??= concertOnSale(db);
    const rows = await db.execute<{ seatId: number; price: number }>(
      sql`SELECT s.id AS "seatId", s.price FROM seats s JOIN schedules d ON d.id = s.schedule_id
          WHERE d.starts_at > now() AND d.concert_id = ${await concertId} ORDER BY s.id OFFSET ${from} LIMIT ${count}`,
    );
    return [...rows];
  };
  return {
    next: async () => (await take(1))[0]!,
    nextId: async () => (await take(1))[0]!.seatId,
    ids: async (count: number) => (await take(count)).map((s) => s.seatId),
  };
}
