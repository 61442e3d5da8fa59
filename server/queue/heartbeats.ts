import { sql } from 'drizzle-orm';
import { poolOf, type Db } from '@/db/client';
import { poolEnded } from '@/server/errors';
import { queueTokens } from '@/db/schema';
import { HEARTBEAT_FLUSH_SECONDS } from '@/server/shared/timing';

/**
 * Heartbeats of polls answered from memory: the token ids heard from are collected per connection
 * pool and written in one statement every HEARTBEAT_FLUSH_SECONDS (`last_seen_at = now()` of every
 * one still waiting), so a fan who keeps polling keeps their place without a write per poll. A batch
 * that fails is kept for the next one. The server's stop flushes what is left (server/database.ts).
 */

interface Batch {
  db: Db;
  ids: Set<number>;
  timer?: NodeJS.Timeout;
  flushing?: Promise<number>;
}

/** Keyed by the pool (postgres.js client): drizzle handles over one pool share a batch. */
const batches = new Map<object, Batch>();

/** Notes that the holder of this waiting token polled now. */
export function recordHeartbeat(db: Db, tokenId: number): void {
  let batch = batches.get(poolOf(db));
  if (!batch) batches.set(poolOf(db), (batch = { db, ids: new Set() }));
  batch.ids.add(tokenId);
  if (!batch.timer) {
    const scheduled = batch;
    scheduled.timer = setTimeout(() => {
      scheduled.timer = undefined;
      flushBatch(scheduled).catch((error: unknown) =>
        console.error('Could not write a batch of queue heartbeats; retrying with the next:', error),
      );
    }, HEARTBEAT_FLUSH_SECONDS * 1000);
    // A pending batch does not keep a process alive: stopping flushes it (flushHeartbeats).
    scheduled.timer.unref();
  }
}

async function flushBatch(batch: Batch): Promise<number> {
  if (batch.flushing) await batch.flushing.catch(() => 0);
  if (batch.ids.size === 0) return 0;
  const ids = [...batch.ids];
  batch.ids.clear();
  batch.flushing = (async () => {
    try {
      // One statement; the ids go as one array literal (no array parameters: db/client.ts, fetch_types).
      const written = await batch.db.execute(sql`
        UPDATE ${queueTokens} SET last_seen_at = now()
        WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[]) AND status = 'waiting'`);
      return written.count;
    } catch (error) {
      // The pool was closed (its process or test is done): nothing can be written any more.
      if (poolEnded(error)) {
        batches.delete(poolOf(batch.db));
        return 0;
      }
      // Heard from all the same: the next batch writes them (or the next poll read from the database).
      ids.forEach((id) => batch.ids.add(id));
      if (batch.ids.size > 0 && !batch.timer) recordHeartbeat(batch.db, ids[0]!);
      throw error;
    } finally {
      batch.flushing = undefined;
    }
  })();
  return batch.flushing;
}

/**
 * Writes the pending heartbeats now: of one pool, or of every pool of the process (the server's
 * stop, before its pool closes). Returns how many waiting tokens were refreshed.
 */
export async function flushHeartbeats(db?: Db): Promise<number> {
  const targets = db ? [batches.get(poolOf(db))].filter((b): b is Batch => b !== undefined) : [...batches.values()];
  let written = 0;
  for (const batch of targets) {
    if (batch.timer) clearTimeout(batch.timer);
    batch.timer = undefined;
    written += await flushBatch(batch);
  }
  return written;
}

/** Heartbeats noted and not yet written, of one pool. */
export function pendingHeartbeats(db: Db): number {
  return batches.get(poolOf(db))?.ids.size ?? 0;
}
