import { describe, expect, it } from 'vitest';
import { ledgerMismatches } from '@/server/testing/ledger';
import { useTestDatabase } from '@/server/testing/test-database';
import { admittedUser, expectFailure, testConfig } from '@/server/testing/test-user';
import { MAX_BALANCE, MAX_CHARGE } from './service';

const { db } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });

describe('wallet', () => {
  it('charges and reads the balance, with a ledger entry per charge', async () => {
    const fan = await admittedUser(db, config);
    expect(await fan.api.wallet.balance()).toEqual({ balance: 0 });
    expect(await fan.api.wallet.charge({ amount: 50_000 })).toEqual({ balance: 50_000 });
    expect(await fan.api.wallet.charge({ amount: 1 })).toEqual({ balance: 50_001 });
    const { entries, nextCursor } = await fan.api.wallet.history();
    expect(entries.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ['charge', 1, 50_001],
      ['charge', 50_000, 50_000],
    ]);
    expect(nextCursor).toBeNull();
  });

  it('lands every one of many concurrent charges', async () => {
    const fan = await admittedUser(db, config);
    await Promise.all(Array.from({ length: 40 }, () => fan.api.wallet.charge({ amount: 1_000 })));
    expect(await fan.api.wallet.balance()).toEqual({ balance: 40_000 });
    expect(await ledgerMismatches(db)).toEqual([]);
  });

  it('refuses amounts that are not whole won from 1 to 1,000,000, changing nothing', async () => {
    const fan = await admittedUser(db, config);
    for (const amount of [0, -5, 1.5, MAX_CHARGE + 1, Number.POSITIVE_INFINITY]) {
      const error = await expectFailure(fan.api.wallet.charge({ amount }), 'BAD_REQUEST', 'INVALID_INPUT');
      expect(error.cause).toHaveProperty('issues');
    }
    // @ts-expect-error: a string, as an outside client might send
    await expectFailure(fan.api.wallet.charge({ amount: '1000' }), 'BAD_REQUEST', 'INVALID_INPUT');
    expect(await fan.api.wallet.balance()).toEqual({ balance: 0 });
    expect((await fan.api.wallet.history()).entries).toEqual([]);
  });

  it('never lets a balance exceed the maximum', async () => {
    const fan = await admittedUser(db, config);
    await Promise.all(Array.from({ length: MAX_BALANCE / MAX_CHARGE }, () => fan.api.wallet.charge({ amount: MAX_CHARGE })));
    expect(await fan.api.wallet.balance()).toEqual({ balance: MAX_BALANCE });
    const error = await expectFailure(fan.api.wallet.charge({ amount: 1 }), 'BAD_REQUEST', 'BALANCE_LIMIT');
    expect(error.cause).toMatchObject({ details: { maxCharge: 0 } });
    expect(await fan.api.wallet.balance()).toEqual({ balance: MAX_BALANCE });
  });

  it('pages through the history, newest first', async () => {
    const fan = await admittedUser(db, config);
    for (let i = 1; i <= 5; i++) await fan.api.wallet.charge({ amount: i });
    const first = await fan.api.wallet.history({ limit: 2 });
    expect(first.entries.map((e) => e.amount)).toEqual([5, 4]);
    const second = await fan.api.wallet.history({ limit: 2, cursor: first.nextCursor! });
    expect(second.entries.map((e) => e.amount)).toEqual([3, 2]);
    const last = await fan.api.wallet.history({ limit: 2, cursor: second.nextCursor! });
    expect(last).toMatchObject({ entries: [{ amount: 1 }], nextCursor: null });
    await expectFailure(fan.api.wallet.history({ limit: 101 }), 'BAD_REQUEST', 'INVALID_INPUT');
  });
});
