import { createHmac, timingSafeEqual } from 'node:crypto';
import { normalizeBookingCode } from '@/server/order/booking-code';

/**
 * The signed ticket reference a ticket's QR code encodes: `T1.<booking code without dashes>.<HMAC>`,
 * the HMAC-SHA256 under SESSION_SECRET (as sessions are signed, server/session/signing.ts) cut to
 * 128 bits. A door scanner can tell a real ticket from a guessed code without a database round trip
 * for the forgery; what the ticket is worth now (paid or refunded) is still read from the database.
 */
const VERSION = 'T1';
const MAC_BYTES = 16;

function mac(secret: string, bare: string): string {
  return createHmac('sha256', secret).update(`${VERSION}.${bare}`).digest().subarray(0, MAC_BYTES).toString('base64url');
}

export function ticketReference(secret: string, bookingCode: string): string {
  const bare = bookingCode.replace(/-/g, '');
  return `${VERSION}.${bare}.${mac(secret, bare)}`;
}

/** The booking code a reference proves, or null when it is malformed or forged. */
export function verifyTicketReference(secret: string, reference: string): string | null {
  if (reference.length > 100) return null;
  const [version, bare, signature, ...rest] = reference.trim().split('.');
  if (version !== VERSION || !bare || !signature || rest.length > 0) return null;
  const code = normalizeBookingCode(bare);
  if (!code || bare !== code.replace(/-/g, '')) return null;
  const expected = Buffer.from(mac(secret, bare));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? code : null;
}
