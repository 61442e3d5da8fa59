import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createConcert } from '@/server/seed';
import { useTestDatabase } from '@/server/testing/test-database';
import { testConfig, TestUser } from '@/server/testing/test-user';

/**
 * No freed slot and no released seat waits for a turn to run out, even when the line's queue_state row
 * is held by something that is not an admission pass (the seat recount): a payment's pass or
 * markAdmissionDue that found the row locked leaves its change in queue_active_changes, and the
 * holder runs a pass after it, and any poll sees pending changes as a pass due.
 */

const { db, url } = await useTestDatabase();
const config = testConfig();

describe('a line whose row is held by the seat recount', () => {
  it('admits the next fan after a payment frees the only slot while recountSeats holds queue_state', async () => {
    const { concertId } = await createConcert(db, {
      title: `Wake-up ${Date.now()}`,
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

  it('admits the waiting fan once the only seat is released', async () => {
    const { concertId, scheduleIds } = await createConcert(db, {
      title: `Release ${Date.now()}`,
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
