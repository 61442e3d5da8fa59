import type { Db } from '@/db/client';
import type { Config } from '@/server/env';
import { SESSION_COOKIE } from '@/server/session/service';
import { verifySession } from '@/server/session/signing';
import { accountAuth } from './instance';
import { accountCookieNames, verifySessionCopy, verifySessionToken, type SessionCopy } from './session-cookies';

/**
 * Who is calling: a signed-in account, else a guest (its `sid` cookie), else nobody. An account's
 * signed session copy answers without the database; past SESSION_COPY_SECONDS the library reads the
 * session (signed out or revoked: no longer an account) and sends a fresh copy.
 */
export interface Caller {
  userId: string;
  /** The signed-in account, or null for a guest. */
  account: Pick<SessionCopy, 'name' | 'email' | 'emailVerified' | 'sessionId'> | null;
}

/** What identifying a caller reads of its request, and how it answers with refreshed cookies. */
export interface CallerRequest {
  db: Db;
  config: Config;
  cookies: Map<string, string>;
  headers: { get(name: string): string | null };
  appendHeader: (name: string, value: string) => void;
  setCookie: (name: string, value: string, maxAgeSeconds: number) => void;
}

/**
 * The caller as its cookies' signatures alone prove it (one HMAC for a guest, one for an account's
 * signed copy), or `undefined` when only the database can tell: an account's session token without a
 * valid copy. `null`: no session at all. The first steps of `callerOf`, for a caller that must not await.
 */
export function callerBySignatures(config: Config, cookies: Map<string, string>): Caller | null | undefined {
  const names = accountCookieNames(config.NODE_ENV === 'production');
  const copy = verifySessionCopy(config.SESSION_SECRET, cookies.get(names.copy));
  if (copy) return { userId: copy.userId, account: copy };
  if (verifySessionToken(config.SESSION_SECRET, cookies.get(names.token))) return undefined;
  return guestOf(config, cookies);
}

const guestOf = (config: Config, cookies: Map<string, string>): Caller | null => {
  const guest = verifySession(config.SESSION_SECRET, cookies.get(SESSION_COOKIE));
  return guest ? { userId: guest, account: null } : null;
};

export async function callerOf(ctx: CallerRequest): Promise<Caller | null> {
  const signed = callerBySignatures(ctx.config, ctx.cookies);
  if (signed !== undefined) return signed;
  const read = await readSession(ctx);
  if (read) return read;
  // Signed out elsewhere, revoked or expired: the browser forgets it, and is a guest again if it was one.
  const names = accountCookieNames(ctx.config.NODE_ENV === 'production');
  ctx.setCookie(names.token, '', 0);
  ctx.setCookie(names.copy, '', 0);
  return guestOf(ctx.config, ctx.cookies);
}

/** The session from the database through the library, which refreshes (or clears) its cookies. */
async function readSession(ctx: CallerRequest): Promise<Caller | null> {
  const { headers, response } = await accountAuth(ctx).api.getSession({
    headers: new Headers({ cookie: ctx.headers.get('cookie') ?? '' }),
    returnHeaders: true,
  });
  for (const cookie of headers.getSetCookie()) ctx.appendHeader('set-cookie', cookie);
  if (!response) return null;
  const { user, session } = response;
  return { userId: user.id, account: { name: user.name, email: user.email, emailVerified: user.emailVerified, sessionId: session.id } };
}
