'use client';

import { startAuthentication, startRegistration, WebAuthnAbortService } from '@simplewebauthn/browser';

/**
 * The browser's half of a passkey ceremony (@simplewebauthn/browser): the server's options go to the
 * authenticator, its answer goes back to the server untouched. A person who cancels gets `null`.
 */
type Options = Record<string, unknown>;

const cancelled = (error: unknown) => error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError');

export async function createPasskey(options: Options): Promise<Record<string, unknown> | null> {
  try {
    return (await startRegistration({ optionsJSON: options as never })) as unknown as Record<string, unknown>;
  } catch (error) {
    if (cancelled(error)) return null;
    throw error;
  }
}

export async function signWithPasskey(options: Options): Promise<Record<string, unknown> | null> {
  try {
    return (await startAuthentication({ optionsJSON: options as never })) as unknown as Record<string, unknown>;
  } catch (error) {
    if (cancelled(error)) return null;
    throw error;
  }
}

export const cancelPasskey = () => WebAuthnAbortService.cancelCeremony();

/** Whether this browser can use passkeys at all. */
export const passkeysSupported = () => typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';
