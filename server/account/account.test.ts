import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '@/server/invariants';
import { createConcert } from '@/server/seed';
import { ledgerMismatches } from '@/server/testing/ledger';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { SESSION_COOKIE } from '@/server/session/service';
import { accountCookieNames } from './session-cookies';

const { db, sql: client } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
const names = accountCookieNames(false);
const PASSWORD = 'correct horse battery';

let people = 0;
const newEmail = () => `fan${++people}-${Date.now()}@example.com`;

let concerts = 0;
/** A fan admitted to a concert of its own, with money, who buys `count` seats of it. */
async function guestWhoBought({ count, charge }: { count: number; charge: number }) {
  const { concertId, scheduleIds } = await createConcert(db, {
    title: `Account test ${++concerts}`,
    artist: 'A',
    venue: 'V',
    dayOffsets: [20],
  });
  const seats = await db.execute<{ id: number }>(
    sql`SELECT id FROM seats WHERE schedule_id = ${scheduleIds[0]!} ORDER BY id LIMIT ${count}`,
  );
  const fan = new TestUser(db, config);
  await fan.join(concertId);
  await fan.api.wallet.charge({ amount: charge });
  const order = await fan.api.order.hold({ seatIds: seats.map((s) => s.id) });
  const paid = await fan.api.order.pay({ orderId: order.orderId });
  return { fan, concertId, order, balance: { balance: paid.balance } };
}

const breached = async () => (await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0);

