import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createConcert } from '../seed';
import { useTestDatabase } from '../testing/test-database';
import { testConfig, TestUser } from '../testing/test-user';

/**
 * Review (issue 12), the same lost wake-up through markAdmissionDue: a released hold on a line that
 * stopped for want of seats (no_seat_free) calls markAdmissionDue, which, finding queue_state locked
 * (SKIP LOCKED), only inserts a delta-0 row into queue_active_changes, trusting that a running pass
 * will see it. When the lock holder is recountSeats (not a pass), nobody ever looks at that row: the
 * line stays stopped until the earliest turn or hold it remembered runs out.
 */

const { db, url } = await useTestDatabase();
const config = testConfig();

describe('review: lost wake-up of a released seat when the line row is held by recountSeats', () => {
  it('admits the waiting fan once the only seat is released', async () => {
    const { concertId, scheduleIds } = await createConcert(db, {
      title: `Review release ${Date.now()}`,
      artist: 'R',
      venue: 'V',
      dayOffsets: [20],
      sale: { maxActive: 2 },
    });
    // One seat in the whole sale.
    await db.execute(
      sql`DELETE FROM seats WHERE schedule_id = ${scheduleIds[0]!} AND id <> (SELECT min(id) FROM seats WHERE schedule_id = ${scheduleIds[0]!})`,
    );
    const [seat] = await db.execute<{ id: number }>(sql`SELECT id FROM seats WHERE schedule_id = ${scheduleIds[0]!}`);
    const holder = new TestUser(db, config);
    expect(await holder.join(concertId)).toMatchObject({ status: 'active' });
    const hold = await holder.api.reservation.hold({ seatId: seat!.id });
    const next = new TestUser(db, config);
    // A slot is free but no seat: the pass stops the line (no_seat_free).
    expect(await next.join(concertId)).toMatchObject({ status: 'waiting' });
    const [stopped] = await db.execute<{ no_seat_free: boolean }>(
      sql`SELECT no_seat_free FROM queue_state WHERE concert_id = ${concertId}`,
    );
    expect(stopped!.no_seat_free).toBe(true);

    const locker = postgres(url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let rowLocked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (rowLocked = resolve));
    const locked = locker.begin(async (tx) => {
      await tx`SELECT 1 FROM queue_state WHERE concert_id = ${concertId} FOR UPDATE SKIP LOCKED`; // recountSeats
      rowLocked();
      await held;
    });
    try {
      await lockTaken;
      expect(await holder.api.reservation.cancel({ reservationId: hold.reservationId })).toMatchObject({ status: 'cancelled' });
    } finally {
      release();
      await locked;
      await locker.end();
    }
    let status = '';
    for (let i = 0; i < 5; i++) {
      status = (await next.api.queue.status({ concertId })).status;
      if (status === 'active') break;
      await new Promise((r) => setTimeout(r, 1_100));
    }
    const [state] = await db.execute(sql`
      SELECT no_seat_free, active_count, extract(epoch FROM next_expiry_at - now())::int AS next_expiry_in_s,
        (SELECT count(*)::int FROM queue_active_changes WHERE concert_id = ${concertId}) AS pending_rows
      FROM queue_state WHERE concert_id = ${concertId}`);
    expect(status, `line state: ${JSON.stringify(state)}`).toBe('active');
  }, 30_000);
});
