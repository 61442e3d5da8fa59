import { randomInt } from 'node:crypto';
import { BOOKING_CODE_ALPHABET } from '@/db/schema';

/**
 * Booking codes: nine characters from an alphabet without look-alikes (no I, O, 0, 1), shown and
 * stored in three groups (`K7Q-4MZ-92D`): 45 random bits, read aloud or typed at the door.
 */
const GROUPS = 3;
const GROUP_LENGTH = 3;

/** A new random code (uniqueness is the database's: orders_booking_code; the caller retries on a clash). */
export function newBookingCode(): string {
  const chars = Array.from({ length: GROUPS * GROUP_LENGTH }, () => BOOKING_CODE_ALPHABET[randomInt(BOOKING_CODE_ALPHABET.length)]);
  return groupCode(chars.join(''));
}

const groupCode = (bare: string) => bare.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-');

const BARE_CODE = new RegExp(`^[${BOOKING_CODE_ALPHABET}]{${GROUPS * GROUP_LENGTH}}$`);

/** A code as typed (any case, dashes or spaces anywhere) in its stored form, or null if it can't be one. */
export function normalizeBookingCode(typed: string): string | null {
  const bare = typed.replace(/[\s-]/g, '').toUpperCase();
  return BARE_CODE.test(bare) ? groupCode(bare) : null;
}
