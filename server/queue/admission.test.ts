import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../invariants';
import { createConcert } from '../seed';
import { useTestDatabase } from '../testing/test-database';
import { testConfig, TestUser } from '../testing/test-user';
import { admitWaiting } from './admission';

/**
 * Admission without a lock across round trips (issue 12): the line's active count kept exactly,
 * one admitter at a time, and no freed slot lost, under real concurrency.
 */

const { db, sql: client, url } = await useTestDatabase();
const config = testConfig();

let concerts = 0;

/** A concert on sale now whose line admits `maxActive` at once. */
async function lineOf(maxActive: number) {
  const { concertId } = await createConcert(db, {
    title: `Admission ${++concerts} ${Date.now()}`,
    artist: 'Testers',
    venue: 'Test Hall',
    dayOffsets: [20],
    sale: { maxActive },
  });
  const seatIds = (
    await db.execute<{ id: number }>(sql`
      SELECT s.id FROM seats s JOIN schedules sc ON sc.id = s.schedule_id WHERE sc.concert_id = ${concertId} ORDER BY s.id`)
  ).map((r) => r.id);
  return { concertId, seatIds };
}

/** `count` admitted fans of the line, each holding one seat with the money to pay for it. */
async function payers(concertId: number, seatIds: number[], count: number) {
  const fans: { fan: TestUser; reservationId: number }[] = [];
  for (let i = 0; i < count; i++) {
    const fan = new TestUser(db, config);
    expect(await fan.join(concertId)).toMatchObject({ status: 'active' });
    await fan.api.wallet.charge({ amount: 1_000_000 });
    const hold = await fan.api.reservation.hold({ seatId: seatIds[i]! });
    fans.push({ fan, reservationId: hold.reservationId });
  }
  return fans;
}

async function waiters(concertId: number, count: number) {
  const fans: TestUser[] = [];
  for (let i = 0; i < count; i++) {
    const fan = new TestUser(db, config);
    expect(await fan.join(concertId)).toMatchObject({ status: 'waiting' });
    fans.push(fan);
  }
  return fans;
}

/** The statuses of these fans' tokens, read without polling (a poll could run a pass itself). */
async function statusesOf(fans: TestUser[]) {
  const rows = await db.execute<{ token: string; status: string }>(
    sql`SELECT token, status FROM queue_tokens WHERE token IN ${fans.map((f) => f.token)}`,
  );
  const byToken = new Map(rows.map((r) => [r.token, r.status]));
  return fans.map((f) => byToken.get(f.token));
}

async function lineState(concertId: number) {
  const [row] = await db.execute<{ active_count: number; pending: number; active: number }>(sql`
    SELECT active_count,
      (SELECT coalesce(sum(delta), 0)::int FROM queue_active_changes WHERE concert_id = ${concertId}) AS pending,
      (SELECT count(*)::int FROM queue_tokens WHERE concert_id = ${concertId} AND status = 'active') AS active
    FROM queue_state WHERE concert_id = ${concertId}`);
  return row!;
}

async function countBreaches() {
  const reports = await checkInvariants(client, config.QUEUE_MAX_ACTIVE);
  return reports.filter((r) => r.breaches.length > 0).map((r) => ({ name: r.name, breaches: r.breaches }));
}

