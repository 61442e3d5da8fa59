import type postgres from 'postgres';
import { signSession } from '../server/session/signing';
import { BENCH_SECRET } from './servers';

/** Test data made with SQL (fast), and the cookies that make its users' requests. */

export interface BenchUser {
  userId: string;
  cookie: string;
  token?: string;
}

export function cookieOf(userId: string, token?: string): string {
  return `sid=${signSession(BENCH_SECRET, userId)}${token ? `; queue_token=${token}` : ''}`;
}

export async function makeUsers(sql: postgres.Sql, count: number, balance = 0): Promise<BenchUser[]> {
  const rows = await sql<{ id: string }[]>`
    INSERT INTO users (name) SELECT 'bench-' || g FROM generate_series(1, ${count}::int) g RETURNING id`;
  const ids = rows.map((r) => r.id);
  await sql`INSERT INTO wallets (user_id, balance) SELECT unnest(${ids}::uuid[]), ${balance}::int`;
  if (balance > 0) {
    await sql`INSERT INTO ledger_entries (user_id, kind, amount, balance_after) SELECT unnest(${ids}::uuid[]), 'charge', ${balance}::int, ${balance}::int`;
  }
  return ids.map((userId) => ({ userId, cookie: cookieOf(userId) }));
}

/** Gives each user a queue token; `active` ones are admitted now, for the default turn. */
export async function giveTokens(sql: postgres.Sql, users: BenchUser[], status: 'waiting' | 'active'): Promise<void> {
  const rows = await sql<{ user_id: string; token: string }[]>`
    INSERT INTO queue_tokens (token, user_id, status, admitted_at, expires_at)
    SELECT replace(gen_random_uuid()::text, '-', ''), u, ${status},
           CASE WHEN ${status} = 'active' THEN now() END,
           CASE WHEN ${status} = 'active' THEN now() + interval '1 hour' END
    FROM unnest(${users.map((u) => u.userId)}::uuid[]) WITH ORDINALITY AS t(u, n) ORDER BY n
    RETURNING user_id, token`;
  const byUser = new Map(rows.map((r) => [r.user_id, r.token]));
  for (const u of users) {
    u.token = byUser.get(u.userId)!;
    u.cookie = cookieOf(u.userId, u.token);
  }
  await syncQueueState(sql);
}

/** Sets the queue state row from the tokens, as an admission pass would leave it. */
export async function syncQueueState(sql: postgres.Sql) {
  await sql`
    UPDATE queue_state SET
      active_count = (SELECT count(*) FROM queue_tokens WHERE status = 'active'),
      next_expiry_at = (SELECT min(expires_at) FROM queue_tokens WHERE status = 'active'),
      admitted_through = coalesce((SELECT max(id) FROM queue_tokens WHERE status = 'active'), 0)`;
}

/** Waiting tokens for `count` new users, with no wallets (the line-length filler). */
export async function fillLine(sql: postgres.Sql, count: number): Promise<void> {
  await sql`
    WITH fillers AS (INSERT INTO users (name) SELECT 'line-' || g FROM generate_series(1, ${count}::int) g RETURNING id)
    INSERT INTO queue_tokens (token, user_id) SELECT replace(gen_random_uuid()::text, '-', ''), id FROM fillers`;
}

/** A concert with `dates` future dates of `seatsPerDate` seats each; returns the seat ids by date. */
export async function makeHall(sql: postgres.Sql, dates: number, seatsPerDate: number, price = 100_000): Promise<number[][]> {
  const [concert] = await sql<
    { id: number }[]
  >`INSERT INTO concerts (title, artist, venue) VALUES ('Bench ' || gen_random_uuid(), 'Bench', 'Bench Hall') RETURNING id`;
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
  return byDate;
}

/** A live hold of one seat for each user (for the payment scenario); sets `user.reservationId`. */
export async function makeHolds(sql: postgres.Sql, users: (BenchUser & { reservationId?: number })[], seatIds: number[], price = 100_000) {
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
