import { describe, expect, it } from 'vitest';
import { functionFiles } from '@/db/functions';
import { newBookingCode } from './order/booking-code';
import { pgCode } from './errors';
import { useTestDatabase } from './testing/test-database';
import {
  CASE_LIMITS,
  LIMIT_CASES,
  RESERVATION_CASES,
  SALE_CASES,
  TURN_CASES,
  type LimitCase,
  type ReservationCase,
  type SaleCase,
  type TurnCase,
} from './testing/rule-cases';

/**
 * The SQL rules agree with the TypeScript ones (server/rules.test.ts) over the same cases
 * (server/testing/rule-cases.ts): first the helpers of db/functions/ at a given instant, boundaries
 * included, then the database functions that apply them, `admit_line`, `pay_order` and `hold_seats`,
 * called as the server calls them on rows set up for each case. Cases at the boundary instant (0) are
 * left to the helpers: the database's clock runs on between setting a row up and judging it.
 */

const { sql } = await useTestDatabase();
// track_functions (the inlining test) is a superuser's setting: the embedded test server's role is
// one; a TEST_DATABASE_URL role may not be.
const [role] = await sql<{ superuser: boolean }[]>`SELECT current_setting('is_superuser') = 'on' AS superuser`;

const AT = '2026-11-27T11:00:00Z';
const awayFromBoundary = (...seconds: (number | null)[]) => seconds.every((s) => s !== 0);

describe('the SQL rule helpers, over the shared cases', () => {
  it.each(RESERVATION_CASES)('a reservation: $name', async (c) => {
    const [row] = await sql<{ live: boolean; liveHold: boolean }[]>`
      SELECT is_live_reservation(${c.status}, ${AT}::timestamptz + make_interval(secs => ${c.heldFor}), ${AT}::timestamptz) AS live,
        is_live_hold(${c.status}, ${AT}::timestamptz + make_interval(secs => ${c.heldFor}), ${AT}::timestamptz) AS "liveHold"`;
    expect(row).toEqual({ live: c.live, liveHold: c.liveHold });
  });

  it.each(TURN_CASES)('a turn: $name', async (c) => {
    const [row] = await sql<{ running: boolean; ranOut: boolean }[]>`
      WITH t AS (SELECT ${c.status}::text AS status, ${AT}::timestamptz + make_interval(secs => ${c.expiresIn}::int) AS expires_at)
      SELECT is_running_turn(status, expires_at, ${AT}::timestamptz) AS running, turn_ran_out(status, expires_at, ${AT}::timestamptz) AS "ranOut" FROM t`;
    expect(row).toEqual({ running: c.running, ranOut: c.ranOut });
  });

  it.each(SALE_CASES)('a sale: $name', async (c) => {
    const [row] = await sql<{ state: string }[]>`
      SELECT sale_state(${c.closedReason}::text, ${c.paused}, ${AT}::timestamptz + make_interval(secs => ${c.prequeueOpensIn}),
        ${AT}::timestamptz + make_interval(secs => ${c.opensIn}), ${AT}::timestamptz) AS state`;
    expect(row!.state).toBe(c.state);
  });

  it.each(LIMIT_CASES)('the limits: $name', async (c) => {
    const [row] = await sql<{ refusal: string | null }[]>`
      SELECT hold_limit_refusal(${c.heldHere + c.heldElsewhere}::int, ${c.bought + c.heldHere}::int, ${c.wanted}::int,
        ${CASE_LIMITS.HOLD_MAX_PER_USER}::int, ${CASE_LIMITS.PURCHASE_MAX_PER_USER}::int) AS refusal`;
    expect(row!.refusal).toBe(c.refusal);
  });
});

// Fixtures, in SQL: a concert with one date and its sale, users with wallets, tokens, orders.

let concerts = 0;
interface Hall {
  concertId: number;
  scheduleId: number;
  seatIds: number[];
}

