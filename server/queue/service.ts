import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { queueState, queueTokens } from '../../db/schema';
import type { Config } from '../env';
import { DomainError, PG, pgCode } from '../errors';
import { isAbandoned, isLiveToken, isRunningTurn, PLACE_TAKING_STATUSES, runningTurn, stillPolling, turnCap, turnRanOut } from './rules';
import { HEARTBEAT_SECONDS } from './timing';

/**
 * The waiting room.
 *
 * A token's id is its ticket number. The single `queue_state` row holds the admission cursor
 * (`admitted_through`): a waiting token's position is `id - admitted_through`, one read however long
 * the line is. There is no background worker: the calls that issue or read tokens run an admission
 * pass when one is due, under the `queue_state` row lock, so several app instances admit safely.
 */

const TOKEN_BYTES = 18; // 144 bits of randomness
const MAX_TOKEN_LENGTH = 64;
/** Extra waiting tokens an admission pass reads beyond the free slots, to pass over abandoned ones. */
const ABANDON_SCAN_SLACK = 200;
const MAX_ADMISSION_ROUNDS = 10;
/** Weight of the newest observation in the smoothed admission rate. */
const RATE_SMOOTHING = 0.3;
/**
 * The line's writers hold this advisory lock shared until they commit; an admission pass takes it
 * exclusively before it counts. So a pass sees
 * - every ticket number handed out before it, and never admits a later ticket while an earlier one is
 *   still being written: admission follows issue order exactly;
 * - every turn ended by a payment before it: a pass that holds the queue_state lock when the payment
 *   commits counts that slot as free, so the payment's own pass may skip when it finds one running.
 */
const LINE_WRITE_LOCK = sql`hashtext('queue-issue-order')`;

export type QueueStatus = 'waiting' | 'active' | 'expired';

export interface TokenView {
  status: QueueStatus;
  position: number | null;
  estimatedWaitSeconds: number | null;
  activeUntil: string | null;
}

export interface ActiveToken {
  id: number;
  expiresAt: Date;
}

function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

function tokenQuery(db: DbOrTx) {
  return db
    .select({
      id: queueTokens.id,
      token: queueTokens.token,
      userId: queueTokens.userId,
      status: queueTokens.status,
      expiresAt: queueTokens.expiresAt,
      lastSeenAt: queueTokens.lastSeenAt,
      admittedThrough: queueState.admittedThrough,
      activeCount: queueState.activeCount,
      nextExpiryAt: queueState.nextExpiryAt,
      admitRate: queueState.admitRate,
      now: sql<Date>`now()`.mapWith((v: string | Date) => new Date(v)),
    })
    .from(queueTokens)
    .innerJoin(queueState, eq(queueState.id, 1))
    .where(eq(queueTokens.token, sql.placeholder('token')))
    .prepare('read_queue_token');
}

/** Built once per database handle: this read is the hot path of every poll. */
const preparedTokenQueries = new WeakMap<object, ReturnType<typeof tokenQuery>>();

/** One indexed read: the token with the queue state and the database's clock. */
async function readToken(db: Db, token: string) {
  let query = preparedTokenQueries.get(db);
  if (!query) preparedTokenQueries.set(db, (query = tokenQuery(db)));
  const [row] = await query.execute({ token });
  return row;
}

type TokenRow = NonNullable<Awaited<ReturnType<typeof readToken>>>;

const secondsBetween = (later: Date, earlier: Date) => (later.getTime() - earlier.getTime()) / 1000;

/**
 * Whether this caller should run an admission pass: a turn has run out (or a pass was marked due:
 * `markAdmissionDue`), or a slot is free.
 */
function admissionDue(row: TokenRow, config: Config): boolean {
  const aTurnRanOut = row.nextExpiryAt !== null && row.nextExpiryAt <= row.now;
  const slotFree = row.status === 'waiting' && row.activeCount < config.QUEUE_MAX_ACTIVE;
  return aTurnRanOut || slotFree;
}

export function positionOf(row: Pick<TokenRow, 'id' | 'admittedThrough'>): number {
  // A token whose insert committed after later ones were admitted is still next in line: 1.
  return Math.max(1, row.id - row.admittedThrough);
}

