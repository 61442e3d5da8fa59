import { and, eq, gt, lt, sql } from 'drizzle-orm';
import { poolOf, type Db } from '@/db/client';
import { poolEnded } from '@/server/errors';
import { joinStats } from '@/db/schema';

/**
 * What joining a line costs and who pays it, counted per line and second: challenges issued,
 * solutions accepted (`solved`) and refused, places taken (`joins`). Each process counts in memory
 * and adds its counts to `join_stats` once a second (one upsert per line and second), so no join
 * waits on a shared row. The operator's console (server/admin/sale-stats.ts) and the join
 * challenge's surge rule (server/queue/join-challenge.ts) read the last seconds back: every
 * process's counts, at most JOIN_STATS_FLUSH_MS late.
 */

export const JOIN_EVENTS = ['challenges', 'solved', 'refused', 'joins'] as const;
export type JoinEvent = (typeof JOIN_EVENTS)[number];
type Counts = Record<JoinEvent, number>;

/** How often a process adds its counts to the table. */
export const JOIN_STATS_FLUSH_MS = 1_000;
/** Rates are averaged over this many whole seconds. */
export const JOIN_RATE_WINDOW_SECONDS = 10;
/** Counts older than this are deleted. */
const KEEP_HOURS = 24;

interface Pending {
  db: Db;
  /** Per line, per second (epoch seconds). */
  counts: Map<number, Map<number, Counts>>;
  timer?: NodeJS.Timeout;
  lastPrunedAt: number;
}

const pendingByPool = new Map<object, Pending>();
const zero = (): Counts => ({ challenges: 0, solved: 0, refused: 0, joins: 0 });

/** Counts one event of a line now; written within JOIN_STATS_FLUSH_MS. */
export function countJoinEvent(db: Db, concertId: number, event: JoinEvent): void {
  let pending = pendingByPool.get(poolOf(db));
  if (!pending) pendingByPool.set(poolOf(db), (pending = { db, counts: new Map(), lastPrunedAt: Date.now() }));
  const second = Math.floor(Date.now() / 1000);
  let line = pending.counts.get(concertId);
  if (!line) pending.counts.set(concertId, (line = new Map()));
  let counts = line.get(second);
  if (!counts) line.set(second, (counts = zero()));
  counts[event]++;
  if (!pending.timer) {
    const scheduled = pending;
    scheduled.timer = setTimeout(() => {
      scheduled.timer = undefined;
      flush(scheduled).catch((error: unknown) => {
        // The pool was closed (its process or test is done): nothing can be written any more.
        if (poolEnded(error)) return void pendingByPool.delete(poolOf(scheduled.db));
        console.error('Could not write the join counts (they are lost):', error);
      });
    }, JOIN_STATS_FLUSH_MS);
    scheduled.timer.unref();
  }
}

async function flush(pending: Pending): Promise<void> {
  const rows = [...pending.counts].flatMap(([concertId, seconds]) =>
    [...seconds].map(([second, counts]) => ({ concertId, second: new Date(second * 1000), ...counts })),
  );
  pending.counts.clear();
  if (rows.length === 0) return;
  await pending.db
    .insert(joinStats)
    .values(rows)
    .onConflictDoUpdate({
      target: [joinStats.concertId, joinStats.second],
      set: Object.fromEntries(JOIN_EVENTS.map((e) => [e, sql`${joinStats[e]} + excluded.${sql.identifier(e)}`])),
    });
  if (Date.now() - pending.lastPrunedAt > 60 * 60 * 1000) {
    pending.lastPrunedAt = Date.now();
    await pending.db.delete(joinStats).where(lt(joinStats.second, sql`now() - make_interval(hours => ${KEEP_HOURS})`));
  }
}

/** Writes this process's pending counts now (tests; the server's stop). */
export async function flushJoinStats(db?: Db): Promise<void> {
  const targets = db ? [pendingByPool.get(poolOf(db))].filter((p): p is Pending => p !== undefined) : [...pendingByPool.values()];
  for (const pending of targets) {
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = undefined;
    await flush(pending);
  }
}

export type JoinRates = Counts;

/**
 * A line's events per second over the last JOIN_RATE_WINDOW_SECONDS whole seconds, of every process
 * (as far as they have written them). One indexed read (the primary key).
 */
export async function joinRates(db: Db, concertId: number): Promise<JoinRates> {
  const [sums] = await db
    .select(
      Object.fromEntries(JOIN_EVENTS.map((e) => [e, sql<number>`coalesce(sum(${joinStats[e]}), 0)::int`])) as Record<
        JoinEvent,
        ReturnType<typeof sql<number>>
      >,
    )
    .from(joinStats)
    .where(
      and(
        eq(joinStats.concertId, concertId),
        gt(joinStats.second, sql`date_trunc('second', now()) - make_interval(secs => ${JOIN_RATE_WINDOW_SECONDS + 1})`),
        lt(joinStats.second, sql`date_trunc('second', now())`),
      ),
    );
  return Object.fromEntries(JOIN_EVENTS.map((e) => [e, (sums?.[e] ?? 0) / JOIN_RATE_WINDOW_SECONDS])) as JoinRates;
}
