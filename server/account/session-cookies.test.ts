import { getCookieCache } from 'better-auth/cookies';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/server/testing/test-database';
import { testConfig, TestUser } from '@/server/testing/test-user';
import { SESSION_COPY_SECONDS } from './auth';
import { accountCookieNames, verifySessionCopy, verifySessionToken } from './session-cookies';

const { db } = await useTestDatabase();
const config = testConfig();
const names = accountCookieNames(false);

/** A signed-in browser's two cookies, as the library set them. */
async function signedIn() {
  const fan = await new TestUser(db, config).start();
  const { userId } = await fan.api.account.signUp({
    name: 'Cookie',
    email: `cookie-${Date.now()}-${Math.random()}@example.com`,
    password: 'a long password',
  });
  return { userId, token: fan.cookies.get(names.token)!, copy: fan.cookies.get(names.copy)! };
}

const libraryReads = (copy: string) =>
  getCookieCache(new Headers({ cookie: `${names.copy}=${copy}` }), {
    secret: config.SESSION_SECRET,
    cookiePrefix: 'account',
    isSecure: false,
  });

describe('the session cookies, checked without the database', () => {
  it('accept what the library signed, as the library does', async () => {
    const { userId, token, copy } = await signedIn();
    expect(verifySessionToken(config.SESSION_SECRET, encodeURIComponent(token))).toBe(true);
    expect(verifySessionCopy(config.SESSION_SECRET, copy)).toMatchObject({ userId });
    expect((await libraryReads(copy))?.user.id).toBe(userId);
  });

  it('refuse a tampered, foreign or out-of-date copy, as the library does', async () => {
    const { token, copy } = await signedIn();
    const decoded = JSON.parse(Buffer.from(copy, 'base64url').toString()) as { session: { user: { id: string } } };
    decoded.session.user.id = crypto.randomUUID();
    const tampered = Buffer.from(JSON.stringify(decoded)).toString('base64url');
    for (const forged of [tampered, copy.slice(0, -2), 'x'.repeat(5000), '']) {
      expect(verifySessionCopy(config.SESSION_SECRET, forged)).toBeNull();
      expect(await libraryReads(forged).catch(() => null)).toBeNull();
    }
    expect(verifySessionCopy('another secret of at least thirty-two chars', copy)).toBeNull();
    expect(verifySessionCopy(config.SESSION_SECRET, copy, Date.now() + (SESSION_COPY_SECONDS + 1) * 1000)).toBeNull();
    expect(verifySessionToken(config.SESSION_SECRET, encodeURIComponent(token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))))).toBe(false);
    expect(verifySessionToken(config.SESSION_SECRET, 'no-signature')).toBe(false);
  });
});