/** A concert with `seats` seats on one date a month ahead, on sale (drawn) unless `sale` says otherwise. */
async function newConcert(
  seats: number,
  sale: Partial<Omit<SaleCase, 'name' | 'state' | 'admits'>> & { maxActive?: number } = {},
): Promise<Hall> {
  const s = { drawn: true, closedReason: null, paused: false, prequeueOpensIn: -3600, opensIn: -60, maxActive: 100, ...sale };
  const [concert] = await sql<{ id: number }[]>`
    INSERT INTO concerts (title, artist, venue) VALUES (${`Case ${++concerts}`}, 'A', 'V') RETURNING id`;
  const concertId = concert!.id;
  await sql`
    INSERT INTO sales (concert_id, prequeue_opens_at, opens_at, opened_at, drawn_count, max_active, turn_seconds, paused,
      paused_at, closed_reason, closed_at, seed, commitment)
    SELECT ${concertId}, now() + make_interval(secs => ${s.prequeueOpensIn}), now() + make_interval(secs => ${s.opensIn}),
      CASE WHEN ${s.drawn} THEN now() + make_interval(secs => ${s.opensIn}) END, CASE WHEN ${s.drawn} THEN 0 END,
      ${s.maxActive}, 600, ${s.paused}, CASE WHEN ${s.paused} THEN now() END, ${s.closedReason}::text, CASE WHEN ${s.closedReason}::text IS NOT NULL THEN now() END,
      seed, encode(sha256(convert_to(seed, 'UTF8')), 'hex')
    FROM (SELECT md5(random()::text) AS seed) x`;
  await sql`INSERT INTO queue_state (concert_id) VALUES (${concertId})`;
  const [schedule] = await sql<{ id: number }[]>`
    INSERT INTO schedules (concert_id, starts_at) VALUES (${concertId}, now() + interval '30 days') RETURNING id`;
  const rows = await sql<{ id: number }[]>`
    INSERT INTO seats (schedule_id, section, row, number, price)
    SELECT ${schedule!.id}, 'R', 'A', g, 1000 FROM generate_series(1, ${seats}::int) g RETURNING id`;
  return { concertId, scheduleId: schedule!.id, seatIds: rows.map((r) => r.id).sort((a, b) => a - b) };
}

async function newUser(balance = 100_000): Promise<string> {
  const [user] = await sql<{ id: string }[]>`INSERT INTO users (name) VALUES ('Case') RETURNING id`;
  await sql`INSERT INTO wallets (user_id, balance) VALUES (${user!.id}, ${balance})`;
  await sql`INSERT INTO ledger_entries (user_id, kind, amount, balance_after) VALUES (${user!.id}, 'charge', ${balance}, ${balance})`;
  return user!.id;
}

/** A token of `userId` in the concert's line at the next place; admitted 10 s ago unless waiting. */
async function newToken(userId: string, concertId: number, status: TurnCase['status'], expiresIn: number | null): Promise<number> {
  const [token] = await sql<{ id: string }[]>`
    INSERT INTO queue_tokens (token, user_id, concert_id, place, status, admitted_at, expires_at, last_seen_at)
    SELECT md5(random()::text), ${userId}, ${concertId}, take_line_place(${concertId}::int), ${status}::text,
      CASE WHEN ${status}::text <> 'waiting' THEN now() - interval '10 seconds' END,
      now() + make_interval(secs => ${expiresIn}::int), now()
    RETURNING id`;
  return Number(token!.id);
}

/** An order of these seats in this status, its hold clock `heldFor` seconds from now; a paid one has its booking code. */
async function newOrder(
  userId: string,
  hall: Hall,
  seatIds: number[],
  status: ReservationCase['status'],
  heldFor: number,
): Promise<number> {
  const [order] = await sql<{ id: string }[]>`
    INSERT INTO orders (user_id, schedule_id, total, status, held_until, booking_code)
    VALUES (${userId}, ${hall.scheduleId}, ${1000 * seatIds.length}, ${status}, now() + make_interval(secs => ${heldFor}),
      ${status === 'confirmed' ? newBookingCode() : null})
    RETURNING id`;
  await sql`
    INSERT INTO reservations (user_id, order_id, seat_id, schedule_id, price, status, held_until)
    SELECT ${userId}, ${order!.id}, id, schedule_id, price, ${status}, now() + make_interval(secs => ${heldFor})
    FROM seats WHERE id = ANY (${`{${seatIds.join(',')}}`}::int[])`;
  return Number(order!.id);
}

/** One admission pass, as server/queue/admission.ts runs it (waiting for the line). */
async function admissionPass(concertId: number): Promise<number> {
  const [pass] = await sql<{ admitted: number }[]>`SELECT admitted FROM admit_line(${concertId}::int, true, 180, 200, 10, 10)`;
  return pass!.admitted;
}

