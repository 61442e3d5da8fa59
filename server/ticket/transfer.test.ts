import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '@/server/invariants';
import { createConcert } from '@/server/seed';
import { captureInvitations, signedInOperator } from '@/server/testing/operator';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';

const { db, sql: client } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
const mail = captureInvitations(db);
const PASSWORD = 'correct horse battery';
let people = 0;
const newEmail = () => `transfer${++people}-${Date.now()}@example.com`;
const breached = async () => (await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0);

/** A fan with an account (and a verified email) on a fresh browser. */
async function member(name: string) {
  const fan = new TestUser(db, config);
  const email = newEmail();
  await fan.api.account.signUp({ name, email, password: PASSWORD });
  await db.execute(sql`UPDATE auth_users SET email_verified = true WHERE email = ${email}`);
  return { fan, email, name };
}

let concerts = 0;
/** `buyer` buys `count` seats of a fresh date `days` ahead. */
async function bought(buyer: TestUser, { count = 3, days = 20 } = {}) {
  const { concertId, scheduleIds } = await createConcert(db, {
    title: `Transfer test ${++concerts}`,
    artist: 'A',
    venue: 'V',
    dayOffsets: [days],
  });
  const seats = await db.execute<{ id: number }>(
    sql`SELECT id FROM seats WHERE schedule_id = ${scheduleIds[0]!} ORDER BY id LIMIT ${count}`,
  );
  await buyer.join(concertId);
  await buyer.api.wallet.charge({ amount: 1_000_000 });
  const order = await buyer.api.order.hold({ seatIds: seats.map((s) => s.id) });
  const paid = await buyer.api.order.pay({ orderId: order.orderId });
  const [group] = (await buyer.api.ticket.mine()).filter((g) => g.orderId === order.orderId);
  return { concertId, scheduleId: scheduleIds[0]!, order, paid, tickets: group!.tickets };
}

describe('one ticket per seat', () => {
  it('an order of three seats gives three tickets, each with its own reference and signed QR', async () => {
    const { fan } = await member('Hana');
    const { paid, tickets, scheduleId } = await bought(fan);
    expect(tickets.map((t) => t.reference)).toEqual([1, 2, 3].map((n) => `${paid.bookingCode}-${n}`));
    const details = await Promise.all(tickets.map((t) => fan.api.ticket.get({ reference: t.reference })));
    for (const [i, d] of details.entries()) {
      expect(d).toMatchObject({ state: 'valid', holderName: 'Hana', scheduleId, canTransfer: true, bookingCode: paid.bookingCode });
      expect(d.qr).toMatch(new RegExp(`^T2\\.${paid.bookingCode}-${i + 1}\\.1\\.${scheduleId}\\.\\d+\\.[\\w-]{86}$`));
    }
    expect(new Set(details.map((d) => d.qr)).size).toBe(3);
    // Nobody else sees them.
    const stranger = await new TestUser(db, config).start();
    await expectFailure(stranger.api.ticket.get({ reference: tickets[0]!.reference }), 'NOT_FOUND', 'NOT_FOUND');
    expect(await stranger.api.ticket.mine()).toEqual([]);
  });
});

