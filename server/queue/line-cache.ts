import { eq, sql } from 'drizzle-orm';
import { listenOn, observeWrites, poolOf, type Db } from '@/db/client';
import { queueState, sales } from '@/db/schema';
import { lineColumns } from './line-columns';
import { liveSeatCounts } from './live-seat-counts';

/**
 * Each process keeps, per line, what a waiting fan's poll needs to be answered without the database:
 * the line's `queue_state` (admission cursor, active turns), its seats free and held (counted on a
 * clock of their own: server/queue/live-seat-counts.ts) and its sale (times, state, settings). An entry is read again at most every LINE_REFRESH_MS, on demand, one read per line at a
 * time however many polls ask (they wait for that one read), and forgotten at once when PostgreSQL
 * says the line changed (`NOTIFY queue_line, '<concertId>'`, sent by the admission pass) or when this
 * process writes a line's state or its sale (db/client.ts `observeWrites`). Processes share nothing but PostgreSQL: each has its own cache.
 */

/** A line's cached state is at most this old (unless a notification was lost: then still this old). */
export const LINE_REFRESH_MS = 1_000;
/** The channel the admission pass notifies, with the concert's id as the payload. */
export const LINE_CHANNEL = 'queue_line';

function lineQuery(db: Db) {
  return db
    .select({
      concertId: queueState.concertId,
      closedReason: sales.closedReason,
      ...lineColumns,
    })
    .from(queueState)
    .innerJoin(sales, eq(sales.concertId, queueState.concertId))
    .where(eq(queueState.concertId, sql.placeholder('concertId')))
    .prepare('read_queue_line');
}

export type LineState = NonNullable<Awaited<ReturnType<ReturnType<typeof lineQuery>['execute']>>[number]>;

interface Entry {
  /** undefined: the concert has no line. */
  state: LineState | undefined;
  /** performance.now() when it was read. */
  readAt: number;
}

interface Lines {
  query: ReturnType<typeof lineQuery>;
  entries: Map<number, Entry>;
  /** The read in flight per line: every poll of the line that needs a read waits for this one. */
  reading: Map<number, Promise<Entry>>;
  /** Bumped when a line is forgotten, so a read that started before the change is not kept. */
  generation: Map<number, number>;
}

/** Per connection pool (a test file has its own database; drizzle handles over one pool share it). */
const caches = new WeakMap<object, Lines>();

function linesOf(db: Db): Lines {
  let lines = caches.get(poolOf(db));
  if (!lines) {
    const made: Lines = { query: lineQuery(db), entries: new Map(), reading: new Map(), generation: new Map() };
    caches.set(poolOf(db), (lines = made));
    listenOn(db, {
      channel: LINE_CHANNEL,
      onNotify: (payload) => forget(made, Number(payload)),
      // (Re)subscribed: whatever was notified while the subscription was down is lost.
      onListening: () => forgetAll(made),
    });
    // This process sees its own writes at once: a statement that writes a line's state or its sale
    // (an admission pass, a pause, a sell-out) forgets the cached lines before it runs.
    observeWrites(db, { tables: ['queue_state', 'sales'], onWrite: () => forgetAll(made) });
  }
  return lines;
}

function forget(lines: Lines, concertId: number) {
  lines.entries.delete(concertId);
  // A read in flight may predate the change: the next poll starts its own.
  lines.reading.delete(concertId);
  lines.generation.set(concertId, (lines.generation.get(concertId) ?? 0) + 1);
}

function forgetAll(lines: Lines) {
  for (const concertId of [...lines.entries.keys(), ...lines.reading.keys()]) forget(lines, concertId);
}

/** The line's version in this process: it changes whenever the line is forgotten. */
export function lineVersion(db: Db, concertId: number): number {
  return linesOf(db).generation.get(concertId) ?? 0;
}

/** Makes the next poll of this line read it again (this process changed it). */
export function forgetLine(db: Db, concertId: number): void {
  forget(linesOf(db), concertId);
}

function read(lines: Lines, concertId: number): Promise<Entry> {
  const inFlight = lines.reading.get(concertId);
  if (inFlight) return inFlight;
  const generation = lines.generation.get(concertId) ?? 0;
  const reading = lines.query
    .execute({ concertId })
    .then(([state]) => {
      const entry = { state, readAt: performance.now() };
      if ((lines.generation.get(concertId) ?? 0) === generation) lines.entries.set(concertId, entry);
      return entry;
    })
    .finally(() => {
      if (lines.reading.get(concertId) === reading) lines.reading.delete(concertId);
    });
  lines.reading.set(concertId, reading);
  return reading;
}

/**
 * A line's state as this process holds it, with the database's clock now (as far as it can tell) and
 * the line's `version` in this process: it changes whenever the line is forgotten (a notification, a
 * write of this process).
 */
export type CachedLine = LineState & { version: number };

/**
 * A line's state, at most LINE_REFRESH_MS old (and never from before the last notification of it),
 * or undefined for a concert without a line. Its `now` is the database's clock at the time of the
 * call: the clock read with the state, plus the time since.
 */
export async function lineState(db: Db, concertId: number): Promise<CachedLine | undefined> {
  const lines = linesOf(db);
  let entry = lines.entries.get(concertId);
  if (!entry || performance.now() - entry.readAt >= LINE_REFRESH_MS) entry = await read(lines, concertId);
  if (!entry.state) return undefined;
  const now = new Date(entry.state.now.getTime() + (performance.now() - entry.readAt));
  // The seats as counted now (at most a second old), not queue_state's recount (every SEAT_COUNT_SECONDS).
  return { ...entry.state, ...(await liveSeatCounts(db, concertId)), now, version: lineVersion(db, concertId) };
}
