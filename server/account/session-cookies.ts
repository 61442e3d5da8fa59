import { createHmac, timingSafeEqual } from 'node:crypto';
/** Names of the library's cookies: `account.session_token` (the session) and `account.session_data` (its signed copy). */
export const ACCOUNT_COOKIE_PREFIX = 'account';

/**
 * The library's two session cookies, checked by their signatures alone (no database), synchronously:
 * the request layer decides a call's admission class from them before any await, and every call of a
 * signed-in fan reads them. They restate better-auth's formats (its `compact` cookie cache and
 * better-call's signed cookie); session-cookies.test.ts holds them to the library's own checks.
 *
 * - `account.session_token`: the session's token, signed. Proves a session was started; whether it
 *   still stands is only known from the database.
 * - `account.session_data`: a signed copy of the session and its user, trusted for SESSION_COPY_SECONDS.
 */

/** In production the library's cookies carry the `__Secure-` prefix (they are Secure there). */
export function accountCookieNames(production: boolean) {
  const prefix = production ? '__Secure-' : '';
  return { token: `${prefix}${ACCOUNT_COOKIE_PREFIX}.session_token`, copy: `${prefix}${ACCOUNT_COOKIE_PREFIX}.session_data` };
}

/** A copy is a few hundred bytes; anything much longer is not one of ours. */
const MAX_COOKIE_LENGTH = 4096;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether a session-token cookie's value carries the server's signature. */
export function verifySessionToken(secret: string, value: string | undefined): boolean {
  if (!value || value.length > MAX_COOKIE_LENGTH) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return false;
  }
  const dot = decoded.lastIndexOf('.');
  if (dot <= 0) return false;
  const signature = createHmac('sha256', secret).update(decoded.slice(0, dot)).digest('base64');
  return sameText(signature, decoded.slice(dot + 1));
}

export interface SessionCopy {
  userId: string;
  sessionId: string;
  name: string;
  email: string;
  emailVerified: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The session a signed copy proves at `nowMs`, or null: missing, malformed, forged, or out of date. */
export function verifySessionCopy(secret: string, value: string | undefined, nowMs: number = Date.now()): SessionCopy | null {
  if (!value || value.length > MAX_COOKIE_LENGTH) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!isRecord(parsed) || !isRecord(parsed.session) || typeof parsed.expiresAt !== 'number' || typeof parsed.signature !== 'string')
    return null;
  const { session, expiresAt, signature } = parsed;
  const expected = createHmac('sha256', secret)
    .update(JSON.stringify({ ...session, expiresAt }))
    .digest('base64url');
  if (!sameText(expected, signature) || expiresAt < nowMs) return null;
  const { session: stored, user } = session;
  if (!isRecord(stored) || !isRecord(user) || typeof user.id !== 'string' || typeof stored.id !== 'string') return null;
  if (typeof stored.expiresAt === 'string' && Date.parse(stored.expiresAt) < nowMs) return null;
  return {
    userId: user.id,
    sessionId: stored.id,
    name: String(user.name),
    email: String(user.email),
    emailVerified: user.emailVerified === true,
  };
}
