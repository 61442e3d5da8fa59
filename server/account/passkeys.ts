import { DomainError } from '@/server/errors';
import { refusalsAsDomainErrors } from './errors';
import { accountAuth } from './instance';
import { signPendingSignUp } from './pending-sign-up';
import { enter, headersOf, type AccountCall, type Answer, type SignedIn } from './service';

/**
 * Passkeys through the library's WebAuthn ceremonies: each is options (a challenge, kept by the
 * server and named by a short-lived signed cookie) then the browser's answer, verified. The browser
 * passes the options to its authenticator and sends back what it answers, untouched.
 */

/** WebAuthn options and answers are JSON objects the browser's authenticator reads and writes. */
export type WebAuthnJson = Record<string, unknown>;

/** Options to create a passkey for a new account (name and email); the account exists once it is verified. */
export async function signUpOptions(call: AccountCall, person: { name: string; email: string }): Promise<Answer<WebAuthnJson>> {
  const auth = accountAuth(call);
  if (await (await auth.$context).internalAdapter.findUserByEmail(person.email)) {
    throw new DomainError('EMAIL_TAKEN', 'This email already has an account: sign in instead.');
  }
  const context = signPendingSignUp(call.config.SESSION_SECRET, person);
  const { headers, response } = await refusalsAsDomainErrors(() =>
    auth.api.generatePasskeyRegistrationOptions({ query: { context }, headers: headersOf(call), returnHeaders: true }),
  );
  return { value: response as unknown as WebAuthnJson, setCookies: headers.getSetCookie() };
}

/** Creates the account of the pending sign-up with its verified passkey, signs in, and mails the confirmation link. */
export async function signUp(
  call: AccountCall,
  { guestId, response }: { guestId: string | null; response: WebAuthnJson },
): Promise<Answer<SignedIn>> {
  const auth = accountAuth(call);
  const answer = await enter(call, guestId, async () => {
    const verified = await auth.api.verifyPasskeyRegistration({
      body: { response, createSession: true },
      headers: headersOf(call),
      returnHeaders: true,
    });
    const { user, session } = verified.response as unknown as { user?: SignedIn & { id: string }; session?: { token: string } };
    if (!user || !session) throw new DomainError('PASSKEY_FAILED', 'The passkey could not be checked. Try again.');
    return { headers: verified.headers, response: { user, token: session.token } };
  });
  await refusalsAsDomainErrors(() => auth.api.sendVerificationEmail({ body: { email: answer.value.email }, headers: headersOf(call) }));
  return answer;
}

/** Options to sign in with any passkey of this site (the authenticator offers the person's own). */
export async function signInOptions(call: AccountCall): Promise<Answer<WebAuthnJson>> {
  const { headers, response } = await refusalsAsDomainErrors(() =>
    accountAuth(call).api.generatePasskeyAuthenticationOptions({ headers: headersOf(call), returnHeaders: true }),
  );
  return { value: response as unknown as WebAuthnJson, setCookies: headers.getSetCookie() };
}

export function signIn(
  call: AccountCall,
  { guestId, response }: { guestId: string | null; response: WebAuthnJson },
): Promise<Answer<SignedIn>> {
  return enter(call, guestId, async () => {
    const verified = await accountAuth(call).api.verifyPasskeyAuthentication({
      body: { response: response as never },
      headers: headersOf(call),
      returnHeaders: true,
    });
    const { user, session } = verified.response;
    return { headers: verified.headers, response: { user, token: session.token } };
  });
}

/** Options to add a passkey to the signed-in account. */
export async function addOptions(call: AccountCall): Promise<Answer<WebAuthnJson>> {
  const { headers, response } = await refusalsAsDomainErrors(() =>
    accountAuth(call).api.generatePasskeyRegistrationOptions({ headers: headersOf(call), returnHeaders: true }),
  );
  return { value: response as unknown as WebAuthnJson, setCookies: headers.getSetCookie() };
}

export async function add(call: AccountCall, { response, name }: { response: WebAuthnJson; name?: string }): Promise<void> {
  await refusalsAsDomainErrors(() =>
    accountAuth(call).api.verifyPasskeyRegistration({ body: { response, name }, headers: headersOf(call) }),
  );
}

export interface PasskeyView {
  passkeyId: string;
  name: string | null;
  createdAt: string | null;
}

export async function list(call: AccountCall): Promise<PasskeyView[]> {
  const passkeys = await refusalsAsDomainErrors(() => accountAuth(call).api.listPasskeys({ headers: headersOf(call) }));
  return passkeys.map((p) => ({
    passkeyId: p.id,
    name: p.name ?? null,
    createdAt: p.createdAt ? new Date(p.createdAt).toISOString() : null,
  }));
}

export async function remove(call: AccountCall, { passkeyId }: { passkeyId: string }): Promise<void> {
  await refusalsAsDomainErrors(() => accountAuth(call).api.deletePasskey({ body: { id: passkeyId }, headers: headersOf(call) }));
}
