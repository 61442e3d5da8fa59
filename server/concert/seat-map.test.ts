import { drizzle } from 'drizzle-orm/postgres-js';
import { describe, expect, it } from 'vitest';
import * as schema from '@/db/schema';
import { createConcert } from '@/server/seed';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import {
  cachedSeatMapDates,
  invalidateSeatMap,
  publicViews,
  type SeatMapSnapshot,
  type SnapshotSeat,
  SEAT_MAP_MAX_AGE_MS,
  SEAT_MAP_MAX_DATES,
  seatMapReads,
} from './seat-map';
import { listSeats, suggestBestAvailable } from './service';

/**
 * The seat map from a per-process snapshot (server/concert/seat-map.ts): never older than
 * SEAT_MAP_MAX_AGE_MS, dropped at once by this process's changes, exact for the caller's own seats,
 * one read for any number of concurrent callers, a bounded number of dates.
 */
const { db, sql: client } = await useTestDatabase();
const { concertId } = await createConcert(db, { title: 'Snapshot', artist: 'Testers', venue: 'Test Hall', dayOffsets: [10, 11, 12] });

let dayOffset = 100;
/** A date of its own for a test (nobody else's snapshot of it). */
async function freshDate() {
  const { scheduleIds } = await createConcert(db, {
    title: 'Snapshot date',
    artist: 'Testers',
    venue: 'Test Hall',
    dayOffsets: [dayOffset++],
  });
  const seats = await client<{ id: number }[]>`SELECT id FROM seats WHERE schedule_id = ${scheduleIds[0]!} ORDER BY id`;
  return { scheduleId: scheduleIds[0]!, seatIds: seats.map((s) => s.id) };
}

async function newUser(): Promise<string> {
  const [user] = await client<{ id: string }[]>`INSERT INTO users (name) VALUES ('snapshot fan') RETURNING id`;
  return user!.id;
}

/**
 * A hold written straight into the database, as another process (another worker, another instance)
 * would write it: this process's snapshot is not told.
 */
async function holdElsewhere(userId: string, seatId: number, status: 'held' | 'confirmed' = 'held'): Promise<number> {
  const [row] = await client<{ id: string }[]>`
    WITH s AS (SELECT id, schedule_id, price FROM seats WHERE id = ${seatId}),
    o AS (INSERT INTO orders (user_id, schedule_id, total, held_until)
          SELECT ${userId}, schedule_id, price, now() + interval '5 minutes' FROM s RETURNING id)
    INSERT INTO reservations (user_id, order_id, seat_id, schedule_id, price, status, held_until)
    SELECT ${userId}, o.id, s.id, s.schedule_id, s.price, ${status}, now() + interval '5 minutes' FROM s, o RETURNING id`;
  return Number(row!.id);
}

const statusOf = async (scheduleId: number, userId: string, seatId: number) =>
  (await listSeats(db, { scheduleId, userId })).find((s) => s.seatId === seatId)!;

