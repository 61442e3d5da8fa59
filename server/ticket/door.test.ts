import { webcrypto } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '@/server/invariants';
import { createConcert } from '@/server/seed';
import { invitedOperator, signedInOperator } from '@/server/testing/operator';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';

const { db, sql: client } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000, RATE_LIMIT_PER_MINUTE: 1000, OPERATOR_SIGN_IN_PER_MINUTE: 1000 });
const owner = await signedInOperator(db, config);
const breached = async () => (await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0);

let concerts = 0;
/** A guest who bought `count` seats of a fresh concert with two dates; their tickets with QR codes. */
async function ticketsBought(count = 2) {
  const { concertId, scheduleIds } = await createConcert(db, {
    title: `Door test ${++concerts}`,
    artist: 'A',
    venue: 'V',
    dayOffsets: [20, 21],
  });
  const seats = await db.execute<{ id: number }>(
    sql`SELECT id FROM seats WHERE schedule_id = ${scheduleIds[0]!} ORDER BY id LIMIT ${count}`,
  );
  const fan = new TestUser(db, config);
  await fan.start('Holder');
  await fan.join(concertId);
  await fan.api.wallet.charge({ amount: 1_000_000 });
  const order = await fan.api.order.hold({ seatIds: seats.map((s) => s.id) });
  const paid = await fan.api.order.pay({ orderId: order.orderId });
  const [group] = await fan.api.ticket.mine();
  const tickets = await Promise.all(group!.tickets.map((t) => fan.api.ticket.get({ reference: t.reference })));
  return { fan, order, paid, tickets, scheduleId: scheduleIds[0]!, otherDate: scheduleIds[1]! };
}

