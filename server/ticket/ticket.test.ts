import { asc, gt, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog } from '@/db/schema';
import { seedDemoData } from '@/server/seed';
import { newBookingCode, normalizeBookingCode } from '@/server/order/booking-code';
import { signedInOperator } from '@/server/testing/operator';
import { seatPicker } from '@/server/testing/seats';
import { useTestDatabase } from '@/server/testing/test-database';
import { admittedUser, expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { ticketReference, verifyTicketReference } from './reference';

const { db } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 1000 });
await seedDemoData(db);
const seats = seatPicker(db);

/** A fan who bought two seats of one date, by name. */
async function buyer(name: string) {
  const fan = new TestUser(db, config);
  await fan.start(name);
  await fan.join();
  await fan.api.wallet.charge({ amount: 400_000 });
  const order = await fan.api.order.hold({ seatIds: await seats.ids(2) });
  const paid = await fan.api.order.pay({ orderId: order.orderId });
  return { fan, order, paid };
}

async function lastAuditId() {
  const [row] = await db.select({ id: sql<number>`coalesce(max(${auditLog.id}), 0)`.mapWith(Number) }).from(auditLog);
  return row!.id;
}
const auditAfter = (id: number) => db.select().from(auditLog).where(gt(auditLog.id, id)).orderBy(asc(auditLog.id));

describe('booking codes and ticket references', () => {
  it('makes codes from the unambiguous alphabet and reads them back however they are typed', () => {
    const codes = Array.from({ length: 200 }, newBookingCode);
    for (const code of codes) expect(code).toMatch(/^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$/);
    expect(new Set(codes).size).toBe(codes.length);
    expect(normalizeBookingCode(' k7q4mz-92d ')).toBe('K7Q-4MZ-92D');
    expect(normalizeBookingCode('K7Q-4MZ-92O')).toBeNull(); // O is not in the alphabet
    expect(normalizeBookingCode('K7Q-4MZ')).toBeNull();
  });

  it('signs a reference that only the secret can make', () => {
    const ref = ticketReference(config.SESSION_SECRET, 'K7Q-4MZ-92D');
    expect(ref.length).toBeLessThan(40);
    expect(verifyTicketReference(config.SESSION_SECRET, ref)).toBe('K7Q-4MZ-92D');
    expect(verifyTicketReference('another-secret-of-at-least-32-characters', ref)).toBeNull();
    expect(verifyTicketReference(config.SESSION_SECRET, ref.replace('K7Q', 'K7R'))).toBeNull();
    expect(verifyTicketReference(config.SESSION_SECRET, `${ref}x`)).toBeNull();
    expect(verifyTicketReference(config.SESSION_SECRET, 'T1..')).toBeNull();
  });
});

describe('ticket.verify', () => {
  it('tells an operator a ticket is valid by its code (any case, dashes optional) or its QR reference', async () => {
    const { fan, order, paid } = await buyer('Mina');
    const operator = await signedInOperator(db, config);
    const expected = {
      status: 'valid',
      holderName: 'Mina',
      concertTitle: expect.any(String),
      startsAt: expect.any(String),
      seats: order.seats.map((s) => ({ seatId: s.seatId, label: s.label })),
      tickets: order.seats.map((s, i) =>
        expect.objectContaining({ reference: `${paid.bookingCode}-${i + 1}`, seat: s.label, state: 'valid', entry: null }),
      ),
    };
    expect(await operator.api.ticket.verify({ code: paid.bookingCode })).toEqual(expected);
    expect(await operator.api.ticket.verify({ code: paid.bookingCode.replace(/-/g, '').toLowerCase() })).toEqual(expected);
    const { ticketRef } = await fan.api.order.get({ orderId: order.orderId });
    expect(await operator.api.ticket.verify({ code: ticketRef! })).toEqual(expected);
  });

  it('says refunded for a refunded ticket and unknown for anything else', async () => {
    const { fan, order, paid } = await buyer('Joon');
    const { ticketRef } = await fan.api.order.get({ orderId: order.orderId });
    await fan.api.order.cancel({ orderId: order.orderId });
    const operator = await signedInOperator(db, config);
    expect(await operator.api.ticket.verify({ code: paid.bookingCode })).toMatchObject({ status: 'refunded', holderName: 'Joon' });
    expect(await operator.api.ticket.verify({ code: ticketRef! })).toMatchObject({ status: 'refunded' });
    // A refunded order no longer offers a reference to draw.
    expect((await fan.api.order.get({ orderId: order.orderId })).ticketRef).toBeNull();
    let unused = newBookingCode();
    while (unused === paid.bookingCode) unused = newBookingCode();
    for (const code of [unused, 'nonsense', ticketRef!.slice(0, -2) + 'AA', ticketReference('x'.repeat(32), paid.bookingCode)]) {
      expect(await operator.api.ticket.verify({ code })).toEqual({ status: 'unknown' });
    }
  });

  it('refuses fans, with or without a turn, and records nothing of their tries', async () => {
    const { fan, paid } = await buyer('Hana');
    const from = await lastAuditId();
    await expectFailure(fan.api.ticket.verify({ code: paid.bookingCode }), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    const admitted = await admittedUser(db, config);
    await expectFailure(admitted.api.ticket.verify({ code: paid.bookingCode }), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    expect(await auditAfter(from)).toEqual([]);
  });

  it('refuses a check from another site (it writes an entry in the operator’s name), and records nothing', async () => {
    const { paid } = await buyer('Dae');
    const operator = await signedInOperator(db, config);
    const from = await lastAuditId();
    operator.headers.set('sec-fetch-site', 'cross-site');
    await expectFailure(operator.api.ticket.verify({ code: paid.bookingCode }), 'FORBIDDEN', 'CROSS_SITE');
    operator.headers.set('sec-fetch-site', 'same-origin');
    operator.headers.set('origin', 'https://elsewhere.example');
    await expectFailure(operator.api.ticket.verify({ code: paid.bookingCode }), 'FORBIDDEN', 'CROSS_SITE');
    expect(await auditAfter(from)).toEqual([]);
  });

  it('records every check in the audit log: who checked which code, for which concert, and the answer', async () => {
    const { fan, paid } = await buyer('Sora');
    const operator = await signedInOperator(db, config);
    const from = await lastAuditId();
    await operator.api.ticket.verify({ code: paid.bookingCode.replace(/-/g, '').toLowerCase() });
    await operator.api.ticket.verify({ code: 'nonsense' });
    const entries = await auditAfter(from);
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'ticket.verify',
        actorId: 'owner',
        concertId: fan.concertId,
        target: paid.bookingCode,
        before: null,
        after: { status: 'valid' },
      }),
      expect.objectContaining({
        action: 'ticket.verify',
        actorId: 'owner',
        concertId: null,
        target: 'nonsense',
        after: { status: 'unknown' },
      }),
    ]);
  });
});
