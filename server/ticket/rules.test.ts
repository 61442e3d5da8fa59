import { describe, expect, it } from 'vitest';
import { normalizeTicketReference, readTicketQr, ticketQr } from './qr';
import { doorRefusal, offerExpiry, ticketState, transferDeadline } from './rules';
import { ticketSigningKey } from './signing';

const now = new Date('2026-12-20T10:00:00Z');
const later = new Date('2026-12-21T10:00:00Z');
const earlier = new Date('2026-12-19T10:00:00Z');
const base = { status: 'live' as const, offer: null, entry: null, now, scheduleId: 7, serial: 2 };

describe('a ticket’s state and the door’s answer', () => {
  it('reads refunded, used, offered (until the offer expires) and valid, in that order', () => {
    expect(ticketState(base)).toBe('valid');
    expect(ticketState({ ...base, offer: { expiresAt: later } })).toBe('offered');
    expect(ticketState({ ...base, offer: { expiresAt: earlier } })).toBe('valid');
    expect(ticketState({ ...base, entry: {} })).toBe('used');
    expect(ticketState({ ...base, status: 'refunded', entry: {} })).toBe('refunded');
  });

  it('refuses another date, a refund, an older serial and a pending offer; lets the rest through', () => {
    expect(doorRefusal(base, { scheduleId: 7, serial: 2 })).toBeNull();
    expect(doorRefusal(base, { scheduleId: 7 })).toBeNull();
    expect(doorRefusal(base, { scheduleId: 8, serial: 2 })).toBe('OTHER_DATE');
    expect(doorRefusal({ ...base, status: 'refunded' }, { scheduleId: 7, serial: 2 })).toBe('REFUNDED');
    expect(doorRefusal(base, { scheduleId: 7, serial: 1 })).toBe('OLD_QR');
    expect(doorRefusal({ ...base, offer: { expiresAt: later } }, { scheduleId: 7 })).toBe('OFFERED');
    // A used ticket is not refused: the door says when and where it was used.
    expect(doorRefusal({ ...base, entry: {} }, { scheduleId: 7, serial: 2 })).toBeNull();
  });

  it('closes transfers at the cut-off, and an offer never outlives it', () => {
    const startsAt = new Date('2026-12-20T19:00:00Z');
    expect(transferDeadline(startsAt, 2).toISOString()).toBe('2026-12-20T17:00:00.000Z');
    expect(offerExpiry({ now, startsAt }, { cutoffHours: 2, offerHours: 48 }).toISOString()).toBe('2026-12-20T17:00:00.000Z');
    expect(offerExpiry({ now, startsAt: later }, { cutoffHours: 2, offerHours: 3 }).toISOString()).toBe('2026-12-20T13:00:00.000Z');
  });
});

describe('QR payloads', () => {
  const key = ticketSigningKey('a secret of at least thirty-two characters');
  it('reads back what it signed, and nothing another key signed or anyone altered', () => {
    const facts = { reference: 'K7Q-4MZ-92D-2', serial: 3, scheduleId: 12, seatId: 345 };
    const qr = ticketQr(key, facts);
    expect(qr.length).toBeLessThan(150);
    expect(readTicketQr(key, qr)).toEqual(facts);
    expect(readTicketQr(ticketSigningKey('another secret of at least thirty-two chars'), qr)).toBe('forged');
    expect(readTicketQr(key, qr.replace('.345.', '.346.'))).toBe('forged');
    expect(readTicketQr(key, qr.replace('K7Q-4MZ-92D-2', 'k7q-4mz-92d-2'))).toBe('malformed');
    expect(readTicketQr(key, `${qr}.x`)).toBe('malformed');
    expect(readTicketQr(key, 'T2.....')).toBe('malformed');
  });

  it('reads a typed reference in any case, and nothing that is not one', () => {
    expect(normalizeTicketReference(' k7q4mz92d-2 ')).toBe('K7Q-4MZ-92D-2');
    expect(normalizeTicketReference('K7Q-4MZ-92D')).toBeNull();
    expect(normalizeTicketReference('K7Q-4MZ-92D-0')).toBeNull();
    expect(normalizeTicketReference('K7Q-4MZ-92O-1')).toBeNull();
  });
});
