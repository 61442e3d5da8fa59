import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as schema from '@/db/schema';
import { seedDemoData } from '@/server/seed';
import { admitWaiting } from '@/server/queue/admission';
import { emptyLine, runOutHold } from '@/server/testing/clock';
import { ledgerMismatches } from '@/server/testing/ledger';
import { seatPicker } from '@/server/testing/seats';
import { useTestDatabase } from '@/server/testing/test-database';
import { admittedUser, expectFailure, testConfig, TestUser } from '@/server/testing/test-user';

const { db, directUrl } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
beforeAll(() => seedDemoData(db));

const seats = seatPicker(db);
const freeSeatId = seats.nextId;

/** An admitted fan holding a fresh seat, with `balance` in the wallet. */
async function fanHolding(balance: number) {
  const fan = await admittedUser(db, config);
  if (balance > 0) await fan.api.wallet.charge({ amount: balance });
  const hold = await fan.api.reservation.hold({ seatId: await freeSeatId() });
  return { fan, hold };
}

async function countRows(table: 'payments' | 'ledger_entries', reservationId?: number) {
  const [row] = reservationId
    ? await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM payments WHERE reservation_id = ${reservationId}`)
    : await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`);
  return row!.n;
}

describe('payment.pay', () => {
  it('deducts the price, records payment and ledger, sells the seat and ends the turn', async () => {
    const { fan, hold } = await fanHolding(200_000);
    const paid = await fan.api.payment.pay({ reservationId: hold.reservationId });
    expect(paid).toEqual({
      paymentId: expect.any(Number),
      reservationId: hold.reservationId,
      amount: hold.price,
      balance: 200_000 - hold.price,
    });
    const [ticket] = await db.execute<{ status: string }>(sql`SELECT status FROM reservations WHERE id = ${hold.reservationId}`);
    expect(ticket!.status).toBe('confirmed');
    expect(await fan.api.queue.status()).toMatchObject({ status: 'expired' });

    const other = await admittedUser(db, config);
    const [schedule] = await db.execute<{ id: number }>(sql`SELECT schedule_id AS id FROM seats WHERE id = ${hold.seatId}`);
    const seat = (await other.api.concert.seats({ scheduleId: schedule!.id })).find((s) => s.seatId === hold.seatId);
    expect(seat).toMatchObject({ status: 'sold', mine: false });
    await expectFailure(other.api.reservation.hold({ seatId: hold.seatId }), 'CONFLICT', 'SEAT_UNAVAILABLE');
    expect(await ledgerMismatches(db)).toEqual([]);
  });

  it('returns the first payment when a paid reservation is paid again, charging nothing', async () => {
    const { fan, hold } = await fanHolding(500_000);
    const first = await fan.api.payment.pay({ reservationId: hold.reservationId });
    const again = await fan.api.payment.pay({ reservationId: hold.reservationId });
    expect(again).toEqual(first);
    expect(await countRows('payments', hold.reservationId)).toBe(1);
  });

  it('replays a payment with the balance right after it, even once the balance has changed', async () => {
    const { fan, hold } = await fanHolding(500_000);
    const first = await fan.api.payment.pay({ reservationId: hold.reservationId, idempotencyKey: 'replay-balance-1' });
    expect(first.balance).toBe(500_000 - hold.price);
    // Paying ended the turn: back through the line to charge more.
    await fan.join();
    await fan.api.wallet.charge({ amount: 70_000 });
    expect(await fan.api.wallet.balance()).toEqual({ balance: first.balance + 70_000 });
    expect(await fan.api.payment.pay({ reservationId: hold.reservationId })).toEqual(first);
    expect(await fan.api.payment.pay({ reservationId: hold.reservationId, idempotencyKey: 'replay-balance-1' })).toEqual(first);
    expect(await fan.api.payment.pay({ reservationId: hold.reservationId, idempotencyKey: 'replay-balance-2' })).toEqual(first);
    expect(await countRows('payments', hold.reservationId)).toBe(1);
    expect(await fan.api.wallet.balance()).toEqual({ balance: first.balance + 70_000 });
  });

  it('charges once when the same reservation is paid many times at once', async () => {
    const { fan, hold } = await fanHolding(500_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => fan.api.payment.pay({ reservationId: hold.reservationId })));
    expect(new Set(results.map((r) => r.paymentId)).size).toBe(1);
    expect(await countRows('payments', hold.reservationId)).toBe(1);
    const [wallet] = await db.execute<{ balance: number }>(sql`SELECT balance FROM wallets WHERE user_id = ${fan.userId}`);
    expect(wallet!.balance).toBe(500_000 - hold.price);
    expect(await ledgerMismatches(db)).toEqual([]);
  });

  it('pays exactly one of two holds paid at once from a balance that covers one', async () => {
    const fan = await admittedUser(db, config);
    const a = await fan.api.reservation.hold({ seatId: await freeSeatId() });
    const b = await fan.api.reservation.hold({ seatId: await freeSeatId() });
    await fan.api.wallet.charge({ amount: Math.max(a.price, b.price) });
    const results = await Promise.allSettled([
      fan.api.payment.pay({ reservationId: a.reservationId }),
      fan.api.payment.pay({ reservationId: b.reservationId }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'PAYMENT_REQUIRED', cause: { reason: 'INSUFFICIENT_BALANCE' } });
    const [wallet] = await db.execute<{ balance: number }>(sql`SELECT balance FROM wallets WHERE user_id = ${fan.userId}`);
    expect(wallet!.balance).toBeGreaterThanOrEqual(0);
    expect(await ledgerMismatches(db)).toEqual([]);
  });

  it('refuses a short balance with the shortfall, changing nothing', async () => {
    const { fan, hold } = await fanHolding(1_000);
    const error = await expectFailure(
      fan.api.payment.pay({ reservationId: hold.reservationId }),
      'PAYMENT_REQUIRED',
      'INSUFFICIENT_BALANCE',
    );
    expect(error.cause).toMatchObject({ details: { balance: 1_000, price: hold.price, shortfall: hold.price - 1_000 } });
    expect(await fan.api.wallet.balance()).toEqual({ balance: 1_000 });
    expect((await fan.api.reservation.list())[0]).toMatchObject({ status: 'held' });
    // Charging the shortfall keeps the hold, and then the payment goes through.
    await fan.api.wallet.charge({ amount: hold.price - 1_000 });
    expect(await fan.api.payment.pay({ reservationId: hold.reservationId })).toMatchObject({ balance: 0 });
  });

  it('refuses an expired hold, which frees its seat', async () => {
    const { fan, hold } = await fanHolding(500_000);
    await runOutHold(db, hold.reservationId);
    await expectFailure(fan.api.payment.pay({ reservationId: hold.reservationId }), 'CONFLICT', 'RESERVATION_EXPIRED');
    expect(await fan.api.wallet.balance()).toEqual({ balance: 500_000 });
    const other = await admittedUser(db, config);
    await other.api.reservation.hold({ seatId: hold.seatId });
  });

  it('refuses a cancelled hold, and another user’s or an unknown reservation', async () => {
    const { fan, hold } = await fanHolding(500_000);
    const thief = await admittedUser(db, config);
    await thief.api.wallet.charge({ amount: 500_000 });
    await expectFailure(thief.api.payment.pay({ reservationId: hold.reservationId }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(thief.api.payment.pay({ reservationId: 987_654_321 }), 'NOT_FOUND', 'NOT_FOUND');
    await fan.api.reservation.cancel({ reservationId: hold.reservationId });
    await expectFailure(fan.api.payment.pay({ reservationId: hold.reservationId }), 'CONFLICT', 'RESERVATION_EXPIRED');
    expect(await thief.api.wallet.balance()).toEqual({ balance: 500_000 });
  });

  it('needs an active token to pay, but not to replay a finished payment', async () => {
    const { fan, hold } = await fanHolding(500_000);
    const noToken = new TestUser(db, config);
    noToken.cookies.set('sid', fan.cookies.get('sid')!);
    await expectFailure(noToken.api.payment.pay({ reservationId: hold.reservationId }), 'UNAUTHORIZED', 'TOKEN_INVALID');
    const first = await fan.api.payment.pay({ reservationId: hold.reservationId });
    expect(await noToken.api.payment.pay({ reservationId: hold.reservationId })).toEqual(first);
  });

  it('admits the next in line when a payment ends a turn', async () => {
    const solo = testConfig({ QUEUE_MAX_ACTIVE: 1 });
    await emptyLine(db);
    const first = await admittedUser(db, solo);
    await first.api.wallet.charge({ amount: 200_000 });
    const hold = await first.api.reservation.hold({ seatId: await freeSeatId() });
    const second = new TestUser(db, solo);
    expect(await second.join()).toMatchObject({ status: 'waiting', position: 1 });
    await first.api.payment.pay({ reservationId: hold.reservationId });
    expect(await second.api.queue.status()).toMatchObject({ status: 'active' });
  });
});

describe('the admission pass after a payment', () => {
  /** Connections that give up a lock wait after 300 ms (the app's own wait 5 s): straight to the server, since a pooler refuses the start-up parameter. */
  const impatient = postgres(directUrl, { max: 4, onnotice: () => {}, connection: { lock_timeout: 300 } });
  const impatientDb = drizzle(impatient, { schema });
  afterAll(() => impatient.end());

  async function soloLine() {
    const solo = testConfig({ QUEUE_MAX_ACTIVE: 1 });
    await emptyLine(db);
    const payer = await admittedUser(db, solo);
    await payer.api.wallet.charge({ amount: 200_000 });
    const hold = await payer.api.reservation.hold({ seatId: await freeSeatId() });
    const next = new TestUser(db, solo);
    expect(await next.join()).toMatchObject({ status: 'waiting', position: 1 });
    return { solo, payer, hold, next };
  }

  it('never reports a committed payment as failed: a failing pass is logged, and the next poll admits', async () => {
    const { solo, payer, hold, next } = await soloLine();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    // The pass will have to admit `next`, whose token row another transaction keeps locked: the pass fails.
    const locker = postgres(directUrl, { max: 1, onnotice: () => {} });
    const paid = await locker
      .begin(async (tx) => {
        await tx`SELECT id FROM queue_tokens WHERE token = ${next.token} FOR UPDATE`;
        const impatientPayer = new TestUser(impatientDb, solo);
        for (const [name, value] of payer.cookies) impatientPayer.cookies.set(name, value);
        return impatientPayer.api.payment.pay({ reservationId: hold.reservationId });
      })
      .finally(() => locker.end());
    const messages = logged.mock.calls.map((args) => String(args[0]));
    logged.mockRestore();
    expect(messages).toEqual([expect.stringMatching(/Admission pass after a turn ended failed/)]);

    expect(paid).toMatchObject({ reservationId: hold.reservationId, amount: hold.price, balance: 200_000 - hold.price });
    expect(await countRows('payments', hold.reservationId)).toBe(1);
    const [wallet] = await db.execute<{ balance: number }>(sql`SELECT balance FROM wallets WHERE user_id = ${payer.userId}`);
    expect(wallet!.balance).toBe(200_000 - hold.price);
    expect(await ledgerMismatches(db)).toEqual([]);
    // The slot is not stranded: the next poll runs the pass.
    expect(await next.api.queue.status()).toMatchObject({ status: 'active' });
  });

  it('gives the freed slot to the next fan at once even when another pass is running at that moment', async () => {
    for (let round = 0; round < 15; round++) {
      const { solo, payer, hold, next } = await soloLine();
      // Passes started by others (polls, issues) race the payment's own pass.
      const others = Array.from({ length: 4 }, () => admitWaiting(db, solo, { concertId: payer.concertId, mode: 'wait' }));
      await payer.api.payment.pay({ reservationId: hold.reservationId });
      await Promise.all(others);
      // Read without polling: the slot went to the next fan without anyone asking.
      const [row] = await db.execute<{ status: string }>(sql`SELECT status FROM queue_tokens WHERE token = ${next.token}`);
      expect(row!.status, `round ${round}`).toBe('active');
    }
  });
});
