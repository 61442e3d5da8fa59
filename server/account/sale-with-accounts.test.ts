import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createConcert } from '@/server/seed';
import { concertPlan, hoursFromNow, signedInOperator } from '@/server/testing/operator';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';

const { db } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000, PURCHASE_MAX_PER_USER: 4, HOLD_MAX_PER_USER: 4 });
const PASSWORD = 'a long password';

let made = 0;
const newEmail = () => `sale${++made}-${Date.now()}@example.com`;

/** A concert of its own; its sale on now unless told otherwise. */
async function concertWith(sale: { audience?: 'everyone' | 'accounts'; prequeueInMinutes?: number; opensInMinutes?: number } = {}) {
  const { concertId, scheduleIds } = await createConcert(db, {
    title: `Accounts sale ${++made}`,
    artist: 'A',
    venue: 'V',
    dayOffsets: [20],
    sale,
  });
  const seats = await db.execute<{ id: number }>(sql`SELECT id FROM seats WHERE schedule_id = ${scheduleIds[0]!} ORDER BY id`);
  return { concertId, seatIds: seats.map((s) => s.id) };
}

async function signedUp() {
  const email = newEmail();
  const fan = await new TestUser(db, config).start();
  await fan.api.account.signUp({ name: 'Fan', email, password: PASSWORD });
  return { fan, email };
}

describe('a sale and its accounts', () => {
  it('an accounts-only sale refuses a guest with a reason of its own and lets the same person in after signing up', async () => {
    const { concertId } = await concertWith({ audience: 'accounts' });
    const guest = await new TestUser(db, config).start();
    await expectFailure(guest.api.queue.issue({ concertId }), 'FORBIDDEN', 'SALE_FOR_ACCOUNTS');
    expect((await guest.api.concert.list()).find((c) => c.concertId === concertId)?.sale?.audience).toBe('accounts');
    await guest.api.account.signUp({ name: 'Now a member', email: newEmail(), password: PASSWORD });
    expect(await guest.api.queue.issue({ concertId })).toMatchObject({ status: 'active' });
  });

  it('the purchase limit counts the account across its devices', async () => {
    const { concertId, seatIds } = await concertWith();
    const { fan: laptop, email } = await signedUp();
    await laptop.api.queue.issue({ concertId });
    await laptop.api.wallet.charge({ amount: 1_000_000 });
    const order = await laptop.api.order.hold({ seatIds: seatIds.slice(0, 3) });
    await laptop.api.order.pay({ orderId: order.orderId });

    const phone = await new TestUser(db, config).start();
    await phone.api.account.signIn({ email, password: PASSWORD });
    await phone.api.queue.issue({ concertId });
    await expectFailure(phone.api.order.hold({ seatIds: seatIds.slice(10, 12) }), 'CONFLICT', 'PURCHASE_LIMIT');
    expect(await phone.api.order.hold({ seatIds: seatIds.slice(10, 11) })).toMatchObject({ status: 'held' });
  });

  it('one live place per line per account: a second device gets the same place', async () => {
    const { concertId } = await concertWith();
    const { fan: laptop, email } = await signedUp();
    const first = await laptop.api.queue.issue({ concertId });
    const phone = await new TestUser(db, config).start();
    await phone.api.account.signIn({ email, password: PASSWORD });
    expect((await phone.api.queue.issue({ concertId })).ticket).toBe(first.ticket);
  });

  it('an account tops up in the pre-queue and reads its balance after buying, without joining a line', async () => {
    const { concertId } = await concertWith({ prequeueInMinutes: -1, opensInMinutes: 30 });
    const { fan } = await signedUp();
    expect(await fan.api.queue.issue({ concertId })).toMatchObject({ status: 'prequeue' });
    expect(await fan.api.wallet.charge({ amount: 200_000 })).toEqual({ balance: 200_000 });
    expect(await fan.api.wallet.balance()).toEqual({ balance: 200_000 });
    expect((await fan.api.wallet.history()).entries).toHaveLength(1);
    // A guest keeps the original rule: its wallet needs a turn.
    const guest = await new TestUser(db, config).start();
    await expectFailure(guest.api.wallet.balance(), 'UNAUTHORIZED', 'TOKEN_INVALID');
  });

  it('the ticket and the door check show the account name', async () => {
    const { concertId, seatIds } = await concertWith();
    const { fan } = await signedUp();
    await fan.api.session.start({ name: 'Kim Minji' });
    await fan.api.queue.issue({ concertId });
    await fan.api.wallet.charge({ amount: 500_000 });
    const order = await fan.api.order.hold({ seatIds: seatIds.slice(20, 21) });
    const paid = await fan.api.order.pay({ orderId: order.orderId });
    const operator = await signedInOperator(db, config);
    expect(await operator.api.ticket.verify({ code: paid.bookingCode })).toMatchObject({ status: 'valid', holderName: 'Kim Minji' });
  });

  it('the operator chooses the audience at creation and may change it until the pre-queue opens', async () => {
    const operator = await signedInOperator(db, config);
    const { concertId } = await operator.api.admin.concert.create(
      concertPlan({ sale: { prequeueOpensAt: hoursFromNow(1), opensAt: hoursFromNow(2), audience: 'accounts' } }),
    );
    expect((await operator.api.admin.sale.update({ concertId, audience: 'everyone' })).audience).toBe('everyone');
    const opened = await concertWith({ prequeueInMinutes: -1, opensInMinutes: 30 });
    await expectFailure(
      operator.api.admin.sale.update({ concertId: opened.concertId, audience: 'accounts' }),
      'CONFLICT',
      'SALE_ALREADY_OPEN',
    );
  });
});
