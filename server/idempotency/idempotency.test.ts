import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '@/server/seed';
import { ledgerMismatches } from '@/server/testing/ledger';
import { seatPicker } from '@/server/testing/seats';
import { useTestDatabase } from '@/server/testing/test-database';
import { admittedUser, expectFailure, testConfig } from '@/server/testing/test-user';
import { IDEMPOTENCY_KEY_HEADER } from './request-key';

const { db } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
beforeAll(() => seedDemoData(db));

const freeSeatId = seatPicker(db).nextId;

async function ledgerCount(userId: string) {
  const [row] = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ledger_entries WHERE user_id = ${userId}`);
  return row!.n;
}

describe('idempotency keys on wallet.charge', () => {
  it('returns the first result to a retry and adds the money once', async () => {
    const fan = await admittedUser(db, config);
    const first = await fan.api.wallet.charge({ amount: 10_000, idempotencyKey: 'charge-key-0001' });
    const again = await fan.api.wallet.charge({ amount: 10_000, idempotencyKey: 'charge-key-0001' });
    expect(again).toEqual(first);
    expect(await fan.api.wallet.balance()).toEqual({ balance: 10_000 });
    expect(await ledgerCount(fan.userId)).toBe(1);
  });

  it('gives one effect to many concurrent duplicates', async () => {
    const fan = await admittedUser(db, config);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => fan.api.wallet.charge({ amount: 7_000, idempotencyKey: 'charge-key-burst' })),
    );
    expect(new Set(results.map((r) => r.balance))).toEqual(new Set([7_000]));
    expect(await fan.api.wallet.balance()).toEqual({ balance: 7_000 });
    expect(await ledgerCount(fan.userId)).toBe(1);
  });

  it('refuses the same key for a different request, moving nothing', async () => {
    const fan = await admittedUser(db, config);
    await fan.api.wallet.charge({ amount: 1_000, idempotencyKey: 'charge-key-0002' });
    await expectFailure(fan.api.wallet.charge({ amount: 2_000, idempotencyKey: 'charge-key-0002' }), 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED');
    expect(await fan.api.wallet.balance()).toEqual({ balance: 1_000 });
  });

  it('takes the key from the Idempotency-Key header too, and keys are per user', async () => {
    const [alice, bob] = [await admittedUser(db, config), await admittedUser(db, config)];
    alice.headers.set(IDEMPOTENCY_KEY_HEADER, 'shared-key-0001');
    bob.headers.set(IDEMPOTENCY_KEY_HEADER, 'shared-key-0001');
    await alice.api.wallet.charge({ amount: 3_000 });
    await alice.api.wallet.charge({ amount: 3_000 });
    await bob.api.wallet.charge({ amount: 3_000 });
    expect(await alice.api.wallet.balance()).toEqual({ balance: 3_000 });
    expect(await bob.api.wallet.balance()).toEqual({ balance: 3_000 });
    alice.headers.set(IDEMPOTENCY_KEY_HEADER, 'no spaces allowed');
    const error = await expectFailure(alice.api.wallet.charge({ amount: 3_000 }), 'BAD_REQUEST', 'INVALID_INPUT');
    expect(error.cause).toMatchObject({ details: { fieldErrors: { idempotencyKey: [expect.any(String)] } } });
    await expectFailure(alice.api.wallet.charge({ amount: 1, idempotencyKey: 'short' }), 'BAD_REQUEST', 'INVALID_INPUT');
  });
});

describe('idempotency keys on payment.pay', () => {
  it('replays the payment to a retry, also after the payment ended the turn, and refuses the key elsewhere', async () => {
    const fan = await admittedUser(db, config);
    await fan.api.wallet.charge({ amount: 1_000_000 });
    const [a, b] = [
      await fan.api.reservation.hold({ seatId: await freeSeatId() }),
      await fan.api.reservation.hold({ seatId: await freeSeatId() }),
    ];
    const first = await fan.api.payment.pay({ reservationId: a.reservationId, idempotencyKey: 'pay-key-00001' });
    expect(await fan.api.payment.pay({ reservationId: a.reservationId, idempotencyKey: 'pay-key-00001' })).toEqual(first);
    await expectFailure(
      fan.api.payment.pay({ reservationId: b.reservationId, idempotencyKey: 'pay-key-00001' }),
      'CONFLICT',
      'IDEMPOTENCY_KEY_REUSED',
    );
    await fan.api.payment.pay({ reservationId: b.reservationId, idempotencyKey: 'pay-key-00002' }); // ends the turn
    expect(await fan.api.payment.pay({ reservationId: a.reservationId, idempotencyKey: 'pay-key-00001' })).toEqual(first);
    expect(await ledgerMismatches(db)).toEqual([]);
  });

  it('gives one payment to concurrent duplicates', async () => {
    const fan = await admittedUser(db, config);
    await fan.api.wallet.charge({ amount: 500_000 });
    const hold = await fan.api.reservation.hold({ seatId: await freeSeatId() });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => fan.api.payment.pay({ reservationId: hold.reservationId, idempotencyKey: 'pay-key-burst' })),
    );
    expect(new Set(results.map((r) => r.paymentId)).size).toBe(1);
    // (The payment ended the turn, so the wallet is read straight from the database.)
    const [wallet] = await db.execute<{ balance: number }>(sql`SELECT balance FROM wallets WHERE user_id = ${fan.userId}`);
    expect(wallet!.balance).toBe(500_000 - hold.price);
  });

  it('does not burn the key on a refused payment: the retry after charging goes through', async () => {
    const fan = await admittedUser(db, config);
    const hold = await fan.api.reservation.hold({ seatId: await freeSeatId() });
    await expectFailure(
      fan.api.payment.pay({ reservationId: hold.reservationId, idempotencyKey: 'pay-key-retry' }),
      'PAYMENT_REQUIRED',
      'INSUFFICIENT_BALANCE',
    );
    await fan.api.wallet.charge({ amount: hold.price });
    expect(await fan.api.payment.pay({ reservationId: hold.reservationId, idempotencyKey: 'pay-key-retry' })).toMatchObject({ balance: 0 });
  });
});
