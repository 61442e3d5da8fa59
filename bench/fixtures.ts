import type postgres from 'postgres';
import { parseEnv } from '@/server/env';
import { signSession } from '@/server/session/signing';
import { BENCH_SECRET } from './servers';

/** Test data made with SQL (fast), and the cookies that make its users' requests. */

const DEFAULT_LINE = parseEnv({});

export interface BenchUser {
  userId: string;
  cookie: string;
  token?: string;
  /** Set by makeHolds: the user's held reservation. */
  reservationId?: number;
}

/** The cookies a browser holds after joining a line: the session, and the line's token (per line and the last joined). */
export function cookieOf(userId: string, token?: string, concertId?: number): string {
  const sid = `sid=${signSession(BENCH_SECRET, userId)}`;
  if (!token) return sid;
  return `${sid}; queue_token=${token}${concertId === undefined ? '' : `; queue_token_${concertId}=${token}`}`;
}

/** The n-th user of `makeUsers(…, { numbered: true })`: ids a pgbench script can compute from a number. */
export const NUMBERED_USER_SQL = (n: string) => `('00000000-0000-0000-0000-' || lpad(${n}::text, 12, '0'))::uuid`;

export async function makeUsers(sql: postgres.Sql, count: number, balance = 0, { numbered = false } = {}): Promise<BenchUser[]> {
  const rows = numbered
    ? await sql<{ id: string }[]>`
        INSERT INTO users (id, name) SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, 'bench-' || g FROM generate_series(1, ${count}::int) g RETURNING id`
    : await sql<{ id: string }[]>`
        INSERT INTO users (name) SELECT 'bench-' || g FROM generate_series(1, ${count}::int) g RETURNING id`;
  const ids = rows.map((r) => r.id);
  await sql`INSERT INTO wallets (user_id, balance) SELECT unnest(${ids}::uuid[]), ${balance}::int`;
  if (balance > 0) {
    await sql`INSERT INTO ledger_entries (user_id, kind, amount, balance_after) SELECT unnest(${ids}::uuid[]), 'charge', ${balance}::int, ${balance}::int`;
  }
  return ids.map((userId) => ({ userId, cookie: cookieOf(userId) }));
}

/**
 * Gives each user a queue token in a concert's line, at its back (places from the line's sequence, as
 * joins take them); `active` ones are admitted now, for the default turn.
 */
export async function giveTokens(sql: postgres.Sql, users: BenchUser[], status: 'waiting' | 'active', concertId: number): Promise<void> {
  const rows = await sql<{ user_id: string; token: string }[]>`
    WITH placed AS (
      SELECT u, n, take_line_place(${concertId}::int) AS place
      FROM unnest(${users.map((u) => u.userId)}::uuid[]) WITH ORDINALITY AS t(u, n))
    INSERT INTO queue_tokens (token, user_id, concert_id, place, status, admitted_at, expires_at)
    SELECT replace(gen_random_uuid()::text, '-', ''), u, ${concertId}, place, ${status},
           CASE WHEN ${status} = 'active' THEN now() END,
           CASE WHEN ${status} = 'active' THEN now() + interval '1 hour' END
    FROM placed ORDER BY n
    RETURNING user_id, token`;
  const byUser = new Map(rows.map((r) => [r.user_id, r.token]));
  for (const u of users) {
    u.token = byUser.get(u.userId)!;
    u.cookie = cookieOf(u.userId, u.token, concertId);
  }
  await syncQueueState(sql, concertId);
}

/**
 * Sets a line's queue state row from its tokens, as admission would leave it: `active_count` is the
 * exact number of running turns (the admission code trusts it as a counter), `admitted_through` the
 * highest place admitted (fixtures give active tokens before waiting ones, so places stay in order).
 */
export async function syncQueueState(sql: postgres.Sql, concertId: number) {
  await sql`
    UPDATE queue_state SET
      active_count = (SELECT count(*) FROM queue_tokens WHERE concert_id = ${concertId} AND status = 'active' AND expires_at > now()),
      next_expiry_at = (SELECT min(expires_at) FROM queue_tokens WHERE concert_id = ${concertId} AND status = 'active'),
      admitted_through = coalesce((SELECT max(place) FROM queue_tokens WHERE concert_id = ${concertId} AND status <> 'waiting'), 0)
    WHERE concert_id = ${concertId}`;
}

