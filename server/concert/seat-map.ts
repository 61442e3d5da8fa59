import { and, asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { reservations, schedules, seats } from '@/db/schema';
import { transactionTime } from '@/server/clock';
import { preserialised } from '@/server/http/preserialised';
import { liveReservation } from '@/server/reservation/rules';

/**
 * A date's seat map, read from the database at most once per `SEAT_MAP_MAX_AGE_MS` per process and
 * shared by every caller meanwhile: 1,000 fans refreshing a map cost one read a second, not 1,000.
 * What it shows may be up to that old (another process's holds and payments); it only ever decides
 * what is shown. A hold still locks its seat, so a stale map never sells a seat twice. This
 * process's own holds, payments and cancels drop the date's snapshot at once (`invalidateSeatMap`),
 * and a caller's own seats are overlaid exactly per call (server/concert/service.ts).
 */

/** How old a snapshot may be before the next caller reads the date again. */
export const SEAT_MAP_MAX_AGE_MS = 1_000;
/** Dates kept per process (least recently used go first): a few thousand seats each, some 0.5 MB. */
export const SEAT_MAP_MAX_DATES = 32;
/** A date nobody asked for in this long is dropped when another is stored. */
const SEAT_MAP_IDLE_MS = 60_000;

export type SeatStatus = 'available' | 'held' | 'sold';

export const seatLabel = (s: { section: string; row: string; number: number }) => `${s.section} ${s.row}-${s.number}`;

/** A seat as the snapshot saw it. `heldUntil` (ms) lets a hold that runs out show free without a new read. */
export interface SnapshotSeat {
  seatId: number;
  section: string;
  row: string;
  number: number;
  label: string;
  price: number;
  reservation: { status: 'held' | 'confirmed'; heldUntil: number; holderId: string } | null;
}

/** A seat as a caller sees it: what concert.seats answers. */
export interface SeatView {
  seatId: number;
  section: string;
  row: string;
  number: number;
  label: string;
  price: number;
  status: SeatStatus;
  mine: boolean;
}

export interface SeatMapSnapshot {
  scheduleId: number;
  /** When the date starts (ms): a date that has passed is not shown, even from a snapshot. */
  startsAt: number;
  seats: SnapshotSeat[];
  /** Where each seat is in `seats`, and which seats each holder had. */
  indexOf: Map<number, number>;
  heldBy: Map<string, number[]>;
  /** Everyone's view, built once and kept until the next hold in it runs out (`publicViews`). */
  views?: { until: number; list: SeatView[] };
  /** Local time when the read started (the snapshot is at least this fresh). */
  readAt: number;
  /** The database clock minus the local one, so hold expiry and "passed" use the database's clock. */
  clockOffsetMs: number;
}

interface Entry {
  generation: number;
  snapshot?: SeatMapSnapshot;
  /** The read in flight: concurrent callers share it. */
  pending?: Promise<SeatMapSnapshot | null>;
  lastUsed: number;
}

/** Per database handle (tests run several in one process), per date. */
const caches = new WeakMap<object, Map<number, Entry>>();
/** Bumped by `invalidateSeatMap`: a snapshot (or a read in flight) of an older generation is not served. */
const generations = new Map<number, number>();
const generationOf = (scheduleId: number) => generations.get(scheduleId) ?? 0;

/**
 * Drops this process's snapshot of a date: call it after a transaction that holds, sells or frees a
 * seat of that date has committed, so the next map read in this process shows the change.
 */
export function invalidateSeatMap(scheduleId: number): void {
  generations.set(scheduleId, generationOf(scheduleId) + 1);
}

/** The dates this process keeps a map of for `db`, least recently used first (for tests and diagnostics). */
export const cachedSeatMapDates = (db: DbOrTx): number[] => [...(caches.get(db)?.keys() ?? [])];

/** Reads counted per process, for the tests' single-flight check. */
let reads = 0;
export const seatMapReads = () => reads;

async function readSnapshot(db: DbOrTx, scheduleId: number): Promise<SeatMapSnapshot | null> {
  reads++;
  const readAt = Date.now();
  const rows = await db
    .select({
      startsAt: schedules.startsAt,
      now: transactionTime(),
      seatId: seats.id,
      section: seats.section,
      row: seats.row,
      number: seats.number,
      price: seats.price,
      status: reservations.status,
      heldUntil: reservations.heldUntil,
      holderId: reservations.userId,
    })
    .from(schedules)
    .leftJoin(seats, eq(seats.scheduleId, schedules.id))
    .leftJoin(reservations, and(eq(reservations.seatId, seats.id), liveReservation))
    .where(and(eq(schedules.id, scheduleId), sql`${schedules.startsAt} > now()`))
    .orderBy(asc(seats.id));
  const [first] = rows;
  if (!first) return null;
  const clockOffsetMs = first.now.getTime() - readAt;
  const snapshotSeats: SnapshotSeat[] = [];
  for (const r of rows) {
    if (r.seatId === null) continue; // a date without seats: one row, no seat
    const seat = { section: r.section!, row: r.row!, number: r.number! };
    snapshotSeats.push({
      seatId: r.seatId,
      ...seat,
      label: seatLabel(seat),
      price: r.price!,
      reservation:
        r.status === 'held' || r.status === 'confirmed'
          ? { status: r.status, heldUntil: r.heldUntil!.getTime(), holderId: r.holderId! }
          : null,
    });
  }
  const indexOf = new Map<number, number>();
  const heldBy = new Map<string, number[]>();
  snapshotSeats.forEach((seat, i) => {
    indexOf.set(seat.seatId, i);
    const holder = seat.reservation?.holderId;
    if (holder) heldBy.set(holder, [...(heldBy.get(holder) ?? []), i]);
  });
  return { scheduleId, startsAt: first.startsAt.getTime(), seats: snapshotSeats, indexOf, heldBy, readAt, clockOffsetMs };
}

/**
 * The snapshot as everyone but a seat's holder sees it at `now` (the database's clock): built once per
 * snapshot and shared by every caller (1,000 seats are 1,000 objects: building them per call was most
 * of a call's CPU), again only when one of its holds runs out. Callers must not change it.
 */
export function publicViews(snapshot: SeatMapSnapshot, now: number): SeatView[] {
  if (snapshot.views && now < snapshot.views.until) return snapshot.views.list;
  let until = Infinity;
  const list = snapshot.seats.map(({ seatId, section, row, number, label, price, reservation: r }): SeatView => {
    let status: SeatStatus = 'available';
    if (r?.status === 'confirmed') status = 'sold';
    else if (r && r.heldUntil > now) {
      status = 'held';
      until = Math.min(until, r.heldUntil);
    }
    return { seatId, section, row, number, label, price, status, mine: false };
  });
  snapshot.views = { until, list: preserialised(list) };
  return list;
}

function cacheOf(db: DbOrTx): Map<number, Entry> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  return cache;
}

