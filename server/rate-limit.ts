import { sql } from 'drizzle-orm';
import { poolOf, type Db } from '@/db/client';
import { rateLimits } from '@/db/schema';
import { onlyRow } from './errors';

/**
 * Rate limits kept in PostgreSQL, so every app instance counts against the same limit (in-process
 * counters gave a client N× the limit with N instances). Fixed one-minute windows on the database's
 * clock: one atomic upsert per call counts the call and says whether it is within the limit. A
 * burst across a window's edge can see up to twice the limit, the price of one row and one statement.
 */
export interface Decision {
  allowed: boolean;
  /** Seconds until the next call would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

export const RATE_LIMIT_WINDOW_SECONDS = 60;
/** Rows of windows that ended this long ago are deleted, at most once per interval per instance. */
const SWEEP_INTERVAL_MS = 60_000;

let lastSweep = 0;

export interface RateLimitCall {
  /** What is counted: the procedure and the client, e.g. `session.start ip:203.0.113.7`. */
  key: string;
  /** Calls allowed per window. */
  limit: number;
  /** For tests: the time to count at, instead of the database's clock. */
  at?: Date;
}

/** Who a limit counts by address (see rateLimitSubject in server/trpc/init.ts). */
export const addressSubject = (addressKey: string) => `ip:${addressKey}`;
/** What one limit counts: a procedure's calls by one subject, e.g. `session.start ip:203.0.113.7`. */
export const rateLimitKey = (procedure: string, subject: string) => `${procedure} ${subject}`;

/**
 * Keys this process has seen refused, and until when (its own clock). Until then the request layer
 * refuses their calls itself, before reading a body or asking the database: the database refused
 * the same key for that long, so nothing it would allow is refused here. Bounded: a flood of
 * distinct keys only forgets refusals sooner.
 */
const refusedUntil = new Map<string, number>();
const MAX_REMEMBERED_REFUSALS = 10_000;

function rememberRefusal(key: string, retryAfterSeconds: number): void {
  const now = Date.now();
  if (refusedUntil.size >= MAX_REMEMBERED_REFUSALS) {
    for (const [k, until] of refusedUntil) if (until <= now) refusedUntil.delete(k);
    if (refusedUntil.size >= MAX_REMEMBERED_REFUSALS) refusedUntil.clear();
  }
  refusedUntil.set(key, now + retryAfterSeconds * 1_000);
}

/** Seconds until `key` may be allowed again, when this process knows the database refuses it now; else undefined. */
export function knownRefusal(key: string, now = Date.now()): number | undefined {
  const until = refusedUntil.get(key);
  if (until === undefined) return undefined;
  if (until <= now) {
    refusedUntil.delete(key);
    return undefined;
  }
  return Math.max(1, Math.ceil((until - now) / 1_000));
}

export async function takeRateLimit(db: Db, { key, limit, at }: RateLimitCall): Promise<Decision> {
  const now = at?.toISOString() ?? null; // null: the database's clock
  const window = `${RATE_LIMIT_WINDOW_SECONDS} seconds`;
  // The window this call falls in; a row of an older window starts over at 1. Hits stop counting one
  // past the limit, so a flood cannot overflow the column. postgres.js's own tagged template, not
  // drizzle's execute: it is a prepared statement, which halves the statement's cost.
  const row = onlyRow(
    await poolOf(db)<{ hits: number; retry_after: number }[]>`
    INSERT INTO rate_limits AS r (key, window_start, hits)
    VALUES (${key}, date_bin(${window}::interval, coalesce(${now}::timestamptz, now()), 'epoch'), 1)
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN r.window_start = excluded.window_start THEN least(r.hits + 1, ${limit + 1}::int) ELSE 1 END,
      window_start = excluded.window_start
    RETURNING r.hits, ceil(extract(epoch FROM r.window_start + ${window}::interval - coalesce(${now}::timestamptz, now())))::int AS retry_after`,
  );
  await sweepNowAndThen(db);
  const { hits, retry_after } = row;
  if (hits <= limit) return { allowed: true, retryAfterSeconds: 0 };
  const retryAfterSeconds = Math.max(1, retry_after);
  // Counted at the database's clock only: a test's own clock says nothing about this process's.
  if (!at) rememberRefusal(key, retryAfterSeconds);
  return { allowed: false, retryAfterSeconds };
}

/** Deletes the rows of windows long over, so clients seen once do not stay forever. */
export async function deleteExpiredRateLimits(db: Db): Promise<void> {
  await db.execute(sql`DELETE FROM ${rateLimits} WHERE window_start < now() - make_interval(secs => ${2 * RATE_LIMIT_WINDOW_SECONDS})`);
}

async function sweepNowAndThen(db: Db): Promise<void> {
  if (Date.now() - lastSweep < SWEEP_INTERVAL_MS) return;
  lastSweep = Date.now();
  await deleteExpiredRateLimits(db);
}
