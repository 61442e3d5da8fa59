import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A session is the user's id (a random UUID) with an HMAC-SHA256 of it under SESSION_SECRET:
 * it can't be forged without the secret, and the id itself can't be guessed.
 */
const VERSION = 'v1';

function mac(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(`${VERSION}.${userId}`).digest('base64url');
}

export function signSession(secret: string, userId: string): string {
  return `${VERSION}.${userId}.${mac(secret, userId)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The user id a session value proves, or null when it is missing, malformed or forged. */
export function verifySession(secret: string, value: string | undefined | null): string | null {
  if (!value || value.length > 200) return null;
  const [version, userId, signature] = value.split('.');
  if (version !== VERSION || !userId || !signature || !UUID.test(userId)) return null;
  const expected = Buffer.from(mac(secret, userId));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? userId : null;
}