describe('ticket.transfer', () => {
  it('passes a ticket to a friend: theirs at once, the buyer’s QR refused at the door, the chain of holders kept', async () => {
    const buyer = await member('Minji');
    const friend = await member('Jiwoo');
    const { tickets, scheduleId, concertId } = await bought(buyer.fan);
    const reference = tickets[1]!.reference;
    const before = await buyer.fan.api.ticket.get({ reference });

    expect(await buyer.fan.api.ticket.transfer({ reference, toEmail: friend.email.toUpperCase() })).toEqual({
      outcome: 'transferred',
      reference,
      toEmail: friend.email,
    });
    const theirs = await friend.fan.api.ticket.get({ reference });
    expect(theirs).toMatchObject({ state: 'valid', holderName: 'Jiwoo', orderId: null, canTransfer: true });
    expect(theirs.qr).not.toBe(before.qr);
    expect((await friend.fan.api.ticket.mine()).flatMap((g) => g.tickets.map((t) => t.reference))).toEqual([reference]);
    const given = await buyer.fan.api.ticket.get({ reference });
    expect(given).toMatchObject({ state: 'transferred', qr: null, canTransfer: false });

    const door = await signedInOperator(db, config);
    expect(await door.api.ticket.checkIn({ scheduleId, gate: 'A', qr: before.qr! })).toMatchObject({
      outcome: 'refused',
      reason: 'OLD_QR',
    });
    expect(await door.api.ticket.checkIn({ scheduleId, gate: 'A', qr: theirs.qr! })).toMatchObject({
      outcome: 'admitted',
      ticket: { reference, holderName: 'Jiwoo' },
    });

    // Passed on again by its new holder: the chain is in the audit log.
    const third = await member('Sora');
    const fresh = await member('Dae');
    const { tickets: other } = await bought(third.fan);
    await third.fan.api.ticket.transfer({ reference: other[0]!.reference, toEmail: fresh.email });
    await fresh.fan.api.ticket.transfer({ reference: other[0]!.reference, toEmail: third.email });
    expect(await third.fan.api.ticket.get({ reference: other[0]!.reference })).toMatchObject({ state: 'valid', holderName: 'Sora' });
    const chain = await db.execute<{ after: { holder: string } }>(
      sql`SELECT after FROM audit_log WHERE action = 'ticket.transfer' AND target = ${other[0]!.reference} ORDER BY id`,
    );
    const idOf = async (email: string) => (await db.execute<{ id: string }>(sql`SELECT id FROM auth_users WHERE email = ${email}`))[0]!.id;
    expect(chain.map((e) => e.after.holder)).toEqual([await idOf(fresh.email), await idOf(third.email)]);
    expect(await door.api.ticket.doorCount({ scheduleId })).toEqual({ admitted: 1, tickets: 3 });
    expect(concertId).toBeGreaterThan(0);
    expect(await breached()).toEqual([]);
  });

  it('refuses a guest, oneself, an unknown or deleted account, another’s ticket, after the cut-off, a refunded ticket', async () => {
    const buyer = await member('Yuna');
    const { tickets, order } = await bought(buyer.fan);
    const ref = tickets[0]!.reference;
    const guest = new TestUser(db, config);
    const { tickets: guestTickets } = await bought(guest, { count: 1 });
    const friend = await member('Tae');
    await expectFailure(
      guest.api.ticket.transfer({ reference: guestTickets[0]!.reference, toEmail: friend.email }),
      'UNAUTHORIZED',
      'ACCOUNT_REQUIRED',
    );
    await expectFailure(buyer.fan.api.ticket.transfer({ reference: ref, toEmail: buyer.email }), 'BAD_REQUEST', 'TRANSFER_TO_SELF');
    await expectFailure(
      buyer.fan.api.ticket.transfer({ reference: ref, toEmail: 'nobody-here@example.com' }),
      'NOT_FOUND',
      'RECIPIENT_UNKNOWN',
    );
    await expectFailure(buyer.fan.api.ticket.transfer({ reference: ref, toEmail: 'not an email' }), 'BAD_REQUEST', 'INVALID_INPUT');
    const gone = await member('Gone');
    await gone.fan.api.account.delete({ password: PASSWORD });
    await expectFailure(buyer.fan.api.ticket.transfer({ reference: ref, toEmail: gone.email }), 'NOT_FOUND', 'RECIPIENT_UNKNOWN');
    await expectFailure(friend.fan.api.ticket.transfer({ reference: ref, toEmail: friend.email }), 'NOT_FOUND', 'NOT_FOUND');

    await buyer.fan.api.ticket.transfer({ reference: tickets[1]!.reference, toEmail: friend.email });
    await expectFailure(
      buyer.fan.api.ticket.transfer({ reference: tickets[1]!.reference, toEmail: friend.email }),
      'CONFLICT',
      'TICKET_NOT_HELD',
    );

    await buyer.fan.api.order.cancel({ orderId: order.orderId });
    await expectFailure(buyer.fan.api.ticket.transfer({ reference: ref, toEmail: friend.email }), 'CONFLICT', 'TICKET_NOT_TRANSFERABLE');

    const late = await bought(buyer.fan, { count: 1 });
    await db.execute(sql`UPDATE schedules SET starts_at = now() + interval '90 minutes' WHERE id = ${late.scheduleId}`);
    await expectFailure(
      buyer.fan.api.ticket.transfer({ reference: late.tickets[0]!.reference, toEmail: friend.email }),
      'CONFLICT',
      'TRANSFER_CLOSED',
    );
    expect(await buyer.fan.api.ticket.get({ reference: late.tickets[0]!.reference })).toMatchObject({ canTransfer: false, state: 'valid' });
    expect(await breached()).toEqual([]);
  });

  it('two transfers of one ticket at once: one friend gets it, never two holders', async () => {
    const buyer = await member('Eun');
    const [a, b] = [await member('A'), await member('B')];
    const { tickets } = await bought(buyer.fan, { count: 1 });
    const reference = tickets[0]!.reference;
    const results = await Promise.allSettled([
      buyer.fan.api.ticket.transfer({ reference, toEmail: a.email }),
      buyer.fan.api.ticket.transfer({ reference, toEmail: b.email }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const holders = await db.execute<{ holder_id: string }>(sql`SELECT holder_id FROM tickets WHERE reference = ${reference}`);
    expect(holders).toHaveLength(1);
    const mine = async (fan: TestUser) => (await fan.api.ticket.mine()).flatMap((g) => g.tickets).filter((t) => t.state === 'valid');
    expect((await mine(a.fan)).length + (await mine(b.fan)).length).toBe(1);
    expect(await breached()).toEqual([]);
  });

  it('offers a ticket to an address with no account: mailed, the QR off meanwhile, claimed once they sign up and verify', async () => {
    const buyer = await member('Bora');
    const { tickets, scheduleId } = await bought(buyer.fan, { count: 2 });
    const reference = tickets[0]!.reference;
    const { qr } = await buyer.fan.api.ticket.get({ reference });
    const email = newEmail();
    const offered = await buyer.fan.api.ticket.transfer({ reference, toEmail: email, offerIfNoAccount: true });
    expect(offered).toMatchObject({ outcome: 'offered', toEmail: email, expiresAt: expect.any(String) });
    expect(mail.findLast((m) => m.to === email)?.text).toContain('/account/sign-up');
    expect(await buyer.fan.api.ticket.get({ reference })).toMatchObject({ state: 'offered', qr: null, transfer: { toEmail: email } });
    const door = await signedInOperator(db, config);
    expect(await door.api.ticket.checkIn({ scheduleId, gate: 'A', qr: qr! })).toMatchObject({ outcome: 'refused', reason: 'OLD_QR' });

    // Signed up but not verified: nothing yet. Verified: theirs.
    const friend = new TestUser(db, config);
    await friend.api.account.signUp({ name: 'New friend', email, password: PASSWORD });
    expect(await friend.api.ticket.mine()).toEqual([]);
    await db.execute(sql`UPDATE auth_users SET email_verified = true WHERE email = ${email}`);
    expect((await friend.api.ticket.mine()).flatMap((g) => g.tickets)).toEqual([expect.objectContaining({ reference, state: 'valid' })]);
    expect(await buyer.fan.api.ticket.get({ reference })).toMatchObject({ state: 'transferred' });

    // A cancelled offer leaves the ticket with the giver, a new QR working.
    const second = tickets[1]!.reference;
    await buyer.fan.api.ticket.transfer({ reference: second, toEmail: newEmail(), offerIfNoAccount: true });
    const back = await buyer.fan.api.ticket.cancelOffer({ reference: second });
    expect(back).toMatchObject({ state: 'valid', transfer: null, qr: expect.stringMatching(/^T2\./) });
    expect(await door.api.ticket.checkIn({ scheduleId, gate: 'A', qr: back.qr! })).toMatchObject({ outcome: 'admitted' });
    expect(await breached()).toEqual([]);
  });

  it('an expired offer leaves the ticket with the giver and can no longer be claimed', async () => {
    const buyer = await member('Ara');
    const { tickets } = await bought(buyer.fan, { count: 1 });
    const reference = tickets[0]!.reference;
    const email = newEmail();
    await buyer.fan.api.ticket.transfer({ reference, toEmail: email, offerIfNoAccount: true });
    await db.execute(sql`UPDATE ticket_transfers SET expires_at = now() - interval '1 second' WHERE to_email = ${email}`);
    expect(await buyer.fan.api.ticket.get({ reference })).toMatchObject({ state: 'valid', transfer: null, canTransfer: true });
    const late = new TestUser(db, config);
    await late.api.account.signUp({ name: 'Late', email, password: PASSWORD });
    await db.execute(sql`UPDATE auth_users SET email_verified = true WHERE email = ${email}`);
    expect(await late.api.ticket.mine()).toEqual([]);
  });
});

describe('refunds with tickets passed on', () => {
  it('refunds only the tickets the buyer still holds; the friend’s ticket keeps its seat', async () => {
    const buyer = await member('Jun');
    const friend = await member('Min');
    const { order, tickets, scheduleId } = await bought(buyer.fan, { count: 3 });
    await buyer.fan.api.ticket.transfer({ reference: tickets[2]!.reference, toEmail: friend.email });
    const seatPrice = tickets[0]!.price + tickets[1]!.price;
    const refund = await buyer.fan.api.order.cancel({ orderId: order.orderId });
    expect(refund).toMatchObject({ status: 'refunded', refunded: seatPrice });
    expect((await buyer.fan.api.order.get({ orderId: order.orderId })).tickets.map((t) => t.state)).toEqual([
      'refunded',
      'refunded',
      'transferred',
    ]);
    const kept = await friend.fan.api.ticket.get({ reference: tickets[2]!.reference });
    expect(kept.state).toBe('valid');
    const door = await signedInOperator(db, config);
    expect(await door.api.ticket.checkIn({ scheduleId, gate: 'B', qr: kept.qr! })).toMatchObject({ outcome: 'admitted' });
    // The friend's seat stays sold; the refunded two are back on sale.
    const seats = await db.execute<{ status: string }>(
      sql`SELECT status FROM reservations WHERE order_id = ${order.orderId} ORDER BY seat_id`,
    );
    expect(seats.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'confirmed']);
    expect(await breached()).toEqual([]);

    // Everything given away: nothing to refund.
    const all = await bought(buyer.fan, { count: 1 });
    await buyer.fan.api.ticket.transfer({ reference: all.tickets[0]!.reference, toEmail: friend.email });
    await expectFailure(buyer.fan.api.order.cancel({ orderId: all.order.orderId }), 'CONFLICT', 'NOTHING_TO_REFUND');
    expect(await breached()).toEqual([]);
  });
});
