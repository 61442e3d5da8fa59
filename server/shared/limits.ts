/** Limits the pages check before they ask, so they never build a request the API refuses. */

/**
 * Calls per tRPC batch. The web app batches the few queries a page makes; a thousand calls in one GET
 * would hold a connection and the CPU for seconds while everyone else waits. The browser's client
 * reads it too, so it never builds a batch the server refuses.
 */
export const MAX_BATCH_SIZE = 10;

/** Wallet charges, in whole won. */
export const MIN_CHARGE = 1;
export const MAX_CHARGE = 1_000_000;
export { MAX_BALANCE } from '@/db/limits';

/** The join challenge's difficulty (a sale setting) and the joins per second that raise it by itself. */
export { JOIN_DIFFICULTY_MAX, JOIN_DIFFICULTY_MIN } from '@/db/limits';
export const MAX_JOIN_SURGE_PER_SECOND = 1_000_000;

/** A charge amount typed by a person ("50,000" allowed), or null when the API would refuse it. */
export function parseChargeAmount(raw: string): number | null {
  const digits = raw.trim().replace(/,/g, '');
  if (!/^\d{1,9}$/.test(digits)) return null;
  const amount = Number(digits);
  return amount >= MIN_CHARGE && amount <= MAX_CHARGE ? amount : null;
}

/** An account's password: at least this long (the sign-up form says so)... */
export const MIN_PASSWORD_LENGTH = 10;
/** ...and at most this long (hashing has a cost). */
export const MAX_PASSWORD_LENGTH = 128;