function viewOf(row: TokenRow, config: Config): TokenView {
  if (!isLiveToken(row, config)) return { status: 'expired', position: null, estimatedWaitSeconds: null, activeUntil: null };
  if (isRunningTurn(row)) {
    return { status: 'active', position: null, estimatedWaitSeconds: null, activeUntil: row.expiresAt!.toISOString() };
  }
  const position = positionOf(row);
  // With the line full, every slot frees at least once per turn: the slowest the line can move.
  const slowestRate = config.QUEUE_MAX_ACTIVE / config.QUEUE_ACTIVE_TTL_SECONDS;
  const rate = Math.max(row.admitRate ?? 0, slowestRate);
  return { status: 'waiting', position, estimatedWaitSeconds: Math.ceil(position / rate), activeUntil: null };
}

export type AdmissionMode = 'skip-if-busy' | 'wait';

/**
 * The admission pass: ends turns that ran out, then admits waiting tokens in ticket order into the
 * free slots, passing over (and expiring) places whose holders stopped polling. `skip-if-busy`
 * returns at once when another pass holds the lock (it will admit); `wait` queues behind it.
 */
export async function admitWaiting(db: Db, config: Config, { mode }: { mode: AdmissionMode }): Promise<number> {
  return db.transaction(async (tx) => {
    const [state] = await tx
      .select({
        admittedThrough: queueState.admittedThrough,
        lastAdmittedAt: queueState.lastAdmittedAt,
        admitRate: queueState.admitRate,
        now: sql<Date>`now()`.mapWith((v: string | Date) => new Date(v)),
      })
      .from(queueState)
      .where(eq(queueState.id, 1))
      .for('update', mode === 'skip-if-busy' ? { skipLocked: true } : undefined);
    if (!state) return 0;
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${LINE_WRITE_LOCK})`);

    await tx.update(queueTokens).set({ status: 'expired' }).where(turnRanOut);
    const [{ active } = { active: 0 }] = await tx
      .select({ active: sql<number>`count(*)::int` })
      .from(queueTokens)
      .where(runningTurn);

    let free = config.QUEUE_MAX_ACTIVE - active;
    let admittedThrough = state.admittedThrough;
    let admitted = 0;
    for (let round = 0; free > 0 && round < MAX_ADMISSION_ROUNDS; round++) {
      const scan = free + ABANDON_SCAN_SLACK;
      const head = await tx
        .select({
          id: queueTokens.id,
          present: sql<boolean>`${stillPolling(config)}`,
        })
        .from(queueTokens)
        .where(eq(queueTokens.status, 'waiting'))
        .orderBy(asc(queueTokens.id))
        .limit(scan);
      if (head.length === 0) break;
      const chosen = head
        .filter((h) => h.present)
        .slice(0, free)
        .map((h) => h.id);
      // Abandoned places up to the last one this pass reached are given up.
      const reachedThrough = chosen.length === free ? chosen[chosen.length - 1]! : head[head.length - 1]!.id;
      const abandoned = head.filter((h) => !h.present && h.id <= reachedThrough).map((h) => h.id);
      if (abandoned.length > 0) {
        await tx.update(queueTokens).set({ status: 'expired' }).where(inArray(queueTokens.id, abandoned));
      }
      if (chosen.length > 0) {
        await tx
          .update(queueTokens)
          .set({
            status: 'active',
            // When this statement ran (passes run one at a time), not when a pass that queued for the lock began.
            admittedAt: sql`statement_timestamp()`,
            expiresAt: sql`statement_timestamp() + make_interval(secs => ${config.QUEUE_ACTIVE_TTL_SECONDS})`,
          })
          .where(inArray(queueTokens.id, chosen));
        admittedThrough = Math.max(admittedThrough, chosen[chosen.length - 1]!);
        admitted += chosen.length;
        free -= chosen.length;
      }
      if (head.length < scan) break; // the whole line was read
    }

    const [after] = await tx
      .select({ count: sql<number>`count(*)::int`, nextExpiry: sql<string | null>`min(${queueTokens.expiresAt})` })
      .from(queueTokens)
      .where(runningTurn);
    let admitRate = state.admitRate;
    if (admitted > 0 && state.lastAdmittedAt) {
      const elapsed = Math.max(1, secondsBetween(state.now, state.lastAdmittedAt));
      const observed = admitted / elapsed;
      admitRate = admitRate === null ? observed : admitRate * (1 - RATE_SMOOTHING) + observed * RATE_SMOOTHING;
    }
    await tx
      .update(queueState)
      .set({
        admittedThrough,
        activeCount: after?.count ?? 0,
        nextExpiryAt: after?.nextExpiry ? new Date(after.nextExpiry) : null,
        ...(admitted > 0 && { lastAdmittedAt: state.now, admitRate }),
      })
      .where(eq(queueState.id, 1));
    return admitted;
  });
}

/** Reads a token for its owner, refreshing its heartbeat and running an admission pass if due. */
async function refresh(db: Db, config: Config, { userId, token, mode }: { userId: string; token: string; mode: AdmissionMode }) {
  let row = await readToken(db, token);
  if (!row || row.userId !== userId) return undefined;
  if (isAbandoned(row, config)) {
    await db
      .update(queueTokens)
      .set({ status: 'expired' })
      .where(and(eq(queueTokens.id, row.id), eq(queueTokens.status, 'waiting')));
    return { ...row, status: 'expired' as const };
  }
  if (admissionDue(row, config)) {
    await admitWaiting(db, config, { mode });
    row = (await readToken(db, token))!;
  }
  if (row.status === 'waiting' && secondsBetween(row.now, row.lastSeenAt) > HEARTBEAT_SECONDS) {
    await db
      .update(queueTokens)
      .set({ lastSeenAt: sql`now()` })
      .where(eq(queueTokens.id, row.id));
  }
  return row;
}

const validTokenString = (token: string | undefined): token is string =>
  typeof token === 'string' && token.length > 0 && token.length <= MAX_TOKEN_LENGTH;

/** `queue.status`: the caller's token, waiting (with its place), active (until when) or expired. */
export async function tokenStatus(
  db: Db,
  config: Config,
  { userId, token }: { userId: string; token: string | undefined },
): Promise<TokenView> {
  if (!validTokenString(token)) throw new DomainError('TOKEN_INVALID', 'No queue token: join the queue first.');
  const row = await refresh(db, config, { userId, token, mode: 'skip-if-busy' });
  if (!row) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours or does not exist.');
  return viewOf(row, config);
}

/**
 * `queue.issue`: the user's live token, or a new one at the back of the line. A user has at most
 * one live token (a partial unique index guarantees it), so issuing again never jumps the line.
 */
export type IssuedToken = TokenView & { token: string; status: 'waiting' | 'active' };

const liveView = (token: string, view: TokenView): IssuedToken | undefined =>
  view.status === 'expired' ? undefined : { ...view, token, status: view.status };

export async function issueToken(db: Db, config: Config, { userId }: { userId: string }): Promise<IssuedToken> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [live] = await db
      .select({ token: queueTokens.token })
      .from(queueTokens)
      .where(and(eq(queueTokens.userId, userId), inArray(queueTokens.status, PLACE_TAKING_STATUSES)));
    if (live) {
      const row = await refresh(db, config, { userId, token: live.token, mode: 'wait' });
      const issued = row && liveView(row.token, viewOf(row, config));
      if (issued) return issued;
      // Its turn ran out or its place was given up: it is no longer live, so a new one is due.
      await db
        .update(queueTokens)
        .set({ status: 'expired' })
        .where(and(eq(queueTokens.token, live.token), inArray(queueTokens.status, PLACE_TAKING_STATUSES)));
    }
    try {
      const token = newToken();
      await db.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_advisory_xact_lock_shared(${LINE_WRITE_LOCK})`);
        await tx.insert(queueTokens).values({ token, userId });
      });
      const row = await refresh(db, config, { userId, token, mode: 'wait' });
      const issued = row && liveView(token, viewOf(row, config));
      if (issued) return issued;
    } catch (error) {
      // Another request of the same user issued one first: return that one.
      if (pgCode(error) !== PG.UNIQUE_VIOLATION) throw error;
    }
  }
  throw new DomainError('BUSY', 'Could not issue a queue token right now. Please try again.');
}

