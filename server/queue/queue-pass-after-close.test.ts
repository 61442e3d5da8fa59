import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { reopenSoldOut } from '@/server/sale/service';
import { createConcert } from '@/server/seed';
import { useTestDatabase } from '@/server/testing/test-database';
import { testConfig, TestUser } from '@/server/testing/test-user';

/**
 * A waiting fan's queue pass (a cookie, valid for QUEUE_ABANDON_SECONDS - 5 from its confirmation)
 * vouches for the line's cursor and the sale's closed_reason, not for the token's status. When a sale
 * sells out, the fan's poll closes their token for good (reopenSoldOut keeps closed tokens closed);
 * when a refund reopens the sale, the old queue pass must not answer 'waiting' from memory for a token
 * that no admission pass will ever admit.
 */

const { db } = await useTestDatabase();
const config = testConfig();

describe('a queue pass replayed after its token was closed', () => {
  it('does not tell a fan whose token is closed that they are waiting, after the sale reopens', async () => {
    const { concertId } = await createConcert(db, {
      title: `Replayed pass ${Date.now()}`,
      artist: 'R',
      venue: 'V',
      dayOffsets: [20],
      sale: { maxActive: 1 },
    });
    const first = new TestUser(db, config);
    expect(await first.join(concertId)).toMatchObject({ status: 'active' });
    const fan = new TestUser(db, config);
    expect(await fan.join(concertId)).toMatchObject({ status: 'waiting' });
    expect(await fan.api.queue.status({ concertId })).toMatchObject({ status: 'waiting' });

    // The sale sells out (what markSoldOut writes); the fan's next poll closes their token.
    await db.execute(sql`UPDATE sales SET closed_reason = 'sold_out', closed_at = now() WHERE concert_id = ${concertId}`);
    expect(await fan.api.queue.status({ concertId })).toMatchObject({ status: 'closed', closedReason: 'sold_out' });
    const [token] = await db.execute<{ status: string }>(sql`SELECT status FROM queue_tokens WHERE token = ${fan.token}`);
    expect(token!.status).toBe('closed');

    // A refund puts a seat back: the sale reopens; the fan's token stays closed.
    await reopenSoldOut(db, concertId);
    const view = await fan.api.queue.status({ concertId });
    const [after] = await db.execute<{ status: string }>(sql`SELECT status FROM queue_tokens WHERE token = ${fan.token}`);
    expect(after!.status).toBe('closed');
    expect(view.status).toBe('closed');
  });
});
