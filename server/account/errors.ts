import { APIError } from 'better-auth/api';
import { DomainError } from '@/server/errors';

/**
 * The one place the library's refusals become domain errors. Anything not listed is not a refusal
 * of the caller's input and is rethrown as it is (a 500, logged).
 */
const REFUSALS: Record<string, () => DomainError> = {
  INVALID_EMAIL_OR_PASSWORD: () => new DomainError('SIGN_IN_FAILED', 'The email or the password is not right.'),
  INVALID_PASSWORD: () => new DomainError('SIGN_IN_FAILED', 'The email or the password is not right.'),
  USER_ALREADY_EXISTS: () => new DomainError('EMAIL_TAKEN', 'This email already has an account: sign in instead.'),
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: () => new DomainError('EMAIL_TAKEN', 'This email already has an account: sign in instead.'),
  INVALID_TOKEN: () => new DomainError('LINK_INVALID', 'This link is not valid any more. Ask for a new one.'),
  TOKEN_EXPIRED: () => new DomainError('LINK_INVALID', 'This link is not valid any more. Ask for a new one.'),
  PASSWORD_TOO_SHORT: () => new DomainError('INVALID_INPUT', 'The password is too short.'),
  PASSWORD_TOO_LONG: () => new DomainError('INVALID_INPUT', 'The password is too long.'),
  INVALID_EMAIL: () => new DomainError('INVALID_INPUT', 'This is not an email address.'),
  // The passkey plugin's: a ceremony that was not finished, not this site's, or a passkey it does not know.
  CHALLENGE_NOT_FOUND: () => new DomainError('PASSKEY_FAILED', 'The passkey step ran out or was already used. Try again.'),
  FAILED_TO_VERIFY_REGISTRATION: () => new DomainError('PASSKEY_FAILED', 'The passkey could not be checked. Try again.'),
  AUTHENTICATION_FAILED: () => new DomainError('PASSKEY_FAILED', 'The passkey could not be checked. Try again.'),
  PASSKEY_NOT_FOUND: () => new DomainError('PASSKEY_FAILED', 'This passkey is not known here.'),
  YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY: () => new DomainError('PASSKEY_FAILED', 'This passkey step belongs to another account.'),
  SESSION_NOT_FRESH: () => new DomainError('SIGN_IN_AGAIN', 'Sign in again (or give your password) to confirm.'),
  CREDENTIAL_ACCOUNT_NOT_FOUND: () => new DomainError('SIGN_IN_FAILED', 'This account has no password: leave it empty.'),
  EMAIL_ALREADY_VERIFIED: () => new DomainError('INVALID_INPUT', 'This email address is confirmed already.'),
};

/** Runs a call into the library, turning its refusals into domain errors. */
export async function refusalsAsDomainErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof APIError) {
      const code = (error.body as { code?: string } | undefined)?.code;
      const refusal = code ? REFUSALS[code] : undefined;
      if (refusal) throw refusal();
      if (error.statusCode === 401) throw new DomainError('ACCOUNT_REQUIRED', 'Sign in first.');
    }
    throw error;
  }
}
