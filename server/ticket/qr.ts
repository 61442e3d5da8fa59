import { normalizeBookingCode } from '@/server/order/booking-code';
import { signText, verifyText, type TicketSigningKey } from './signing';

/**
 * What a ticket's QR code encodes (docs/tickets-and-door.md), version 2:
 * `T2.<reference>.<serial>.<scheduleId>.<seatId>.<signature>`, the signature being Ed25519 over the
 * text before the last dot. The same parsing runs on door devices offline (app/operator/…).
 */
const VERSION = 'T2';
export const MAX_QR_LENGTH = 200;

export interface QrFacts {
  reference: string;
  serial: number;
  scheduleId: number;
  seatId: number;
}

/** `K7Q-4MZ-92D-2`: the booking code and the seat's number in the order. */
export function ticketReferenceOf(bookingCode: string, n: number): string {
  return `${bookingCode}-${n}`;
}

/** The reference as typed (any case, dashes optional between the code's groups), or null. */
export function normalizeTicketReference(typed: string): string | null {
  const match = /^(.+)-(\d{1,3})$/.exec(typed.trim().toUpperCase());
  if (!match) return null;
  const code = normalizeBookingCode(match[1]!);
  const n = Number(match[2]);
  return code && n >= 1 ? ticketReferenceOf(code, n) : null;
}

export function ticketQr(key: TicketSigningKey, facts: QrFacts): string {
  const text = `${VERSION}.${facts.reference}.${facts.serial}.${facts.scheduleId}.${facts.seatId}`;
  return `${text}.${signText(key, text)}`;
}

const positive = (part: string | undefined) => (part && /^[1-9]\d{0,9}$/.test(part) ? Number(part) : null);

export function isTicketQr(text: string): boolean {
  return text.trim().startsWith(`${VERSION}.`);
}

/** The facts a QR payload proves, `forged` when it does not check against the key, or `malformed`. */
export function readTicketQr(key: TicketSigningKey, payload: string): QrFacts | 'forged' | 'malformed' {
  const text = payload.trim();
  if (text.length > MAX_QR_LENGTH) return 'malformed';
  const parts = text.split('.');
  if (parts.length !== 6 || parts[0] !== VERSION) return 'malformed';
  const reference = normalizeTicketReference(parts[1]!);
  const [serial, scheduleId, seatId] = [positive(parts[2]), positive(parts[3]), positive(parts[4])];
  if (!reference || reference !== parts[1] || serial === null || scheduleId === null || seatId === null) return 'malformed';
  const signed = text.slice(0, text.lastIndexOf('.'));
  if (!verifyText(key, signed, parts[5]!)) return 'forged';
  return { reference, serial, scheduleId, seatId };
}
