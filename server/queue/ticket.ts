import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A queue ticket: what the database said about a waiting token when it last read it (its line, its
 * ticket number, its place, its user, and when its holder was last confirmed present), signed with
 * HMAC-SHA256 under SESSION_SECRET and bound to the token itself. A poll that carries a valid one is
 * answered from memory (server/queue/status.ts) until the line's cursor reaches the place, the sale
 * closes, or the confirmation is too old to rule out that the place was given up.
 *
 * It is a cookie per line (`queue_ticket_<concertId>`, HttpOnly) or, for API clients, the
 * `x-queue-ticket` header. It proves nothing on its own: only the caller whose session and token it
 * was signed for can use it, and the database path stays the source of truth.
 */

const VERSION = 'q1';
/** Longer than any ticket we sign (a few numbers, a UUID and a 43-character MAC). */
const MAX_TICKET_LENGTH = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DIGITS = /^\d{1,15}$/;

export const QUEUE_TICKET_HEADER = 'x-queue-ticket';
export const QUEUE_TICKET_COOKIE_PREFIX = 'queue_ticket_';
export const queueTicketCookie = (concertId: number) => `${QUEUE_TICKET_COOKIE_PREFIX}${concertId}`;

export interface QueueTicket {
  concertId: number;
  /** The token's id (its ticket number). */
  ticket: number;
  /** Its place in line; null in the pre-queue (before the draw). */
  place: number | null;
  userId: string;
  /** When the database last had its holder present (`last_seen_at`), in whole seconds since the epoch (the database's clock). */
  confirmedAt: number;
}

const fieldsOf = (t: QueueTicket) => [VERSION, t.concertId, t.ticket, t.place ?? 0, t.userId, t.confirmedAt].join('.');

function mac(secret: string, fields: string, token: string): string {
  // Its own prefix: a session's MAC (server/session/signing.ts) can never pass for a ticket's.
  return createHmac('sha256', secret).update(`queue-ticket.${fields}.${token}`).digest('base64url');
}

/** The signed value of a ticket, for the token it describes. */
export function signTicket(secret: string, ticket: QueueTicket, token: string): string {
  const fields = fieldsOf(ticket);
  return `${fields}.${mac(secret, fields, token)}`;
}

/**
 * The ticket a value proves for this user and this token, or null: missing, malformed, forged,
 * altered, or signed for another user or another token.
 */
export function verifyTicket(
  secret: string,
  value: string | undefined | null,
  { userId, token }: { userId: string; token: string },
): QueueTicket | null {
  if (!value || value.length > MAX_TICKET_LENGTH) return null;
  const parts = value.split('.');
  if (parts.length !== 7) return null;
  const [version, concertId, ticket, place, user, confirmedAt, signature] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (version !== VERSION || user !== userId || !UUID.test(user)) return null;
  if (![concertId, ticket, place, confirmedAt].every((n) => DIGITS.test(n))) return null;
  const expected = Buffer.from(mac(secret, parts.slice(0, 6).join('.'), token));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return {
    concertId: Number(concertId),
    ticket: Number(ticket),
    place: place === '0' ? null : Number(place),
    userId: user,
    confirmedAt: Number(confirmedAt),
  };
}
