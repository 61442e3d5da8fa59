import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A queue pass: what the database said about a waiting token when it last read it (its line, its
 * draw number, its place, its user, and when its holder was last confirmed present), signed with
 * HMAC-SHA256 under SESSION_SECRET and bound to the token itself. A poll that carries a valid one is
 * answered from memory (server/queue/status.ts) until the line's cursor reaches the place, the sale
 * closes, or the confirmation is too old to rule out that the place was given up.
 *
 * It is a cookie per line or, for API clients, a header. Their wire names, `queue_ticket_<concertId>`
 * (HttpOnly) and `x-queue-ticket`, predate the name "queue pass" and stay: clients send them. It
 * proves nothing on its own: only the caller whose session and token it was signed for can use it,
 * and the database path stays the source of truth.
 */

const VERSION = 'q1';
/** Longer than any pass we sign (a few numbers, a UUID and a 43-character MAC). */
const MAX_PASS_LENGTH = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DIGITS = /^\d{1,15}$/;

export const QUEUE_PASS_HEADER = 'x-queue-ticket';
export const QUEUE_PASS_COOKIE_PREFIX = 'queue_ticket_';
export const queuePassCookie = (concertId: number) => `${QUEUE_PASS_COOKIE_PREFIX}${concertId}`;

export interface QueuePass {
  concertId: number;
  /** The token's id, its draw number. */
  drawNumber: number;
  /** Its place in line; null in the pre-queue (before the draw). */
  place: number | null;
  userId: string;
  /** When the database last had its holder present (`last_seen_at`), in whole seconds since the epoch (the database's clock). */
  confirmedAt: number;
}

const fieldsOf = (p: QueuePass) => [VERSION, p.concertId, p.drawNumber, p.place ?? 0, p.userId, p.confirmedAt].join('.');

function mac(secret: string, fields: string, token: string): string {
  // Its own prefix (the pass's first name, kept so passes signed before the rename stay valid): a
  // session's MAC (server/session/signing.ts) can never pass for a queue pass's.
  return createHmac('sha256', secret).update(`queue-ticket.${fields}.${token}`).digest('base64url');
}

/** The signed value of a queue pass, for the token it describes. */
export function signQueuePass(secret: string, pass: QueuePass, token: string): string {
  const fields = fieldsOf(pass);
  return `${fields}.${mac(secret, fields, token)}`;
}

/**
 * The queue pass a value proves for this user and this token, or null: missing, malformed, forged,
 * altered, or signed for another user or another token.
 */
export function verifyQueuePass(
  secret: string,
  value: string | undefined | null,
  { userId, token }: { userId: string; token: string },
): QueuePass | null {
  if (!value || value.length > MAX_PASS_LENGTH) return null;
  const parts = value.split('.');
  if (parts.length !== 7) return null;
  const [version, concertId, drawNumber, place, user, confirmedAt, signature] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (version !== VERSION || user !== userId || !UUID.test(user)) return null;
  if (![concertId, drawNumber, place, confirmedAt].every((n) => DIGITS.test(n))) return null;
  const expected = Buffer.from(mac(secret, parts.slice(0, 6).join('.'), token));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return {
    concertId: Number(concertId),
    drawNumber: Number(drawNumber),
    place: place === '0' ? null : Number(place),
    userId: user,
    confirmedAt: Number(confirmedAt),
  };
}
