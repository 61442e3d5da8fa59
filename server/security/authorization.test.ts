import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '@/server/seed';
import type { TRPCError } from '@trpc/server';
import { concertPlan, invitedOperator, signedInOperator } from '@/server/testing/operator';
import { PROCEDURE_POLICIES } from '@/server/http/procedure-policy';
import { useTestDatabase } from '@/server/testing/test-database';
import { admittedUser, expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { QUEUE_TOKEN_COOKIE, QUEUE_TOKEN_HEADER } from '@/server/queue/cookies';
import { appRouter } from '@/server/trpc/root';

const { db } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
beforeAll(() => seedDemoData(db));

/** Every procedure, with an input that would be valid for the victim. */
type Call = (
  u: TestUser,
  ids: { reservationId: number; orderId: number; seatId: number; scheduleId: number; concertId: number; bookingCode: string },
) => Promise<unknown>;
const CALLS: Record<string, Call> = {
  'session.start': (u) => u.api.session.start(),
  'session.me': (u) => u.api.session.me(),
  'health.ping': (u) => u.api.health.ping(),
  'queue.challenge': (u, ids) => u.api.queue.challenge({ concertId: ids.concertId }),
  'queue.issue': (u, ids) => u.api.queue.issue({ concertId: ids.concertId }),
  'queue.status': (u) => u.api.queue.status(),
  'queue.line': (u, ids) => u.api.queue.line({ concertId: ids.concertId }),
  'queue.leave': (u, ids) => u.api.queue.leave({ concertId: ids.concertId }),
  'concert.list': (u) => u.api.concert.list(),
  'concert.dates': (u, ids) => u.api.concert.dates({ concertId: ids.concertId }),
  'concert.seats': (u, ids) => u.api.concert.seats({ scheduleId: ids.scheduleId }),
  'reservation.hold': (u, ids) => u.api.reservation.hold({ seatId: ids.seatId }),
  'reservation.list': (u) => u.api.reservation.list(),
  'reservation.cancel': (u, ids) => u.api.reservation.cancel({ reservationId: ids.reservationId }),
  'wallet.balance': (u) => u.api.wallet.balance(),
  'wallet.charge': (u) => u.api.wallet.charge({ amount: 1 }),
  'wallet.history': (u) => u.api.wallet.history(),
  'payment.pay': (u, ids) => u.api.payment.pay({ reservationId: ids.reservationId }),
  'concert.bestAvailable': (u, ids) => u.api.concert.bestAvailable({ scheduleId: ids.scheduleId, quantity: 2 }),
  'order.hold': (u, ids) => u.api.order.hold({ seatIds: [ids.seatId] }),
  'order.pay': (u, ids) => u.api.order.pay({ orderId: ids.orderId }),
  'order.list': (u) => u.api.order.list(),
  'order.get': (u, ids) => u.api.order.get({ orderId: ids.orderId }),
  'order.cancel': (u, ids) => u.api.order.cancel({ orderId: ids.orderId }),
  'ticket.verify': (u, ids) => u.api.ticket.verify({ code: ids.bookingCode }),
  'ticket.publicKey': (u) => u.api.ticket.publicKey(),
  'ticket.mine': (u) => u.api.ticket.mine(),
  'ticket.get': (u, ids) => u.api.ticket.get({ reference: `${ids.bookingCode}-1` }),
  'ticket.transfer': (u, ids) => u.api.ticket.transfer({ reference: `${ids.bookingCode}-1`, toEmail: 'mallory@example.com' }),
  'ticket.cancelOffer': (u, ids) => u.api.ticket.cancelOffer({ reference: `${ids.bookingCode}-1` }),
  'ticket.doorDates': (u) => u.api.ticket.doorDates(),
  'ticket.lookup': (u, ids) => u.api.ticket.lookup({ scheduleId: ids.scheduleId, code: ids.bookingCode }),
  'ticket.checkIn': (u, ids) => u.api.ticket.checkIn({ scheduleId: ids.scheduleId, gate: 'Gate 1', qr: 'T2.not-a-ticket' }),
  'ticket.undoEntry': (u, ids) => u.api.ticket.undoEntry({ reference: `${ids.bookingCode}-1`, reason: 'a mistake' }),
  'ticket.doorList': (u, ids) => u.api.ticket.doorList({ scheduleId: ids.scheduleId }),
  'ticket.uploadEntries': (u) => u.api.ticket.uploadEntries({ deviceId: 'device-mallory', entries: [] }),
  'ticket.doorCount': (u, ids) => u.api.ticket.doorCount({ scheduleId: ids.scheduleId }),
  'sale.draw': (u, ids) => u.api.sale.draw({ concertId: ids.concertId }),
  // Accounts: a guest can only sign up or in (refused here by their inputs), or ask for a reset link.
  'account.signUp': (u) => u.api.account.signUp({ name: 'Mallory', email: 'mallory@example.com', password: 'short' }),
  'account.signIn': (u) => u.api.account.signIn({ email: 'nobody@example.com', password: 'not the password' }),
  'account.requestPasswordReset': (u) => u.api.account.requestPasswordReset({ email: 'nobody@example.com' }),
  'account.resetPassword': (u) => u.api.account.resetPassword({ token: 'not-a-real-reset-token', password: 'a new long password' }),
  'account.verifyEmail': (u) => u.api.account.verifyEmail({ token: 'not-a-real-verification-token' }),
  'account.resendVerification': (u) => u.api.account.resendVerification(),
  'account.passkeySignUpOptions': (u) => u.api.account.passkeySignUpOptions({ name: 'Mallory', email: 'not an email' }),
  'account.passkeySignUp': (u) => u.api.account.passkeySignUp({ response: { id: 'x' } }),
  'account.passkeySignInOptions': (u) => u.api.account.passkeySignInOptions(),
  'account.passkeySignIn': (u) => u.api.account.passkeySignIn({ response: { id: 'x' } }),
  'account.passkeys': (u) => u.api.account.passkeys(),
  'account.passkeyAddOptions': (u) => u.api.account.passkeyAddOptions(),
  'account.passkeyAdd': (u) => u.api.account.passkeyAdd({ response: { id: 'x' } }),
  'account.passkeyRemove': (u) => u.api.account.passkeyRemove({ passkeyId: crypto.randomUUID() }),
  'account.signOut': (u) => u.api.account.signOut(),
  'account.devices': (u) => u.api.account.devices(),
  'account.signOutDevice': (u) => u.api.account.signOutDevice({ sessionId: 'others' }),
  'account.delete': (u) => u.api.account.delete({ password: 'not the password' }),
  // The operator's console: a fan's session or token opens none of it.
  'admin.login': (u) => u.api.admin.login({ password: 'not-the-operator-password' }),
  'admin.logout': (u) => u.api.admin.logout(),
  'admin.concert.create': (u) => u.api.admin.concert.create(concertPlan()),
  'admin.sale.list': (u) => u.api.admin.sale.list(),
  'admin.sale.stats': (u, ids) => u.api.admin.sale.stats({ concertId: ids.concertId }),
  'admin.sale.history': (u, ids) => u.api.admin.sale.history({ concertId: ids.concertId }),
  'admin.sale.update': (u, ids) => u.api.admin.sale.update({ concertId: ids.concertId, maxActive: 1 }),
  'admin.sale.pause': (u, ids) => u.api.admin.sale.pause({ concertId: ids.concertId }),
  'admin.sale.resume': (u, ids) => u.api.admin.sale.resume({ concertId: ids.concertId }),
  'admin.sale.close': (u, ids) => u.api.admin.sale.close({ concertId: ids.concertId }),
  'admin.audit.list': (u, ids) => u.api.admin.audit.list({ concertId: ids.concertId }),
  'admin.audit.actors': (u) => u.api.admin.audit.actors(),
  'admin.me': (u) => u.api.admin.me(),
  'admin.operator.list': (u) => u.api.admin.operator.list(),
  'admin.operator.invite': (u) => u.api.admin.operator.invite({ email: 'mallory@example.com', role: 'owner' }),
  'admin.operator.setRole': (u) => u.api.admin.operator.setRole({ operatorId: 'owner', role: 'door' }),
  'admin.operator.remove': (u) => u.api.admin.operator.remove({ operatorId: 'owner' }),
  'admin.operator.endSessions': (u) => u.api.admin.operator.endSessions({ operatorId: 'owner' }),
  // The invitee's side needs the mailed token: a guess is an unknown invitation.
  'admin.invitation.view': (u) => u.api.admin.invitation.view({ token: 'a-guessed-invitation-token' }),
  'admin.invitation.accept': (u) =>
    u.api.admin.invitation.accept({ token: 'a-guessed-invitation-token', name: 'Mallory', password: 'a long enough password' }),
};
/** Procedures a stranger may call with no token at all (they reveal nothing of anyone else's). */
const OPEN = new Set([
  'session.start',
  'session.me',
  'health.ping',
  'queue.challenge',
  'queue.issue',
  'concert.list',
  'sale.draw',
  'admin.logout',
  'ticket.publicKey',
  'account.requestPasswordReset',
  'account.passkeySignInOptions',
]);
/** What the account procedures answer a guest: refusals of the input, or "sign in first". */
const ACCOUNT_REFUSALS: Record<string, [TRPCError['code'], string]> = {
  'account.signUp': ['BAD_REQUEST', 'INVALID_INPUT'],
  'account.signIn': ['UNAUTHORIZED', 'SIGN_IN_FAILED'],
  'account.resetPassword': ['BAD_REQUEST', 'LINK_INVALID'],
  'account.verifyEmail': ['BAD_REQUEST', 'LINK_INVALID'],
  'account.passkeySignUpOptions': ['BAD_REQUEST', 'INVALID_INPUT'],
  // No ceremony was started: nothing to check the answer against.
  'account.passkeySignUp': ['BAD_REQUEST', 'PASSKEY_FAILED'],
  'account.passkeySignIn': ['BAD_REQUEST', 'PASSKEY_FAILED'],
};
/** The session alone is enough: a fan's own orders and tickets (another's are NOT_FOUND, checked below). */
const SESSION_ONLY = new Set(['order.list', 'order.get', 'order.cancel', 'ticket.get', 'ticket.cancelOffer']);
/** Lists of one's own: a stranger's is empty. */
const OWN_LISTS = new Set(['order.list', 'ticket.mine']);
/** How a procedure refuses a fan: operator procedures want the operator cookie, whatever token comes with the call. */
const refusalOf = (name: string): [TRPCError['code'], string] =>
  name.startsWith('account.') || name === 'ticket.transfer'
    ? (ACCOUNT_REFUSALS[name] ?? ['UNAUTHORIZED', 'ACCOUNT_REQUIRED'])
    : name === 'admin.login'
      ? ['UNAUTHORIZED', 'OPERATOR_LOGIN_FAILED']
      : name.startsWith('admin.invitation.')
        ? ['NOT_FOUND', 'INVITATION_UNKNOWN']
        : name.startsWith('admin.') || name in ROLE_NEEDED
          ? ['FORBIDDEN', 'OPERATOR_REQUIRED']
          : SESSION_ONLY.has(name)
            ? ['NOT_FOUND', 'NOT_FOUND']
            : ['UNAUTHORIZED', 'TOKEN_INVALID'];

/** The least role each operator procedure needs (server/admin/roles.ts: owner ⊃ manager ⊃ door). */
const ROLE_NEEDED: Record<string, 'owner' | 'manager' | 'door'> = {
  'ticket.verify': 'door',
  'ticket.doorDates': 'door',
  'ticket.lookup': 'door',
  'ticket.checkIn': 'door',
  'ticket.undoEntry': 'manager',
  'ticket.doorList': 'door',
  'ticket.uploadEntries': 'door',
  'ticket.doorCount': 'door',
  'admin.me': 'door',
  'admin.concert.create': 'manager',
  'admin.sale.list': 'manager',
  'admin.sale.stats': 'manager',
  'admin.sale.history': 'manager',
  'admin.sale.update': 'manager',
  'admin.sale.pause': 'manager',
  'admin.sale.resume': 'manager',
  'admin.sale.close': 'manager',
  'admin.operator.list': 'owner',
  'admin.operator.invite': 'owner',
  'admin.operator.setRole': 'owner',
  'admin.operator.remove': 'owner',
  'admin.operator.endSessions': 'owner',
  'admin.audit.list': 'manager',
  'admin.audit.actors': 'owner',
};

describe('authorization', () => {
  it('covers every procedure of the router', () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(CALLS).sort());
  });

  it('gives every operator procedure a role, and refuses the narrower roles with OPERATOR_ROLE_REQUIRED', async () => {
    const operatorProcedures = Object.keys(PROCEDURE_POLICIES).filter((name) => PROCEDURE_POLICIES[name]!.needs === 'operator');
    expect(operatorProcedures.sort()).toEqual(Object.keys(ROLE_NEEDED).sort());
    const owner = await signedInOperator(db, config);
    const [concert] = await owner.api.admin.sale.list();
    const ids = { reservationId: 1, orderId: 1, seatId: 1, scheduleId: 1, concertId: concert!.concertId, bookingCode: 'K7Q-4MZ-92D' };
    for (const role of ['manager', 'door'] as const) {
      const { person } = await invitedOperator(owner, role);
      for (const [name, needed] of Object.entries(ROLE_NEEDED)) {
        if (needed === role || needed === 'door') continue;
        const refused = await expectFailure(CALLS[name]!(person, ids), 'FORBIDDEN', 'OPERATOR_ROLE_REQUIRED').catch((e: Error) => {
          throw new Error(`${name} by ${role}: ${e.message}`);
        });
        expect(refused.cause).toMatchObject({ details: { role: needed } });
      }
    }
  });

  it('refuses another user’s queue token on every procedure that takes one, in the header or the cookie', async () => {
    const alice = await admittedUser(db, config);
    const [concert] = await alice.api.concert.list();
    const [date] = await alice.api.concert.dates({ concertId: concert!.concertId });
    const seat = (await alice.api.concert.seats({ scheduleId: date!.scheduleId }))[0]!;
    const hold = await alice.api.reservation.hold({ seatId: seat.seatId });
    const [order] = await alice.api.order.list();
    const ids = {
      reservationId: hold.reservationId,
      orderId: order!.orderId,
      seatId: seat.seatId,
      scheduleId: date!.scheduleId,
      concertId: concert!.concertId,
      bookingCode: 'K7Q-4MZ-92D',
    };

    for (const via of ['header', 'cookie'] as const) {
      const mallory = await new TestUser(db, config).start();
      if (via === 'header') mallory.headers.set(QUEUE_TOKEN_HEADER, alice.token);
      else mallory.cookies.set(QUEUE_TOKEN_COOKIE, alice.token);
      for (const [name, call] of Object.entries(CALLS)) {
        if (OPEN.has(name) || name === 'queue.issue') continue;
        if (OWN_LISTS.has(name)) {
          expect(await call(mallory, ids)).toEqual([]);
          continue;
        }
        await expectFailure(call(mallory, ids), ...refusalOf(name)).catch((e: Error) => {
          throw new Error(`${name} via ${via}: ${e.message}`);
        });
      }
    }
    expect((await alice.api.reservation.list())[0]).toMatchObject({ reservationId: hold.reservationId, status: 'held' });
  });

  it('never shows or changes another user’s reservation, wallet or token, even with a valid turn of one’s own', async () => {
    const [alice, bob] = [await admittedUser(db, config), await admittedUser(db, config)];
    await alice.api.wallet.charge({ amount: 500_000 });
    const [concert] = await alice.api.concert.list();
    const [date] = await alice.api.concert.dates({ concertId: concert!.concertId });
    const seat = (await alice.api.concert.seats({ scheduleId: date!.scheduleId })).find((s) => s.status === 'available')!;
    const hold = await alice.api.reservation.hold({ seatId: seat.seatId });

    await expectFailure(bob.api.reservation.cancel({ reservationId: hold.reservationId }), 'NOT_FOUND', 'NOT_FOUND');
    await bob.api.wallet.charge({ amount: 500_000 });
    await expectFailure(bob.api.payment.pay({ reservationId: hold.reservationId }), 'NOT_FOUND', 'NOT_FOUND');
    const [order] = await alice.api.order.list();
    await expectFailure(bob.api.order.pay({ orderId: order!.orderId }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(bob.api.order.get({ orderId: order!.orderId }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(bob.api.order.cancel({ orderId: order!.orderId }), 'NOT_FOUND', 'NOT_FOUND');
    expect(await bob.api.order.list()).toEqual([]);
    expect(await bob.api.reservation.list()).toEqual([]);
    expect(await bob.api.wallet.balance()).toEqual({ balance: 500_000 });
    expect((await bob.api.wallet.history()).entries).toHaveLength(1);
    expect((await bob.api.concert.seats({ scheduleId: date!.scheduleId })).find((s) => s.seatId === seat.seatId)).toMatchObject({
      status: 'held',
      mine: false,
    });
    // Issuing returns Bob's own token, never Alice's; status reads his own.
    expect((await bob.api.queue.issue({ concertId: concert!.concertId })).token).toBe(bob.token);

    expect(await alice.api.wallet.balance()).toEqual({ balance: 500_000 });
    expect((await alice.api.reservation.list())[0]).toMatchObject({ status: 'held' });

    // A fan with a turn of their own is no operator: every admin procedure refuses and changes nothing.
    const ids = {
      reservationId: hold.reservationId,
      orderId: order!.orderId,
      seatId: seat.seatId,
      scheduleId: date!.scheduleId,
      concertId: concert!.concertId,
      bookingCode: 'K7Q-4MZ-92D',
    };
    for (const [name, call] of Object.entries(CALLS)) {
      if (!name.startsWith('admin.') || OPEN.has(name)) continue;
      await expectFailure(call(bob, ids), ...refusalOf(name)).catch((e: Error) => {
        throw new Error(`${name}: ${e.message}`);
      });
    }
    const operator = await signedInOperator(db, config);
    expect((await operator.api.admin.sale.list()).find((s) => s.concertId === concert!.concertId)).toMatchObject({
      state: 'open',
      paused: false,
    });
  });
});
