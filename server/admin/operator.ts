import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Actor } from '@/server/audit/actor';
import type { Config } from '@/server/env';
import { BUILT_IN_OPERATOR_ID } from '@/server/shared/audit-actions';

/**
 * The operator's sign-in: one shared password (OPERATOR_PASSWORD) and, once it is given, a signed
 * cookie of its own, apart from a fan's session. The cookie holds only its expiry, signed with a key
 * derived from SESSION_SECRET and the password, so changing the password signs every operator out.
 */
export const OPERATOR_COOKIE = 'operator';
export const OPERATOR_SESSION_SECONDS = 12 * 60 * 60;

const VERSION = 'o1';

type Secrets = Pick<Config, 'SESSION_SECRET' | 'OPERATOR_PASSWORD'>;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `given` is the operator password. Both sides are hashed first, so the comparison takes the
 * same time whatever the length or the first wrong character of the guess.
 */
export function passwordMatches(config: Pick<Config, 'OPERATOR_PASSWORD'>, given: string): boolean {
  return timingSafeEqual(sha256(given), sha256(config.OPERATOR_PASSWORD));
}

function mac(config: Secrets, expiresAt: number): string {
  const key = createHmac('sha256', config.SESSION_SECRET).update(`operator-key.${config.OPERATOR_PASSWORD}`).digest();
  return createHmac('sha256', key).update(`${VERSION}.${expiresAt}`).digest('base64url');
}

/** A cookie value that proves an operator signed in, good for OPERATOR_SESSION_SECONDS from `now`, and when it runs out. */
export function signOperator(config: Secrets, now = Date.now()): { value: string; expiresAt: Date } {
  const expiresAt = Math.floor(now / 1000) + OPERATOR_SESSION_SECONDS;
  return { value: `${VERSION}.${expiresAt}.${mac(config, expiresAt)}`, expiresAt: new Date(expiresAt * 1000) };
}

/** Whether a cookie value is a genuine operator sign-in that has not run out. */
export function verifyOperator(config: Secrets, value: string | undefined | null, now = Date.now()): boolean {
  if (!value || value.length > 200) return false;
  const [version, expires, signature, ...rest] = value.split('.');
  if (version !== VERSION || !expires || !signature || rest.length > 0 || !/^\d{1,12}$/.test(expires)) return false;
  const expiresAt = Number(expires);
  if (expiresAt * 1000 <= now) return false;
  const expected = Buffer.from(mac(config, expiresAt));
  const givenMac = Buffer.from(signature);
  return expected.length === givenMac.length && timingSafeEqual(expected, givenMac);
}

/** The one operator there is until operator accounts: whoever knows OPERATOR_PASSWORD. */
export const BUILT_IN_OPERATOR: Actor = { id: BUILT_IN_OPERATOR_ID, name: 'Operator', role: 'owner' };

/**
 * Who the request is signed in as an operator, or null: the one place an operator's identity is
 * decided (the operator rung, server/trpc/middleware/require-operator.ts, puts it in the context as
 * `operator`; sign-out asks it too). Today a valid operator cookie is the built-in operator; with
 * operator accounts it will answer the signed-in account (async already, for that account's lookup).
 */
export async function operatorOf(ctx: { config: Secrets; cookies: ReadonlyMap<string, string> }): Promise<Actor | null> {
  return verifyOperator(ctx.config, ctx.cookies.get(OPERATOR_COOKIE)) ? BUILT_IN_OPERATOR : null;
}