/** pay_order as server/order/pay.ts calls it: its outcome, or the refusal's reason. */
async function payOrder(userId: string, orderId: number) {
  try {
    const [row] = await sql<{ outcome: { first: boolean; turnEnded: boolean } }[]>`
      SELECT pay_order(${userId}::uuid, ${orderId}::bigint, NULL, NULL, NULL, ${`{${newBookingCode()}}`}::text[]) AS outcome`;
    return row!.outcome;
  } catch (error) {
    if (pgCode(error) === 'CTDOM') return { refused: (error as Error).message };
    throw error;
  }
}

/** hold_seats as server/order/hold.ts calls it (under the case limits): its outcome, or TURN_ENDED for SQLSTATE HLD01. */
async function holdSeats(userId: string, tokenId: number, seatIds: number[]): Promise<string> {
  try {
    const [row] = await sql<{ result: { outcome: string } }[]>`
      SELECT hold_seats(${userId}::uuid, ${tokenId}::bigint, ${`{${seatIds.join(',')}}`}::int[], 300, 900,
        ${CASE_LIMITS.HOLD_MAX_PER_USER}::int, ${CASE_LIMITS.PURCHASE_MAX_PER_USER}::int, false) AS result`;
    return row!.result.outcome;
  } catch (error) {
    if (pgCode(error) === 'HLD01') return 'TURN_ENDED';
    throw error;
  }
}

const clockCases = <T extends { name: string }>(cases: readonly T[], times: (c: T) => (number | null)[]) =>
  cases.filter((c) => awayFromBoundary(...times(c)));

describe('admit_line applies the same rules', () => {
  it.each(clockCases(SALE_CASES, (c) => [c.prequeueOpensIn, c.opensIn]))('admits while the sale admits: $name', async (c) => {
    const hall = await newConcert(1, c);
    await newToken(await newUser(), hall.concertId, 'waiting', null);
    expect(await admissionPass(hall.concertId)).toBe(c.admits ? 1 : 0);
  });

  it.each(clockCases(RESERVATION_CASES, (c) => [c.heldFor]))('admits only while a seat is free: the one seat is $name', async (c) => {
    const hall = await newConcert(1);
    await newOrder(await newUser(), hall, hall.seatIds, c.status, c.heldFor);
    await newToken(await newUser(), hall.concertId, 'waiting', null);
    expect(await admissionPass(hall.concertId)).toBe(c.live ? 0 : 1);
  });

  it.each(clockCases(TURN_CASES, (c) => [c.expiresIn]))('a running turn keeps its slot, one that ran out is ended: $name', async (c) => {
    const hall = await newConcert(2, { maxActive: 1 });
    const first = await newToken(await newUser(), hall.concertId, c.status, c.expiresIn);
    await newToken(await newUser(), hall.concertId, 'waiting', null);
    expect(await admissionPass(hall.concertId)).toBe(c.running ? 0 : 1);
    const [after] = await sql<{ status: string }[]>`SELECT status FROM queue_tokens WHERE id = ${first}`;
    if (c.ranOut) expect(after!.status).toBe('expired');
    if (c.running) expect(after!.status).toBe('active');
  });
});

describe('pay_order applies the same rules', () => {
  // A paid order is answered with its first payment (server/order/pay.test.ts), not judged again.
  const unpaid = clockCases(RESERVATION_CASES, (c) => [c.heldFor]).filter((c) => c.status !== 'confirmed');

  it.each(unpaid)('pays only a live hold: $name', async (c) => {
    const hall = await newConcert(1);
    const user = await newUser();
    await newToken(user, hall.concertId, 'active', 600);
    const order = await newOrder(user, hall, hall.seatIds, c.status, c.heldFor);
    const outcome = await payOrder(user, order);
    expect(outcome).toMatchObject(c.liveHold ? { first: true } : { refused: 'RESERVATION_EXPIRED' });
  });

  it.each(clockCases(RESERVATION_CASES, (c) => [c.heldFor]))('ends the turn unless another live hold is left to pay: $name', async (c) => {
    const hall = await newConcert(2);
    const user = await newUser();
    await newToken(user, hall.concertId, 'active', 600);
    const paid = await newOrder(user, hall, [hall.seatIds[0]!], 'held', 60);
    await newOrder(user, hall, [hall.seatIds[1]!], c.status, c.heldFor);
    expect(await payOrder(user, paid)).toMatchObject({ first: true, turnEnded: !c.liveHold });
  });
});