describe('ticket.checkIn', () => {
  it('lets a signed QR in once; a second scan says when and at which gate it was used', async () => {
    const { tickets, scheduleId } = await ticketsBought();
    const qr = tickets[0]!.qr!;
    const first = await owner.api.ticket.checkIn({ scheduleId, gate: 'Gate 2', qr });
    expect(first).toMatchObject({
      outcome: 'admitted',
      ticket: { reference: tickets[0]!.reference, seat: tickets[0]!.seat, holderName: 'Holder', state: 'used', entry: { gate: 'Gate 2' } },
    });
    const again = await owner.api.ticket.checkIn({ scheduleId, gate: 'Gate 5', qr });
    expect(again).toMatchObject({
      outcome: 'already_used',
      ticket: { entry: { gate: 'Gate 2', at: first.ticket!.entry!.at, source: 'online' } },
    });
    expect(await owner.api.ticket.doorCount({ scheduleId })).toEqual({ admitted: 1, tickets: 2 });
  });

  it('two gates scanning one ticket at the same instant let it in once', async () => {
    const { tickets, scheduleId } = await ticketsBought(1);
    const gates = ['1', '2', '3', '4', '5', '6'];
    const answers = await Promise.all(gates.map((gate) => owner.api.ticket.checkIn({ scheduleId, gate, qr: tickets[0]!.qr! })));
    expect(answers.filter((a) => a.outcome === 'admitted')).toHaveLength(1);
    expect(answers.filter((a) => a.outcome === 'already_used')).toHaveLength(gates.length - 1);
    const entries = await db.execute(
      sql`SELECT 1 FROM ticket_entries e JOIN tickets t ON t.id = e.ticket_id WHERE t.reference = ${tickets[0]!.reference}`,
    );
    expect(entries).toHaveLength(1);
    expect(await breached()).toEqual([]);
  });

  it('refuses a forged, altered or other-date QR, a refunded ticket, and a typed code without the name checked', async () => {
    const { fan, order, tickets, scheduleId, otherDate, paid } = await ticketsBought();
    const qr = tickets[0]!.qr!;
    const parts = qr.split('.');
    const flip = (s: string) => (s[10] === 'A' ? 'B' : 'A');
    const forged = [...parts.slice(0, 5), parts[5]!.slice(0, 10) + flip(parts[5]!) + parts[5]!.slice(11)].join('.');
    const otherSeat = [...parts.slice(0, 4), String(Number(parts[4]) + 1), parts[5]].join('.');
    const otherSerial = [parts[0], parts[1], '2', ...parts.slice(3)].join('.');
    for (const bad of [forged, otherSeat, otherSerial]) {
      expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: bad })).toEqual({
        outcome: 'refused',
        reason: 'FORGED',
        ticket: null,
      });
    }
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: 'hello' })).toMatchObject({ outcome: 'refused', reason: 'UNKNOWN' });
    expect(await owner.api.ticket.checkIn({ scheduleId: otherDate, gate: 'A', qr })).toMatchObject({
      outcome: 'refused',
      reason: 'OTHER_DATE',
    });
    // A typed booking code alone lets nobody in: the reference path needs the holder's name checked.
    await expectFailure(
      owner.api.ticket.checkIn({ scheduleId, gate: 'A', reference: paid.bookingCode } as never),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', reference: paid.bookingCode, holderChecked: true })).toMatchObject({
      outcome: 'refused',
      reason: 'UNKNOWN',
    });
    const found = await owner.api.ticket.lookup({ scheduleId, code: paid.bookingCode.toLowerCase() });
    expect(found.tickets.map((t) => [t.reference, t.holderName, t.state])).toEqual(tickets.map((t) => [t.reference, 'Holder', 'valid']));
    expect(await owner.api.ticket.lookup({ scheduleId, code: tickets[1]!.reference })).toMatchObject({
      tickets: [{ reference: tickets[1]!.reference }],
    });
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', reference: tickets[1]!.reference, holderChecked: true })).toMatchObject({
      outcome: 'admitted',
    });

    // A used ticket is not refunded with its order: the refund covers the other one.
    expect(await fan.api.order.cancel({ orderId: order.orderId })).toMatchObject({ status: 'refunded', refunded: tickets[0]!.price });
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr })).toMatchObject({ outcome: 'refused', reason: 'REFUNDED' });
    const refundable = await ticketsBought(1);
    await refundable.fan.api.order.cancel({ orderId: refundable.order.orderId });
    expect(await owner.api.ticket.checkIn({ scheduleId: refundable.scheduleId, gate: 'A', qr: refundable.tickets[0]!.qr! })).toMatchObject({
      outcome: 'refused',
      reason: 'REFUNDED',
    });
    expect(await breached()).toEqual([]);
  });

  it('is the door’s: a fan gets 403, and only a manager undoes an entry, on the record', async () => {
    const { fan, tickets, scheduleId } = await ticketsBought(1);
    const reference = tickets[0]!.reference;
    await expectFailure(fan.api.ticket.checkIn({ scheduleId, gate: 'A', qr: tickets[0]!.qr! }), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    await expectFailure(fan.api.ticket.doorList({ scheduleId }), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    await expectFailure(fan.api.ticket.uploadEntries({ deviceId: 'device-123', entries: [] }), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    const door = (await invitedOperator(owner, 'door')).person;
    expect(await door.api.ticket.checkIn({ scheduleId, gate: 'East', qr: tickets[0]!.qr! })).toMatchObject({ outcome: 'admitted' });
    await expectFailure(door.api.ticket.undoEntry({ reference, reason: 'scanned the wrong phone' }), 'FORBIDDEN', 'OPERATOR_ROLE_REQUIRED');
    const manager = (await invitedOperator(owner, 'manager', 'Manager Kim')).person;
    expect(await manager.api.ticket.undoEntry({ reference, reason: 'scanned the wrong phone' })).toMatchObject({
      state: 'valid',
      entry: null,
    });
    const [undo] = await db.execute<{ actor_name: string; before: { gate: string }; after: { reason: string } }>(
      sql`SELECT actor_name, before, after FROM audit_log WHERE action = 'ticket.undoEntry' AND target = ${reference}`,
    );
    expect(undo).toMatchObject({ actor_name: 'Manager Kim', before: { gate: 'East' }, after: { reason: 'scanned the wrong phone' } });
    expect(await door.api.ticket.checkIn({ scheduleId, gate: 'West', qr: tickets[0]!.qr! })).toMatchObject({ outcome: 'admitted' });
    await expectFailure(manager.api.ticket.undoEntry({ reference: 'AAA-AAA-AAA-1', reason: 'x' }), 'NOT_FOUND', 'NOT_FOUND');
  });
});

describe('the door offline', () => {
  const subtle = webcrypto.subtle;
  const verifyWith = async (publicKey: string, text: string, signature: string) => {
    const key = await subtle.importKey('raw', Buffer.from(publicKey, 'base64url'), { name: 'Ed25519' }, false, ['verify']);
    return subtle.verify('Ed25519', key, Buffer.from(signature, 'base64url'), new TextEncoder().encode(text));
  };

  it('checks a QR and the date’s ticket list against the published key with WebCrypto, as a device does; an altered one fails', async () => {
    const { tickets, scheduleId } = await ticketsBought();
    const anyone = new TestUser(db, config);
    const { publicKey, algorithm, keyId } = await anyone.api.ticket.publicKey();
    expect(algorithm).toBe('Ed25519');
    const qr = tickets[0]!.qr!;
    const cut = qr.lastIndexOf('.');
    expect(await verifyWith(publicKey, qr.slice(0, cut), qr.slice(cut + 1))).toBe(true);
    expect(await verifyWith(publicKey, qr.slice(0, cut).replace('.1.', '.2.'), qr.slice(cut + 1))).toBe(false);

    const list = await owner.api.ticket.doorList({ scheduleId });
    expect(list.keyId).toBe(keyId);
    expect(await verifyWith(publicKey, list.payload, list.signature)).toBe(true);
    expect(await verifyWith(publicKey, list.payload.replace('Holder', 'Holdex'), list.signature)).toBe(false);
    const payload = JSON.parse(list.payload);
    expect(payload).toMatchObject({
      version: 1,
      scheduleId,
      tickets: tickets.map((t) => ({ reference: t.reference, serial: 1, holderName: 'Holder', state: 'valid' })),
    });
  });

  it('uploads a device’s entries once, and reports a ticket two devices let in', async () => {
    const { tickets, scheduleId } = await ticketsBought(2);
    const scannedAt = new Date().toISOString();
    const entry = (localId: string, i: number) => ({ localId, scheduleId, gate: 'North', scannedAt, qr: tickets[i]!.qr! });
    const first = await owner.api.ticket.uploadEntries({ deviceId: 'device-aaaa', entries: [entry('1', 0), entry('2', 1)] });
    expect(first.results).toEqual([
      { localId: '1', outcome: 'recorded' },
      { localId: '2', outcome: 'recorded' },
    ]);
    expect(await owner.api.ticket.uploadEntries({ deviceId: 'device-aaaa', entries: [entry('1', 0)] })).toEqual({
      results: [{ localId: '1', outcome: 'already_recorded' }],
    });
    const second = await owner.api.ticket.uploadEntries({ deviceId: 'device-bbbb', entries: [{ ...entry('1', 0), gate: 'South' }] });
    expect(second.results).toEqual([
      {
        localId: '1',
        outcome: 'double_entry',
        firstEntry: { at: expect.any(String), gate: 'North', operatorName: expect.any(String), source: 'offline' },
      },
    ]);
    // Online, the ticket is used; the count is each ticket once.
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'North', qr: tickets[0]!.qr! })).toMatchObject({ outcome: 'already_used' });
    expect(await owner.api.ticket.doorCount({ scheduleId })).toEqual({ admitted: 2, tickets: 2 });
    const forged = tickets[0]!.qr!.slice(0, -3) + 'AAA';
    expect(await owner.api.ticket.uploadEntries({ deviceId: 'device-bbbb', entries: [{ ...entry('2', 0), qr: forged }] })).toEqual({
      results: [{ localId: '2', outcome: 'refused', reason: 'FORGED' }],
    });
    expect(await breached()).toEqual([]);
  });
});