describe('admission after payments', () => {
  it('admits exactly the next N fans, in place order, when N payments end turns at once', async () => {
    const N = 8;
    const { concertId, seatIds } = await lineOf(N);
    const paying = await payers(concertId, seatIds, N);
    const line = await waiters(concertId, N + 5);

    await Promise.all(paying.map(({ fan, reservationId }) => fan.api.payment.pay({ reservationId })));

    expect(await statusesOf(line)).toEqual([...Array<string>(N).fill('active'), ...Array<string>(5).fill('waiting')]);
    const state = await lineState(concertId);
    expect(state.active).toBe(N);
    expect(state.active_count + state.pending).toBe(N);
    expect(await countBreaches()).toEqual([]);
    // Nothing is left to apply: the payments' passes drained every recorded turn end.
    expect(state).toEqual({ active_count: N, pending: 0, active: N });
  });

  it('loses no freed slot while other passes run at the same moments as the payments', async () => {
    const N = 6;
    const { concertId, seatIds } = await lineOf(N);
    const paying = await payers(concertId, seatIds, N);
    const line = await waiters(concertId, N + 3);

    let paid = false;
    // Passes started by others (polls, issues, an operator's page) in a loop, both modes, for as long as payments run.
    const others = Array.from({ length: 4 }, async (_, i) => {
      while (!paid) await admitWaiting(db, config, { concertId, mode: i % 2 === 0 ? 'skip-if-busy' : 'wait' });
    });
    await Promise.all(paying.map(({ fan, reservationId }) => fan.api.payment.pay({ reservationId })));
    paid = true;
    await Promise.all(others);

    expect(await statusesOf(line)).toEqual([...Array<string>(N).fill('active'), ...Array<string>(3).fill('waiting')]);
    expect(await lineState(concertId)).toMatchObject({ active: N });
    expect(await countBreaches()).toEqual([]);
  });

  it('gives a slot freed while a pass runs to the next fan: the payment returns at once, the running pass follows up', async () => {
    const { concertId, seatIds } = await lineOf(2);
    const [payer] = await payers(concertId, seatIds, 1);
    const ranOut = new TestUser(db, config);
    expect(await ranOut.join(concertId)).toMatchObject({ status: 'active' });
    const [first, second] = await waiters(concertId, 2);
    // A pass with work to do (a turn ran out) that will stop at admitting `first`, whose row is held elsewhere.
    await db.execute(sql`UPDATE queue_tokens SET expires_at = now() - interval '1 second' WHERE token = ${ranOut.token}`);
    const locker = postgres(url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let rowLocked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (rowLocked = resolve));
    const locked = locker.begin(async (tx) => {
      await tx`SELECT id FROM queue_tokens WHERE token = ${first!.token} FOR UPDATE`;
      rowLocked();
      await held;
    });
    try {
      await lockTaken;
      const running = admitWaiting(db, config, { concertId, mode: 'wait' });
      await expect
        .poll(async () => {
          const [row] = await db.execute<{ n: number }>(sql`
            SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%admit_line%'`);
          return row!.n;
        })
        .toBe(1);
      // The payment frees a slot while that pass holds the line: its own pass returns at once.
      await payer!.fan.api.payment.pay({ reservationId: payer!.reservationId });
      expect(await statusesOf([first!, second!])).toEqual(['waiting', 'waiting']);
      release();
      await locked;
      await running;
    } finally {
      release();
      await locker.end();
    }
    // The running pass admitted `first` into the run-out turn's slot, then followed up for the payer's.
    expect(await statusesOf([first!, second!])).toEqual(['active', 'active']);
    expect(await lineState(concertId)).toEqual({ active_count: 2, pending: 0, active: 2 });
    expect(await countBreaches()).toEqual([]);
  });

  it('never lets two admitters admit into the same free slots', async () => {
    const cap = 5;
    const rounds = 6;
    const { concertId } = await lineOf(cap);
    // The first five take the slots; then the line waits behind them.
    for (let i = 0; i < cap; i++) expect(await new TestUser(db, config).join(concertId)).toMatchObject({ status: 'active' });
    await waiters(concertId, cap * rounds + 3);
    for (let round = 1; round <= rounds; round++) {
      // Free every slot behind the passes' back: the turns run out, nobody has admitted since.
      await db.execute(
        sql`UPDATE queue_tokens SET expires_at = now() - interval '1 second' WHERE concert_id = ${concertId} AND status = 'active'`,
      );
      const passes = await Promise.all(
        Array.from({ length: 12 }, (_, i) => admitWaiting(db, config, { concertId, mode: i % 3 === 0 ? 'wait' : 'skip-if-busy' })),
      );
      expect(
        passes.reduce((a, b) => a + b, 0),
        `round ${round}`,
      ).toBe(cap);
      expect(await lineState(concertId), `round ${round}`).toMatchObject({ active: cap });
    }
    const [through] = await db.execute<{ admitted_through: number }>(
      sql`SELECT admitted_through::int FROM queue_state WHERE concert_id = ${concertId}`,
    );
    expect(through!.admitted_through).toBe(cap * (rounds + 1));
    expect(await countBreaches()).toEqual([]);
  });

  it('finds a free seat wherever it is, not only after the one the last pass remembered', async () => {
    const { concertId, seatIds } = await lineOf(1);
    const first = new TestUser(db, config);
    expect(await first.join(concertId)).toMatchObject({ status: 'active' });
    const [next] = await waiters(concertId, 1);
    // Every seat from the remembered one on is taken (here: there is none after it); the seats before it are free.
    await db.execute(sql`UPDATE queue_state SET free_seat_hint = ${seatIds.at(-1)! + 1} WHERE concert_id = ${concertId}`);
    await db.execute(sql`UPDATE queue_tokens SET expires_at = now() - interval '1 second' WHERE token = ${first.token}`);
    expect(await admitWaiting(db, config, { concertId, mode: 'wait' })).toBe(1);
    expect(await statusesOf([next!])).toEqual(['active']);
    const [state] = await db.execute<{ no_seat_free: boolean; free_seat_hint: number }>(
      sql`SELECT no_seat_free, free_seat_hint FROM queue_state WHERE concert_id = ${concertId}`,
    );
    expect(state).toEqual({ no_seat_free: false, free_seat_hint: seatIds[0] });
  });

  it('keeps the count exact through every way out of a turn: payment, expiry, an operator’s write, a deleted user', async () => {
    const { concertId, seatIds } = await lineOf(1);
    const [paying] = await payers(concertId, seatIds, 1);
    await waiters(concertId, 6);
    const [expiring, closed, deleted] = await Promise.all(
      [0, 1, 2].map(async () => {
        const fan = new TestUser(db, config);
        await fan.join(concertId);
        return fan;
      }),
    );
    await db.execute(sql`UPDATE queue_tokens SET status = 'active', admitted_at = now(), expires_at = now() + interval '1 minute'
      WHERE token IN (${expiring!.token}, ${closed!.token}, ${deleted!.token}) AND status = 'waiting'`);
    await paying!.fan.api.payment.pay({ reservationId: paying!.reservationId });
    await db.execute(sql`UPDATE queue_tokens SET expires_at = now() - interval '1 second' WHERE token = ${expiring!.token}`);
    await db.execute(sql`UPDATE queue_tokens SET status = 'expired' WHERE token = ${closed!.token}`);
    await db.execute(sql`DELETE FROM users WHERE id = ${deleted!.userId}`);
    expect(await countBreaches()).toEqual([]);
    await admitWaiting(db, config, { concertId, mode: 'wait' });
    const state = await lineState(concertId);
    // Every turn above ended; the pass gave the one slot to the head of the line.
    expect(state).toEqual({ active_count: 1, pending: 0, active: 1 });
    expect(await countBreaches()).toEqual([]);
  });
});

