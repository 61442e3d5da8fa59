import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createConcert } from '../seed';
import { useTestDatabase } from '../testing/test-database';
import { testConfig, TestUser } from '../testing/test-user';

/**
 * Review (issue 12): a payment that ends a turn runs admit_line in skip-if-busy mode. When the line's
 * queue_state row is locked by something that is NOT an admission pass (recountSeats, the draw,
 * markAdmissionDue's own SKIP LOCKED update...), admit_line returns ran = false and admitWaiting
 * neither follows up nor marks a pass due (markAdmissionDue is only called on a throw). The freed slot
 * is recorded in queue_active_changes but nothing in queue_state says a pass is due, so no poll runs one
 * (admissionDue / lineAdmissionDue read active_count = max_active and a next_expiry_at in the future):
 * the next fan waits until some other turn runs out.
 */

const { db, url } = await useTestDatabase();
const config = testConfig();

describe('review: lost wake-up when the line row is held by a non-pass', () => {
  it('admits the next fan after a payment frees the only slot while recountSeats holds queue_state', async () => {
    const { concertId } = await createConcert(db, {
      title: `Review wakeup ${Date.now()}`,
      artist: 'R',
      venue: 'V',
      dayOffsets: [20],
      sale: { maxActive: 1 },
    });
    const [seat] = await db.execute<{ id: number }>(sql`
      SELECT s.id FROM seats s JOIN schedules sc ON sc.id = s.schedule_id WHERE sc.concert_id = ${concertId} ORDER BY s.id LIMIT 1`);
    const payer = new TestUser(db, config);
    expect(await payer.join(concertId)).toMatchObject({ status: 'active' });
    await payer.api.wallet.charge({ amount: 1_000_000 });
    const hold = await payer.api.reservation.hold({ seatId: seat!.id });
    const next = new TestUser(db, config);
    expect(await next.join(concertId)).toMatchObject({ status: 'waiting' });

    // What recountSeats (server/queue/line-upkeep.ts) does on every waiting fan's poll every 5 s.
    const locker = postgres(url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let rowLocked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (rowLocked = resolve));
    const locked = locker.begin(async (tx) => {
      await tx`SELECT 1 FROM queue_state WHERE concert_id = ${concertId} FOR UPDATE SKIP LOCKED`;
      rowLocked();
      await held;
    });
    try {
      await lockTaken;
      await payer.api.payment.pay({ reservationId: hold.reservationId });
    } finally {
      release();
      await locked;
      await locker.end();
    }
    // The slot is free (the payer's turn is done). The waiting fan keeps polling, for several seconds.
    let status = '';
    for (let i = 0; i < 6; i++) {
      status = (await next.api.queue.status({ concertId })).status;
      if (status === 'active') break;
      await new Promise((r) => setTimeout(r, 1_100));
    }
    const [state] = await db.execute<{ active_count: number; pending: number; next_expiry_in_s: number }>(sql`
      SELECT active_count,
        (SELECT coalesce(sum(delta),0)::int FROM queue_active_changes WHERE concert_id = ${concertId}) AS pending,
        extract(epoch FROM next_expiry_at - now())::int AS next_expiry_in_s
      FROM queue_state WHERE concert_id = ${concertId}`);
    expect(status, `line state: ${JSON.stringify(state)}`).toBe('active');
  }, 30_000);
});