describe('accounts', () => {
  it('a guest with a ticket and a balance signs up and keeps both; the ledger shows the move', async () => {
    const { fan, order, balance } = await guestWhoBought({ count: 1, charge: 300_000 });
    const guestId = fan.userId;
    const email = newEmail();
    const signedUp = await fan.api.account.signUp({ name: 'Minji', email, password: PASSWORD });
    expect(signedUp).toMatchObject({ name: 'Minji', email, adopted: { orders: 1, moved: balance.balance } });
    expect(signedUp.userId).not.toBe(guestId);
    // The browser is now the account: the guest cookie is gone, the account's session and copy are set.
    expect(fan.cookies.get(SESSION_COOKIE)).toBe('');
    expect(fan.cookies.get(names.token)).toBeTruthy();
    expect(fan.cookies.get(names.copy)).toBeTruthy();
    expect(await fan.api.session.me()).toEqual({ userId: signedUp.userId, name: 'Minji', account: { email, emailVerified: false } });
    expect((await fan.api.order.list()).map((o) => o.orderId)).toContain(order.orderId);
    expect(await fan.api.wallet.balance()).toEqual(balance);
    const history = await fan.api.wallet.history({});
    expect(history.entries[0]).toMatchObject({ kind: 'moved_in', amount: balance.balance, balanceAfter: balance.balance });
    expect(await ledgerMismatches(db)).toEqual([]);
    expect(await breached()).toEqual([]);
  });

  it('signing in on a second device shows the same orders; the first keeps its session', async () => {
    const { fan, order } = await guestWhoBought({ count: 2, charge: 400_000 });
    const email = newEmail();
    await fan.api.account.signUp({ name: 'Jiwoo', email, password: PASSWORD });
    const phone = new TestUser(db, config);
    await phone.start();
    await phone.api.account.signIn({ email: email.toUpperCase(), password: PASSWORD });
    const onPhone = await phone.api.order.list();
    expect(onPhone.map((o) => o.orderId)).toEqual([order.orderId]);
    expect((await fan.api.order.list()).map((o) => o.orderId)).toEqual([order.orderId]);
    const devices = await phone.api.account.devices();
    expect(devices).toHaveLength(2);
    expect(devices[0]).toMatchObject({ current: true });
  });

  it('a guest with a balance signs in to an account with one: the sum, with a pair of ledger entries', async () => {
    const email = newEmail();
    const laptop = new TestUser(db, config);
    await laptop.join();
    await laptop.api.wallet.charge({ amount: 50_000 });
    await laptop.api.account.signUp({ name: 'A', email, password: PASSWORD });
    const guest = new TestUser(db, config);
    await guest.join();
    await guest.api.wallet.charge({ amount: 20_000 });
    const guestId = guest.userId;
    await guest.api.account.signIn({ email, password: PASSWORD });
    expect(await guest.api.wallet.balance()).toEqual({ balance: 70_000 });
    const [out] = await db.execute<{ kind: string; amount: number; balance_after: number }>(
      sql`SELECT kind, amount, balance_after FROM ledger_entries WHERE user_id = ${guestId} ORDER BY id DESC LIMIT 1`,
    );
    expect(out).toEqual({ kind: 'moved_out', amount: -20_000, balance_after: 0 });
    expect(await ledgerMismatches(db)).toEqual([]);
  });

  it('the same guest adopted by two sign-ins at once moves once', async () => {
    const email = newEmail();
    await new TestUser(db, config).start().then((u) => u.api.account.signUp({ name: 'B', email, password: PASSWORD }));
    const guest = new TestUser(db, config);
    await guest.join();
    await guest.api.wallet.charge({ amount: 30_000 });
    const twins = [guest.through(db), guest.through(db), guest.through(db)];
    const results = await Promise.allSettled(twins.map((t) => t.api.account.signIn({ email, password: PASSWORD })));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const moved = results.map((r) => (r.status === 'fulfilled' ? r.value.adopted.moved : -1));
    expect(moved.sort()).toEqual([0, 0, 30_000]);
    expect(await twins[0]!.api.wallet.balance()).toEqual({ balance: 30_000 });
    expect(await ledgerMismatches(db)).toEqual([]);
  });

  it('a wrong password and an unknown email get the same refusal', async () => {
    const email = newEmail();
    await new TestUser(db, config).start().then((u) => u.api.account.signUp({ name: 'C', email, password: PASSWORD }));
    await expectFailure(
      new TestUser(db, config).api.account.signIn({ email, password: 'wrong password!' }),
      'UNAUTHORIZED',
      'SIGN_IN_FAILED',
    );
    await expectFailure(
      new TestUser(db, config).api.account.signIn({ email: newEmail(), password: PASSWORD }),
      'UNAUTHORIZED',
      'SIGN_IN_FAILED',
    );
    await expectFailure(new TestUser(db, config).api.account.signUp({ name: 'D', email, password: PASSWORD }), 'CONFLICT', 'EMAIL_TAKEN');
    await expectFailure(
      new TestUser(db, config).api.account.signUp({ name: 'D', email: newEmail(), password: 'short' }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
  });

  it('signing out ends the session on the server: a copied session cookie is refused once its signed copy is gone', async () => {
    const fan = await new TestUser(db, config).start();
    await fan.api.account.signUp({ name: 'E', email: newEmail(), password: PASSWORD });
    const copied = fan.through(db);
    copied.cookies.delete(names.copy); // the thief's copy of the session token alone must ask the database
    expect((await copied.api.session.me()).account).not.toBeNull();
    await fan.api.account.signOut();
    const thief = fan.through(db);
    for (const [name, value] of copied.cookies) thief.cookies.set(name, value);
    thief.cookies.delete(names.copy);
    await expectFailure(thief.api.session.me(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
    await expectFailure(fan.api.session.me(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
  });

  it('deletes an account without its password from a session less than a day old', async () => {
    const fan = await new TestUser(db, config).start();
    const email = newEmail();
    await fan.api.account.signUp({ name: 'G', email, password: PASSWORD });
    await fan.api.account.delete({});
    await expectFailure(new TestUser(db, config).api.account.signIn({ email, password: PASSWORD }), 'UNAUTHORIZED', 'SIGN_IN_FAILED');
  });

  it('signs another device out, and deletes an account keeping its orders whole', async () => {
    const { fan, order } = await guestWhoBought({ count: 1, charge: 200_000 });
    const email = newEmail();
    const { userId } = await fan.api.account.signUp({ name: 'F', email, password: PASSWORD });
    const other = await new TestUser(db, config).start();
    await other.api.account.signIn({ email, password: PASSWORD });
    const [, otherDevice] = await fan.api.account.devices();
    await fan.api.account.signOutDevice({ sessionId: otherDevice!.sessionId });
    other.cookies.delete(names.copy);
    await expectFailure(other.api.session.me(), 'UNAUTHORIZED', 'SESSION_REQUIRED');

    await expectFailure(fan.api.account.delete({ password: 'not the password' }), 'UNAUTHORIZED', 'SIGN_IN_FAILED');
    const copied = fan.through(db);
    await fan.api.account.delete({ password: PASSWORD });
    // A session cookie of the deleted account, replayed once its signed copy is out of date, is refused.
    copied.cookies.delete(names.copy);
    await expectFailure(copied.api.session.me(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
    const [person] = await db.execute<{ name: string; orders: number; email: number }>(sql`
      SELECT u.name, (SELECT count(*)::int FROM orders WHERE user_id = u.id) AS orders,
             (SELECT count(*)::int FROM auth_users WHERE email = ${email}) AS email
      FROM users u WHERE u.id = ${userId}`);
    expect(person).toEqual({ name: 'Deleted account', orders: 1, email: 0 });
    expect(order.orderId).toBeGreaterThan(0);
    expect(await ledgerMismatches(db)).toEqual([]);
  });
});