describe('the admission rate shown to waiting fans', () => {
  it('follows a line that admits one fan per pass many times a second (each payment runs a pass)', async () => {
    const { concertId } = await lineOf(1);
    const first = new TestUser(db, config);
    expect(await first.join(concertId)).toMatchObject({ status: 'active' });
    const line = await waiters(concertId, 20);
    const admittedAt = async () =>
      (
        await db.execute<{ at: number }>(
          sql`SELECT extract(epoch FROM last_admitted_at)::float8 AS at FROM queue_state WHERE concert_id = ${concertId}`,
        )
      )[0]!.at;
    // Each turn ends (as a payment ends it) and its pass admits the next fan, as fast as the machine
    // goes: the database's time of each admission is noted.
    const times = [await admittedAt()];
    for (const fan of [first, ...line.slice(0, -1)]) {
      await db.execute(sql`UPDATE queue_tokens SET status = 'done', expires_at = now() WHERE token = ${fan.token}`);
      expect(await admitWaiting(db, config, { concertId, mode: 'wait' })).toBe(1);
      times.push(await admittedAt());
    }
    const [state] = await db.execute<{ admit_rate: number }>(sql`SELECT admit_rate FROM queue_state WHERE concert_id = ${concertId}`);
    // The event rate of these 21 admissions weighed over a 10 s window (each counts 1/10, decaying
    // with its age): about 2 a second when they came within a second or two, whatever the machine's
    // speed makes of their times. Counting each pass against at least one second (as before) read
    // passes less than a second apart as about 1 a second.
    const last = times.at(-1)!;
    const expected = times.reduce((sum, at) => sum + Math.exp(-(last - at) / 10) / 10, 0);
    const spacing = (last - times[0]!) / (times.length - 1);
    console.log(
      `admission rate: ${state!.admit_rate.toFixed(3)}/s measured, ${expected.toFixed(3)}/s expected, passes ${(spacing * 1000).toFixed(0)} ms apart`,
    );
    expect(spacing, 'the passes must come less than a second apart for this test to mean anything').toBeLessThan(1);
    expect(state!.admit_rate).toBeCloseTo(expected, 2);
  });
});
