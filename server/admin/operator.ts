import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '@/server/env';

/**
 * The operator's cookie, apart from a fan's session: a signed session id and its expiry. The request
 * layer checks the signature alone (no database) to admit a call; the operator middleware then reads
 * the session's row (server/admin/operator-sessions.ts), so a revoked session is refused at once. The
 * key is derived from SESSION_SECRET and OPERATOR_PASSWORD, so changing the password signs every
 * operator out.
 */
export const OPERATOR_COOKIE = 'operator';
export const OPERATOR_SESSION_SECONDS = 12 * 60 * 60;

const VERSION = 'o2';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Secrets = Pick<Config, 'SESSION_SECRET' | 'OPERATOR_PASSWORD'>;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `given` is the operator password. Both sides are hashed first, so the comparison takes the
 * same time whatever the length or the first wrong character of the guess.
 */
export function passwordMatches(config: Pick<Config, 'OPERATOR_PASSWORD'>, given: string): boolean {
  return timingSafeEqual(sha256(given), sha256(config.OPERATOR_PASSWORD));
}

function mac(config: Secrets, payload: string): string {
  const key = createHmac('sha256', config.SESSION_SECRET).update(`operator-key.${config.OPERATOR_PASSWORD}`).digest();
  return createHmac('sha256', key).update(`${VERSION}.${payload}`).digest('base64url');
}

/** The cookie value of an operator session that runs out at `expiresAt`. */
export function signOperator(config: Secrets, { sessionId, expiresAt }: { sessionId: string; expiresAt: Date }): string {
  const payload = `${sessionId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${VERSION}.${payload}.${mac(config, payload)}`;
}

/** The session a cookie value names, when it is genuinely signed and has not run out; else null. */
export function readOperatorCookie(config: Secrets, value: string | undefined | null, now = Date.now()): { sessionId: string } | null {
  if (!value || value.length > 200) return null;
  const [version, sessionId, expires, signature, ...rest] = value.split('.');
  if (version !== VERSION || !sessionId || !expires || !signature || rest.length > 0) return null;
  if (!UUID.test(sessionId) || !/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now) return null;
  const expected = Buffer.from(mac(config, `${sessionId}.${expires}`));
  const givenMac = Buffer.from(signature);
  return expected.length === givenMac.length && timingSafeEqual(expected, givenMac) ? { sessionId } : null;
}

/** Whether a cookie value is a genuinely signed operator session that has not run out (the request layer's check). */
export function verifyOperator(config: Secrets, value: string | undefined | null, now = Date.now()): boolean {
  return readOperatorCookie(config, value, now) !== null;
}