/** Waiting tokens at the back of a concert's line for `count` new users, with no wallets (the line-length filler). */
export async function fillLine(sql: postgres.Sql, count: number, concertId: number): Promise<void> {
  await sql`
    WITH fillers AS (INSERT INTO users (name) SELECT 'line-' || g FROM generate_series(1, ${count}::int) g RETURNING id)
    INSERT INTO queue_tokens (token, user_id, concert_id, place)
    SELECT replace(gen_random_uuid()::text, '-', ''), f.id, ${concertId}, take_line_place(${concertId}::int) FROM fillers f`;
}

/** Seat ids by date, and the concert they belong to (whose line admits to them). */
export type Hall = number[][] & { concertId: number };

/** A concert with `dates` future dates of `seatsPerDate` seats each; returns the seat ids by date. */
export async function makeHall(
  sql: postgres.Sql,
  dates: number,
  seatsPerDate: number,
  price = 100_000,
  { maxActive = DEFAULT_LINE.QUEUE_MAX_ACTIVE }: { maxActive?: number } = {},
): Promise<Hall> {
  const [concert] = await sql<
    { id: number }[]
  >`INSERT INTO concerts (title, artist, venue) VALUES ('Bench ' || gen_random_uuid(), 'Bench', 'Bench Hall') RETURNING id`;
  // On sale since a minute ago, already opened (no pre-queue to draw).
  await sql`
    INSERT INTO sales (concert_id, prequeue_opens_at, opens_at, opened_at, drawn_count, max_active, turn_seconds, seed, commitment)
    SELECT ${concert!.id}, now() - interval '1 hour', now() - interval '1 minute', now(), 0, ${maxActive}::int,
           ${DEFAULT_LINE.QUEUE_ACTIVE_TTL_SECONDS}::int, seed, encode(sha256(convert_to(seed, 'UTF8')), 'hex')
    FROM (SELECT replace(gen_random_uuid()::text, '-', '') AS seed) s`;
  await sql`INSERT INTO queue_state (concert_id) VALUES (${concert!.id})`;
  const byDate: number[][] = [];
  for (let d = 0; d < dates; d++) {
    const [schedule] = await sql<
      { id: number }[]
    >`INSERT INTO schedules (concert_id, starts_at) VALUES (${concert!.id}, now() + make_interval(days => ${30 + d})) RETURNING id`;
    const seats = await sql<{ id: number }[]>`
      INSERT INTO seats (schedule_id, section, row, number, price)
      SELECT ${schedule!.id}, 'R', 'R' || ((g - 1) / 50 + 1), (g - 1) % 50 + 1, ${price}::int FROM generate_series(1, ${seatsPerDate}::int) g
      RETURNING id`;
    byDate.push(seats.map((s) => s.id));
  }
  return Object.assign(byDate, { concertId: concert!.id });
}

/** A live hold of one seat for each user (for the payment scenario); sets `user.reservationId`. */
export async function makeHolds(sql: postgres.Sql, users: BenchUser[], seatIds: number[], price = 100_000) {
  // Each a one-seat order (every reservation belongs to an order); one user, one seat, so orders join back by user.
  const rows = await sql<{ id: string; user_id: string }[]>`
    WITH t AS (
      SELECT u, s, (SELECT schedule_id FROM seats WHERE id = s) AS d
      FROM unnest(${users.map((u) => u.userId)}::uuid[], ${seatIds.slice(0, users.length)}::int[]) AS t(u, s)),
    o AS (
      INSERT INTO orders (user_id, schedule_id, total, held_until)
      SELECT u, d, ${price}::int, now() + interval '1 hour' FROM t RETURNING id, user_id)
    INSERT INTO reservations (user_id, order_id, seat_id, schedule_id, price, status, held_until)
    SELECT t.u, o.id, t.s, t.d, ${price}::int, 'held', now() + interval '1 hour' FROM t JOIN o ON o.user_id = t.u
    RETURNING id, user_id`;
  const byUser = new Map(rows.map((r) => [r.user_id, Number(r.id)]));
  for (const u of users) u.reservationId = byUser.get(u.userId);
}