describe('hold_seats applies the same rules', () => {
  it.each(clockCases(TURN_CASES, (c) => [c.expiresIn]))('holds only in a running turn: $name', async (c) => {
    const hall = await newConcert(1);
    const user = await newUser();
    const token = await newToken(user, hall.concertId, c.status, c.expiresIn);
    expect(await holdSeats(user, token, hall.seatIds)).toBe(c.running ? 'held' : 'TURN_ENDED');
  });

  it.each(clockCases(RESERVATION_CASES, (c) => [c.heldFor]))('holds a seat only when it is free: someone else’s $name', async (c) => {
    const hall = await newConcert(1);
    await newOrder(await newUser(), hall, hall.seatIds, c.status, c.heldFor);
    const user = await newUser();
    const token = await newToken(user, hall.concertId, 'active', 600);
    expect(await holdSeats(user, token, hall.seatIds)).toBe(c.live ? 'SEAT_UNAVAILABLE' : 'held');
  });

  it.each(LIMIT_CASES)('counts the limits: $name', async (c: LimitCase) => {
    const hall = await newConcert(c.bought + c.heldHere + c.wanted);
    const elsewhere = await newConcert(Math.max(c.heldElsewhere, 1));
    const user = await newUser();
    const token = await newToken(user, hall.concertId, 'active', 600);
    const seats = [...hall.seatIds];
    if (c.bought) await newOrder(user, hall, seats.splice(0, c.bought), 'confirmed', -60);
    if (c.heldHere) await newOrder(user, hall, seats.splice(0, c.heldHere), 'held', 60);
    if (c.heldElsewhere) await newOrder(user, elsewhere, elsewhere.seatIds.slice(0, c.heldElsewhere), 'held', 60);
    expect(await holdSeats(user, token, seats)).toBe(c.refusal ?? 'held');
  });
});

describe('the rule helpers cost no call', () => {
  const helpers = functionFiles()
    .filter((f) => /LANGUAGE sql IMMUTABLE/.test(f.text))
    .map((f) => f.name);

  it('are the SQL-language functions of db/functions/', () => {
    expect(helpers.sort()).toEqual([
      'hold_limit_refusal',
      'is_live_hold',
      'is_live_reservation',
      'is_running_turn',
      'sale_state',
      'turn_ran_out',
    ]);
  });

  it.skipIf(!role!.superuser)(
    'the planner inlines every one into hold_seats, pay_order and admit_line: none is called while they run',
    async () => {
      const hall = await newConcert(3, { maxActive: 1 });
      const user = await newUser();
      const token = await newToken(user, hall.concertId, 'active', 600);
      await newToken(await newUser(), hall.concertId, 'waiting', null);
      const calls = await sql.begin(async (tx) => {
        // Counts this transaction's calls of every function that is really called (not inlined).
        await tx`SET LOCAL track_functions = 'all'`;
        const [held] = await tx<{ result: { outcome: string; orderId: number } }[]>`
        SELECT hold_seats(${user}::uuid, ${token}::bigint, ${`{${hall.seatIds[0]}}`}::int[], 300, 900, 4, 4, false) AS result`;
        expect(held!.result.outcome).toBe('held');
        const [paid] = await tx<{ outcome: { first: boolean } }[]>`
        SELECT pay_order(${user}::uuid, ${held!.result.orderId}::bigint, NULL, NULL, NULL, ${`{${newBookingCode()}}`}::text[]) AS outcome`;
        expect(paid!.outcome.first).toBe(true);
        const [pass] = await tx<{ admitted: number }[]>`SELECT admitted FROM admit_line(${hall.concertId}::int, true, 180, 200, 10, 10)`;
        expect(pass!.admitted).toBe(1);
        return tx<{ name: string; calls: number }[]>`SELECT funcname AS name, calls::int FROM pg_stat_xact_user_functions ORDER BY 1`;
      });
      // The three were counted (so counting works here), and none of the helpers.
      expect(calls.map((c) => c.name)).toEqual(expect.arrayContaining(['admit_line', 'hold_seats', 'pay_order']));
      expect(calls.filter((c) => helpers.includes(c.name))).toEqual([]);
    },
  );
});