/**
 * The active-turn rule, for the procedure rungs in server/trpc/init.ts (and only there): the caller's
 * own token, active and unexpired, or an error.
 */
export async function requireActiveToken(
  db: Db,
  config: Config,
  { userId, token }: { userId: string; token: string | undefined },
): Promise<ActiveToken> {
  if (!validTokenString(token)) throw new DomainError('TOKEN_INVALID', 'No queue token: join the queue first.');
  let row = await readToken(db, token);
  if (!row || row.userId !== userId) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours or does not exist.');
  if (row.status === 'waiting' && admissionDue(row, config)) row = await refresh(db, config, { userId, token, mode: 'skip-if-busy' });
  if (!row) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours or does not exist.');
  if (row.status === 'waiting' && !isAbandoned(row, config)) {
    const view = viewOf(row, config);
    throw new DomainError('TOKEN_NOT_ACTIVE', 'Your turn has not come yet.', {
      position: view.position,
      estimatedWaitSeconds: view.estimatedWaitSeconds,
    });
  }
  if (!isRunningTurn(row)) throw new DomainError('TOKEN_EXPIRED', 'Your turn has ended. Join the queue again.');
  return { id: row.id, expiresAt: row.expiresAt! };
}

/**
 * Keeps a turn alive while its user holds a seat: the turn lasts until the hold can no longer be
 * paid, but never past its cap (`turnCap`). Runs inside the hold's transaction (queue_tokens comes
 * last in the lock order).
 */
