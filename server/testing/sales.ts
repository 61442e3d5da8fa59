import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';

/** Opens a concert's sale now, as if its opening time had just passed (the draw runs at the next call). */
export async function openSaleNow(db: Db, concertId: number) {
  await db.execute(sql`
    UPDATE sales SET prequeue_opens_at = now() - interval '1 hour', opens_at = now() - interval '1 second'
    WHERE concert_id = ${concertId} AND opened_at IS NULL`);
}

/** A concert's id by its title. */
export async function concertIdOf(db: Db, title: string): Promise<number> {
  const [row] = await db.execute<{ id: number }>(sql`SELECT id FROM concerts WHERE title = ${title}`);
  return row!.id;
}
