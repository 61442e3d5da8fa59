import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { holdSeats } from '../order/hold';
import { createConcert } from '../seed';
import { useTestDatabase } from '../testing/test-database';
import { testConfig, TestUser } from '../testing/test-user';

/**
 * Review (issue 12): hold_seats waits for the caller's users row (FOR UPDATE: a double click, a
 * concurrent hold of the same fan), then checks that the turn is still running with
 * `t.expires_at > now()` — now() is the statement's start, before the wait. A turn that ran out
 * during the wait still gets a new hold, and the hold's UPDATE extends (revives) the ended turn.
 */

const { db, url } = await useTestDatabase();
const config = testConfig();

describe('review: hold_seats judges the turn by the clock before its lock wait', () => {
  it('refuses a hold whose turn ran out while it waited for the user row', async () => {
    const { concertId } = await createConcert(db, {
      title: `Review hold clock ${Date.now()}`,
      artist: 'R',
      venue: 'V',
      dayOffsets: [20],
      sale: { maxActive: 10 },
    });
    const [seat] = await db.execute<{ id: number }>(sql`
      SELECT s.id FROM seats s JOIN schedules sc ON sc.id = s.schedule_id WHERE sc.concert_id = ${concertId} ORDER BY s.id LIMIT 1`);
    const fan = new TestUser(db, config);
    expect(await fan.join(concertId)).toMatchObject({ status: 'active' });
    // The turn runs out 1.5 s from now.
    const [token] = await db.execute<{ id: number; expires_at: Date }>(sql`
      UPDATE queue_tokens SET expires_at = clock_timestamp() + interval '1.5 seconds'
      WHERE token = ${fan.token} RETURNING id::int, expires_at`);

    const locker = postgres(url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let rowLocked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (rowLocked = resolve));
    const locked = locker.begin(async (tx) => {
      await tx`SELECT 1 FROM users WHERE id = ${fan.userId} FOR UPDATE`;
      rowLocked();
      await held;
    });
    let outcome: unknown;
    try {
      await lockTaken;
      // The procedure rung has checked the turn (it is running): the hold starts now and waits for the row.
      const holding = holdSeats(db, config, {
        userId: fan.userId,
        token: { id: token!.id, concertId, expiresAt: new Date(token!.expires_at) },
        seatIds: [seat!.id],
      }).then(
        (order) => ({ held: order.orderId }),
        (error: unknown) => ({ refused: (error as { reason?: string }).reason ?? String(error) }),
      );
      await new Promise((r) => setTimeout(r, 2_500)); // the turn runs out meanwhile
      release();
      outcome = await holding;
    } finally {
      release();
      await locked;
      await locker.end();
    }
    const [after] = await db.execute<{ status: string; extended: boolean }>(sql`
      SELECT status, expires_at > clock_timestamp() AS extended FROM queue_tokens WHERE token = ${fan.token}`);
    expect({ outcome, token: after }).toEqual({ outcome: { refused: 'TOKEN_EXPIRED' }, token: { status: 'active', extended: false } });
  }, 30_000);
});