export async function extendTurn(tx: DbOrTx, config: Config, { tokenId, until }: { tokenId: number; until: Date }): Promise<void> {
  const updated = await tx
    .update(queueTokens)
    .set({ expiresAt: sql`least(greatest(${queueTokens.expiresAt}, ${until.toISOString()}::timestamptz), ${turnCap(config)})` })
    .where(and(eq(queueTokens.id, tokenId), runningTurn))
    .returning({ id: queueTokens.id });
  if (updated.length === 0) throw new DomainError('TOKEN_EXPIRED', 'Your turn has ended. Join the queue again.');
}

/**
 * Ends the user's turn (after a payment), freeing the slot for the next in line. Holds the line's
 * write lock (shared) until the transaction commits, so no admission pass counts while the change is
 * in flight; then call `admitAfterTurnEnded`.
 */
export async function endTurn(tx: DbOrTx, { userId }: { userId: string }): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock_shared(${LINE_WRITE_LOCK})`);
  await tx
    .update(queueTokens)
    .set({ status: 'done', expiresAt: sql`now()` })
    .where(and(eq(queueTokens.userId, userId), eq(queueTokens.status, 'active')));
}

/**
 * After a commit that ended a turn (a payment): the admission pass that gives the freed slot to the
 * next fan at once. The commit stands whatever happens here, so this never throws.
 * - It skips when another pass holds the queue_state lock: that pass counts this slot as free
 *   (`LINE_WRITE_LOCK` made it wait for the commit before counting).
 * - If it fails (a lock wait ran out, the database went away), the error is logged and the queue
 *   state is marked due, so the next poll runs a pass; if even that fails, the next pass (at the
 *   latest when the earliest turn runs out) recounts the slots from the tokens themselves.
 */
export async function admitAfterTurnEnded(db: Db, config: Config, { requestId }: { requestId?: string } = {}): Promise<void> {
  try {
    await admitWaiting(db, config, { mode: 'skip-if-busy' });
  } catch (error) {
    console.error(`[${requestId ?? '-'}] Admission pass after a turn ended failed; the next poll admits instead:`, error);
    await markAdmissionDue(db).catch((markError: unknown) =>
      console.error(`[${requestId ?? '-'}] Could not mark an admission pass due:`, markError),
    );
  }
}

/**
 * Makes the next poll run an admission pass (`admissionDue` sees the earliest expiry as passed). Skips
 * when a pass holds the lock: that pass counts every turn ended before it.
 */
async function markAdmissionDue(db: Db): Promise<void> {
  await db.execute(sql`
    UPDATE ${queueState} SET next_expiry_at = now()
    WHERE id = (SELECT id FROM ${queueState} WHERE id = 1 FOR UPDATE SKIP LOCKED)`);
}
