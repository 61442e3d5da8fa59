import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';

/**
 * Tests don't wait minutes for turns and holds to run out: they move the stored times into the
 * past, as the passing of time would, including the cached earliest expiry the queue reads.
 */
export async function runOutTurn(db: Db, token: string) {
  await db.execute(sql`UPDATE queue_tokens SET expires_at = now() - interval '1 second' WHERE token = ${token}`);
  await db.execute(sql`UPDATE queue_state SET next_expiry_at = LEAST(next_expiry_at, now() - interval '1 second')`);
}

export async function runOutHold(db: Db, reservationId: number) {
  await db.execute(sql`UPDATE reservations SET held_until = now() - interval '1 second' WHERE id = ${reservationId}`);
}

export async function stopPolling(db: Db, token: string) {
  await db.execute(sql`UPDATE queue_tokens SET last_seen_at = now() - interval '1 hour' WHERE token = ${token}`);
}

/**
 * Ends every live token and resets every line's state, so a test starts with empty lines (the lines
 * are shared by the tests of a file).
 */
export async function emptyLine(db: Db) {
  await db.execute(sql`UPDATE queue_tokens SET status = 'expired' WHERE status IN ('waiting', 'active')`);
  await db.execute(
    sql`UPDATE queue_state q SET active_count = 0, next_expiry_at = NULL, no_seat_free = false,
        admitted_through = line_last_place(q.concert_id)`,
  );
}

/**
 * Lets `seconds` pass for one fan: their turn's and their holds' stored times move that far into
 * the past (admission, expiry, last poll, hold ends), as the passing of time would.
 */
export async function letTimePass(db: Db, { token, userId }: { token: string; userId: string }, seconds: number) {
  const ago = sql`make_interval(secs => ${seconds})`;
  await db.execute(sql`
    UPDATE queue_tokens SET admitted_at = admitted_at - ${ago}, expires_at = expires_at - ${ago}, last_seen_at = last_seen_at - ${ago}
    WHERE token = ${token}`);
  await db.execute(sql`UPDATE reservations SET held_until = held_until - ${ago} WHERE user_id = ${userId}`);
  await db.execute(
    sql`UPDATE queue_state SET next_expiry_at = LEAST(next_expiry_at, (SELECT expires_at FROM queue_tokens WHERE token = ${token}))`,
  );
}