describe('the seat map snapshot', () => {
  it('shows another process’s hold within SEAT_MAP_MAX_AGE_MS, and reads the date at most once meanwhile', async () => {
    const { scheduleId, seatIds } = await freshDate();
    const [viewer, holder] = [await newUser(), await newUser()];
    expect((await statusOf(scheduleId, viewer, seatIds[0]!)).status).toBe('available');
    const readsBefore = seatMapReads();
    await holdElsewhere(holder, seatIds[0]!);
    const committedAt = Date.now();
    // Until the snapshot ages out, this process reads nothing more for the date.
    while (Date.now() - committedAt < SEAT_MAP_MAX_AGE_MS / 2) await statusOf(scheduleId, viewer, seatIds[0]!);
    expect(seatMapReads() - readsBefore).toBeLessThanOrEqual(1);
    // Once SEAT_MAP_MAX_AGE_MS has passed since the commit, every reader sees it.
    await new Promise((resolve) => setTimeout(resolve, committedAt + SEAT_MAP_MAX_AGE_MS - Date.now()));
    expect(await statusOf(scheduleId, viewer, seatIds[0]!)).toMatchObject({ status: 'held', mine: false });
  });

  it('shows a change of this process at once once it drops the date’s snapshot', async () => {
    const { scheduleId, seatIds } = await freshDate();
    const [viewer, holder] = [await newUser(), await newUser()];
    expect((await statusOf(scheduleId, viewer, seatIds[1]!)).status).toBe('available');
    await holdElsewhere(holder, seatIds[1]!, 'confirmed');
    invalidateSeatMap(scheduleId);
    expect(await statusOf(scheduleId, viewer, seatIds[1]!)).toMatchObject({ status: 'sold', mine: false });
  });

  it('is exact for the caller’s own seats, whoever changed them and whatever the snapshot says', async () => {
    const { scheduleId, seatIds } = await freshDate();
    const fan = await newUser();
    expect((await statusOf(scheduleId, fan, seatIds[2]!)).status).toBe('available');
    const readsBefore = seatMapReads();
    const reservationId = await holdElsewhere(fan, seatIds[2]!);
    expect(await statusOf(scheduleId, fan, seatIds[2]!)).toMatchObject({ status: 'held', mine: true });
    await client`UPDATE reservations SET status = 'confirmed' WHERE id = ${reservationId}`;
    expect(await statusOf(scheduleId, fan, seatIds[2]!)).toMatchObject({ status: 'sold', mine: true });
    await client`UPDATE reservations SET status = 'cancelled' WHERE id = ${reservationId}`;
    expect(await statusOf(scheduleId, fan, seatIds[2]!)).toMatchObject({ status: 'available', mine: false });
    // Served from snapshots, not by reading the map each time (a disagreement with the caller's own seats
    // drops the snapshot for the next reader, so a few reads are fine, not one per call).
    expect(seatMapReads() - readsBefore).toBeLessThanOrEqual(3);
    expect(seatMapReads() - readsBefore).toBeGreaterThanOrEqual(1);
  });

  it('answers NOT_FOUND for a date that passed, even from a snapshot that is still fresh', async () => {
    const [schedule] = await client<{ id: number; starts_at: string }[]>`
      INSERT INTO schedules (concert_id, starts_at) VALUES (${concertId}, now() + interval '2 seconds') RETURNING id, starts_at`;
    const startsAt = new Date(schedule!.starts_at).getTime();
    await client`INSERT INTO seats (schedule_id, section, row, number, price) VALUES (${schedule!.id}, 'R', 'A', 1, 1000)`;
    const fan = await newUser();
    // The snapshot is read shortly before the start…
    await new Promise((resolve) => setTimeout(resolve, startsAt - SEAT_MAP_MAX_AGE_MS / 2 - Date.now()));
    expect(await listSeats(db, { scheduleId: schedule!.id, userId: fan })).toHaveLength(1);
    const readsBefore = seatMapReads();
    // …and asked again after it, while still fresh.
    await new Promise((resolve) => setTimeout(resolve, startsAt + 50 - Date.now()));
    await expect(listSeats(db, { scheduleId: schedule!.id, userId: fan })).rejects.toMatchObject({ reason: 'NOT_FOUND' });
    expect(seatMapReads()).toBe(readsBefore);
  });

  it('shows a hold that runs out as free without reading the date again, and shares one view between callers', () => {
    const seat = (seatId: number, reservation: SnapshotSeat['reservation']): SnapshotSeat => ({
      seatId,
      section: 'R',
      row: 'A',
      number: seatId,
      label: `R A-${seatId}`,
      price: 1_000,
      reservation,
    });
    const snapshot: SeatMapSnapshot = {
      scheduleId: 1,
      startsAt: Date.now() + 86_400_000,
      seats: [
        seat(1, { status: 'held', heldUntil: 1_000, holderId: 'u' }),
        seat(2, { status: 'confirmed', heldUntil: 0, holderId: 'v' }),
        seat(3, null),
      ],
      indexOf: new Map(),
      heldBy: new Map(),
      readAt: 0,
      clockOffsetMs: 0,
    };
    const before = publicViews(snapshot, 999);
    expect(before.map((s) => s.status)).toEqual(['held', 'sold', 'available']);
    expect(publicViews(snapshot, 999)).toBe(before);
    expect(publicViews(snapshot, 1_000).map((s) => s.status)).toEqual(['available', 'sold', 'available']);
  });

  it('has concurrent callers share one read of the map (statements counted)', async () => {
    const { scheduleId } = await freshDate();
    const statements: string[] = [];
    const counted = drizzle(client, { schema, logger: { logQuery: (query) => statements.push(query) } });
    const fans = await Promise.all(Array.from({ length: 3 }, () => newUser()));
    const maps = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2
          ? listSeats(counted, { scheduleId, userId: fans[i % 3]! })
          : suggestBestAvailable(counted, { HOLD_MAX_PER_USER: 4 }, { scheduleId, quantity: 2, userId: fans[i % 3]! }),
      ),
    );
    expect(maps).toHaveLength(30);
    const mapReads = statements.filter((q) => /from "schedules" left join "seats"/i.test(q));
    expect(mapReads).toHaveLength(1);
  });

  it('keeps at most SEAT_MAP_MAX_DATES dates, dropping the least recently used', async () => {
    const first = await freshDate();
    const fan = await newUser();
    await listSeats(db, { scheduleId: first.scheduleId, userId: fan });
    const { scheduleIds } = await createConcert(db, {
      title: 'Many dates',
      artist: 'Testers',
      venue: 'Test Hall',
      dayOffsets: Array.from({ length: SEAT_MAP_MAX_DATES }, (_, i) => 200 + i),
    });
    for (const scheduleId of scheduleIds) await listSeats(db, { scheduleId, userId: fan });
    expect(cachedSeatMapDates(db)).toHaveLength(SEAT_MAP_MAX_DATES);
    expect(cachedSeatMapDates(db)).not.toContain(first.scheduleId);
    expect(cachedSeatMapDates(db).at(-1)).toBe(scheduleIds.at(-1));
  });

  it('never lets a stale map sell a taken seat: the hold goes through the seat’s lock and is refused', async () => {
    const { concertId: line } = await createConcert(db, { title: 'Stale', artist: 'Testers', venue: 'Test Hall', dayOffsets: [300] });
    const [{ id: scheduleId } = { id: 0 }] = await client<{ id: number }[]>`SELECT id FROM schedules WHERE concert_id = ${line}`;
    const fan = new TestUser(db, testConfig());
    await fan.join(line);
    const seatId = (await fan.api.concert.seats({ scheduleId }))[0]!.seatId;
    await holdElsewhere(await newUser(), seatId, 'confirmed');
    expect((await fan.api.concert.seats({ scheduleId }))[0]).toMatchObject({ seatId, status: 'available' });
    await expectFailure(fan.api.reservation.hold({ seatId }), 'CONFLICT', 'SEAT_UNAVAILABLE');
    const [{ n } = { n: 0 }] = await client<{ n: number }[]>`SELECT count(*)::int AS n FROM reservations WHERE seat_id = ${seatId}`;
    expect(n).toBe(1);
  });
});
