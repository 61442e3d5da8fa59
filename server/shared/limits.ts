/** Wallet limits, shared by the API and the pages (no server code here: the browser imports it). */
export const MIN_CHARGE = 1;
export const MAX_CHARGE = 1_000_000;
export { MAX_BALANCE } from '../../db/limits';

/** A charge amount typed by a person ("50,000" allowed), or null when the API would refuse it. */
export function parseChargeAmount(raw: string): number | null {
  const digits = raw.trim().replace(/,/g, '');
  if (!/^\d{1,9}$/.test(digits)) return null;
  const amount = Number(digits);
  return amount >= MIN_CHARGE && amount <= MAX_CHARGE ? amount : null;
}
