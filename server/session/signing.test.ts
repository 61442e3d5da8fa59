import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signSession, verifySession } from './signing';

const secret = 'a-test-secret-that-is-long-enough-000';

describe('session signing', () => {
  it('verifies what it signed', () => {
    const userId = randomUUID();
    expect(verifySession(secret, signSession(secret, userId))).toBe(userId);
  });

  it('refuses another secret, another user id, truncation and junk', () => {
    const userId = randomUUID();
    const value = signSession(secret, userId);
    expect(verifySession(`${secret}!`, value)).toBeNull();
    expect(verifySession(secret, value.replace(userId, randomUUID()))).toBeNull();
    expect(verifySession(secret, value.slice(0, -1))).toBeNull();
    for (const junk of [undefined, null, '', 'v1..', `v2.${userId}.x`, 'x'.repeat(500)]) expect(verifySession(secret, junk)).toBeNull();
  });
});
