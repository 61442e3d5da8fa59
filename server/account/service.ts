import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { claimOffers } from '@/server/ticket/transfer';
import { adoptGuest, type Adoption } from './adopt-guest';
import { refusalsAsDomainErrors } from './errors';
import { accountAuth } from './instance';

/**
 * What a fan does with an account. Each call takes the caller's cookies and returns the cookies the
 * library set (the session, its signed copy, or their removal) for the caller to send back.
 */
export interface AccountCall {
  db: Db;
  config: Config;
  /** The request's Cookie header. */
  cookie: string;
}

export interface Answer<T> {
  value: T;
  setCookies: string[];
}

export const headersOf = (call: AccountCall) => new Headers({ cookie: call.cookie });

export interface SignedIn {
  userId: string;
  name: string;
  email: string;
  /** What moved from the guest visit of this browser into the account. */
  adopted: Adoption;
}

/**
 * Signs up (a new account, signed in) or signs in, then moves the guest this browser was into the
 * account. If the guest cannot be moved (the balances together would pass the limit), the new
 * session is ended again and nothing has changed: the refusal says why.
 */
export async function enter(
  call: AccountCall,
  guestId: string | null,
  start: () => Promise<{ headers: Headers; response: { user: { id: string; name: string; email: string }; token: string | null } }>,
): Promise<Answer<SignedIn>> {
  const { headers, response } = await refusalsAsDomainErrors(start);
  const { user, token } = response;
  let adopted: Adoption = { orders: 0, moved: 0, places: 0 };
  try {
    if (guestId) adopted = await adoptGuest(call.db, call.config, { guestId, accountId: user.id });
  } catch (error) {
    if (token) await accountAuth(call).api.revokeSession({ body: { token }, headers: new Headers({ cookie: cookieOf(headers) }) });
    throw error;
  }
  // Tickets offered to this address while it had no account (once it is verified).
  await claimOffers(call.db, { userId: user.id });
  return { value: { userId: user.id, name: user.name, email: user.email, adopted }, setCookies: headers.getSetCookie() };
}

/** The Cookie header a browser would send after these Set-Cookie headers. */
const cookieOf = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

export function signUp(call: AccountCall, input: { guestId: string | null; name: string; email: string; password: string }) {
  return enter(call, input.guestId, () =>
    accountAuth(call).api.signUpEmail({
      body: { name: input.name, email: input.email, password: input.password },
      headers: headersOf(call),
      returnHeaders: true,
    }),
  );
}

export function signIn(call: AccountCall, input: { guestId: string | null; email: string; password: string }) {
  return enter(call, input.guestId, async () => {
    const { headers, response } = await accountAuth(call).api.signInEmail({
      body: { email: input.email, password: input.password },
      headers: headersOf(call),
      returnHeaders: true,
    });
    return { headers, response: { user: response.user, token: response.token } };
  });
}

/** Ends this device's session on the server, and clears its cookies. */
export async function signOut(call: AccountCall): Promise<Answer<null>> {
  const { headers } = await refusalsAsDomainErrors(() => accountAuth(call).api.signOut({ headers: headersOf(call), returnHeaders: true }));
  return { value: null, setCookies: headers.getSetCookie() };
}

export interface Device {
  sessionId: string;
  signedInAt: string;
  lastSeenAt: string;
  userAgent: string | null;
  current: boolean;
}

/** The devices signed in to the caller's account, this one first. */
export async function devices(call: AccountCall, { currentSessionId }: { currentSessionId: string }): Promise<Device[]> {
  const sessions = await refusalsAsDomainErrors(() => accountAuth(call).api.listSessions({ headers: headersOf(call) }));
  return sessions
    .map((s) => ({
      sessionId: s.id,
      signedInAt: s.createdAt.toISOString(),
      lastSeenAt: s.updatedAt.toISOString(),
      userAgent: s.userAgent ?? null,
      current: s.id === currentSessionId,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
}

/** Signs one device out (not this one: that is signOut), or every other device. */
export async function signOutDevice(call: AccountCall, { sessionId }: { sessionId: string | 'others' }): Promise<void> {
  const auth = accountAuth(call);
  if (sessionId === 'others') {
    await refusalsAsDomainErrors(() => auth.api.revokeOtherSessions({ headers: headersOf(call) }));
    return;
  }
  const sessions = await refusalsAsDomainErrors(() => auth.api.listSessions({ headers: headersOf(call) }));
  const target = sessions.find((s) => s.id === sessionId);
  if (!target) throw new DomainError('NOT_FOUND', 'No device of this account has this session.');
  await refusalsAsDomainErrors(() => auth.api.revokeSession({ body: { token: target.token }, headers: headersOf(call) }));
}

/** Mails a password-reset link when the email has an account; the same answer either way. */
export async function requestPasswordReset(call: AccountCall, { email }: { email: string }): Promise<void> {
  await refusalsAsDomainErrors(() => accountAuth(call).api.requestPasswordReset({ body: { email }, headers: headersOf(call) }));
}

export async function resetPassword(call: AccountCall, { token, password }: { token: string; password: string }): Promise<void> {
  await refusalsAsDomainErrors(() =>
    accountAuth(call).api.resetPassword({ body: { token, newPassword: password }, headers: headersOf(call) }),
  );
}

export async function verifyEmail(call: AccountCall, { token }: { token: string }): Promise<Answer<null>> {
  const { headers } = await refusalsAsDomainErrors(() =>
    accountAuth(call).api.verifyEmail({ query: { token }, headers: headersOf(call), returnHeaders: true }),
  );
  return { value: null, setCookies: headers.getSetCookie() };
}

export async function resendVerification(call: AccountCall, { email }: { email: string }): Promise<void> {
  await refusalsAsDomainErrors(() => accountAuth(call).api.sendVerificationEmail({ body: { email }, headers: headersOf(call) }));
}

export const DELETED_NAME = 'Deleted account';

/**
 * Deletes the account after its password is given again: its sign-in, sessions and email go; its
 * person stays under a neutral name, so its orders and ledger stay whole.
 */
export async function deleteAccount(call: AccountCall, { userId, password }: { userId: string; password?: string }): Promise<Answer<null>> {
  const { headers } = await refusalsAsDomainErrors(() =>
    accountAuth(call).api.deleteUser({ body: { password }, headers: headersOf(call), returnHeaders: true }),
  );
  await call.db.update(users).set({ name: DELETED_NAME }).where(eq(users.id, userId));
  return { value: null, setCookies: headers.getSetCookie() };
}