/** Keeps the cache small: dates idle for a minute go, then the least recently used beyond the bound. */
function evict(cache: Map<number, Entry>, now: number) {
  for (const [id, entry] of cache) if (now - entry.lastUsed > SEAT_MAP_IDLE_MS && !entry.pending) cache.delete(id);
  while (cache.size > SEAT_MAP_MAX_DATES) cache.delete(cache.keys().next().value!);
}

/**
 * The date's seat map, at most `SEAT_MAP_MAX_AGE_MS` old (and newer than this process's last change to
 * it), or null when the date does not exist or has passed. One read at a time per date: callers that
 * come while it runs wait for it.
 */
export async function seatMapSnapshot(db: DbOrTx, scheduleId: number): Promise<SeatMapSnapshot | null> {
  const cache = cacheOf(db);
  const now = Date.now();
  const generation = generationOf(scheduleId);
  let entry = cache.get(scheduleId);
  if (entry && entry.generation !== generation) entry = undefined;
  if (entry) {
    // Most recently used last, so eviction takes the oldest first.
    cache.delete(scheduleId);
    cache.set(scheduleId, entry);
    entry.lastUsed = now;
    if (entry.snapshot && now - entry.snapshot.readAt < SEAT_MAP_MAX_AGE_MS) return entry.snapshot;
    if (entry.pending) return entry.pending;
  }
  const fresh: Entry = entry ?? { generation, lastUsed: now };
  const pending = readSnapshot(db, scheduleId).then(
    (snapshot) => {
      if (fresh.pending === pending) {
        fresh.pending = undefined;
        if (snapshot) fresh.snapshot = snapshot;
        else if (cache.get(scheduleId) === fresh) cache.delete(scheduleId);
      }
      return snapshot;
    },
    (error: unknown) => {
      if (fresh.pending === pending) fresh.pending = undefined;
      throw error;
    },
  );
  fresh.pending = pending;
  if (!entry) {
    cache.set(scheduleId, fresh);
    evict(cache, now);
  }
  return pending;
}
