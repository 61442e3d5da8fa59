import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing up with a passkey is two calls (the browser's authenticator runs between them): the first
 * names the person to be, the second creates the account once the passkey is verified. What the first
 * call was given travels, signed, in the library's registration challenge (stored on the server), so
 * the second creates exactly that account and nothing a client made up.
 */
export const PENDING_SIGN_UP_SECONDS = 5 * 60;

export interface PendingSignUp {
  name: string;
  email: string;
}

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`pending-sign-up.${payload}`).digest('base64url');

export function signPendingSignUp(secret: string, person: PendingSignUp, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ ...person, until: now + PENDING_SIGN_UP_SECONDS * 1000 })).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export function readPendingSignUp(secret: string, value: string | null | undefined, now = Date.now()): PendingSignUp | null {
  if (!value || value.length > 2000) return null;
  const [payload = '', signature = '', ...rest] = value.split('.');
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (rest.length > 0 || expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const { name, email, until } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    name: string;
    email: string;
    until: number;
  };
  return until >= now ? { name, email } : null;
}
