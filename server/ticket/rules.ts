/**
 * The rules of a ticket (docs/tickets-and-door.md), in one place: what state it is in, whether the
 * door lets it in, and until when it can be passed on.
 */

/** `valid`: can be let in; `offered`: a transfer offer is pending; `used`: let in; `refunded`. */
export type TicketState = 'valid' | 'offered' | 'used' | 'refunded';

/** How a door refuses a ticket (an answer for the steward, not an error). */
export type DoorRefusal = 'FORGED' | 'OTHER_DATE' | 'OLD_QR' | 'REFUNDED' | 'OFFERED' | 'UNKNOWN';

export interface TicketStateFacts {
  status: 'live' | 'refunded';
  offer: { expiresAt: Date } | null;
  entry: object | null;
  now: Date;
}

/** An offer past its expiry no longer counts, whether or not it has been marked expired yet. */
export const isPendingOffer = (offer: { expiresAt: Date } | null, now: Date) => offer !== null && offer.expiresAt > now;

export function ticketState(t: TicketStateFacts): TicketState {
  if (t.status === 'refunded') return 'refunded';
  if (t.entry) return 'used';
  if (isPendingOffer(t.offer, t.now)) return 'offered';
  return 'valid';
}

/**
 * Why the door refuses a ticket for date `scheduleId`, or null when it may be let in (or was already:
 * `used` is answered as "already used", not refused). `serial`: the QR's, when scanned.
 */
export function doorRefusal(
  t: TicketStateFacts & { scheduleId: number; serial: number },
  { scheduleId, serial }: { scheduleId: number; serial?: number },
): DoorRefusal | null {
  if (t.scheduleId !== scheduleId) return 'OTHER_DATE';
  if (t.status === 'refunded') return 'REFUNDED';
  if (serial !== undefined && serial !== t.serial) return 'OLD_QR';
  if (!t.entry && isPendingOffer(t.offer, t.now)) return 'OFFERED';
  return null;
}

const HOUR_MS = 3_600_000;

/** A ticket can be passed on until `cutoffHours` before its show. */
export const transferDeadline = (startsAt: Date, cutoffHours: number) => new Date(startsAt.getTime() - cutoffHours * HOUR_MS);

/** An offer waits `offerHours`, never past the transfer deadline. */
export function offerExpiry(
  { now, startsAt }: { now: Date; startsAt: Date },
  { cutoffHours, offerHours }: { cutoffHours: number; offerHours: number },
) {
  return new Date(Math.min(now.getTime() + offerHours * HOUR_MS, transferDeadline(startsAt, cutoffHours).getTime()));
}
