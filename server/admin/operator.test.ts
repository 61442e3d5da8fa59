import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/server/testing/test-database';
import { concertPlan, signedInOperator } from '@/server/testing/operator';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { OPERATOR_COOKIE, OPERATOR_SESSION_SECONDS, passwordMatches, signOperator, verifyOperator } from './operator';

const { db } = await useTestDatabase();
const config = testConfig({ OPERATOR_PASSWORD: 'the-operator-password', RATE_LIMIT_PER_MINUTE: 1000, OPERATOR_SIGN_IN_PER_MINUTE: 1000 });

const HOUR_MS = 3_600_000;

describe('operator sign-in', () => {
  it('sets a signed, HttpOnly operator cookie for the right password, apart from any fan session', async () => {
    const operator = new TestUser(db, config);
    const { expiresAt } = await operator.api.admin.login({ password: 'the-operator-password' });
    const cookie = operator.setCookieHeaders.find((h) => h.startsWith(`${OPERATOR_COOKIE}=`));
    expect(cookie).toMatch(new RegExp(`; Max-Age=${OPERATOR_SESSION_SECONDS}; HttpOnly; SameSite=Lax$`));
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + OPERATOR_SESSION_SECONDS * 1000 - 60_000);
    expect(operator.cookies.has('sid')).toBe(false);
  });

  it('refuses a wrong password with OPERATOR_LOGIN_FAILED and sets no cookie', async () => {
    const guesser = new TestUser(db, config);
    for (const password of ['wrong', 'the-operator-passwor', 'the-operator-password ', 'THE-OPERATOR-PASSWORD', 'x'.repeat(200)]) {
      await expectFailure(guesser.api.admin.login({ password }), 'UNAUTHORIZED', 'OPERATOR_LOGIN_FAILED');
    }
    expect(guesser.setCookieHeaders).toEqual([]);
  });

  it('is rate limited per address, even for the right password once the limit is spent', async () => {
    const limited = testConfig({ OPERATOR_PASSWORD: 'the-operator-password', RATE_LIMIT_PER_MINUTE: 3, OPERATOR_SIGN_IN_PER_MINUTE: 1000 });
    const guesser = new TestUser(db, limited);
    for (let i = 0; i < 3; i++) {
      await expectFailure(guesser.api.admin.login({ password: `guess-${i}` }), 'UNAUTHORIZED', 'OPERATOR_LOGIN_FAILED');
    }
    const refused = await expectFailure(
      guesser.api.admin.login({ password: 'the-operator-password' }),
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
    );
    expect(refused.cause).toMatchObject({ details: { retryAfterSeconds: expect.any(Number) } });
    expect(guesser.setCookieHeaders).toEqual([]);
    // Another address is not held back by this one.
    await new TestUser(db, limited).api.admin.login({ password: 'the-operator-password' });
  });

  it('logout clears the cookie, after which operator procedures refuse', async () => {
    const operator = await signedInOperator(db, config);
    await operator.api.admin.logout();
    expect(operator.setCookieHeaders.at(-1)).toMatch(new RegExp(`^${OPERATOR_COOKIE}=; .*Max-Age=0`));
    await expectFailure(operator.api.admin.concert.create(concertPlan()), 'FORBIDDEN', 'OPERATOR_REQUIRED');
  });
});

describe('operatorProcedure', () => {
  it('refuses anonymous callers and fans, with a session or an active turn', async () => {
    const anonymous = new TestUser(db, config);
    await expectFailure(anonymous.api.admin.concert.create(concertPlan()), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    const fan = await new TestUser(db, config).start();
    await expectFailure(fan.api.admin.concert.create(concertPlan()), 'FORBIDDEN', 'OPERATOR_REQUIRED');
  });

  it('refuses forged, tampered, expired cookies, those signed under an older password, and a session the database does not have', async () => {
    const now = Date.now();
    const signedIn = await signedInOperator(db, config);
    const genuine = signedIn.cookies.get(OPERATOR_COOKIE)!;
    const [version, sessionId, expires, signature] = genuine.split('.');
    const expiresAt = new Date(Number(expires) * 1000);
    const forged = [
      'o1.9999999999.AAAA',
      `${version}.${sessionId}.${Number(expires) + 3600}.${signature}`,
      `${version}.${randomUUID()}.${expires}.${signature}`,
      `${version}.${sessionId}.${expires}.${signature}x`,
      `${genuine}.extra`,
      signOperator(config, { sessionId: sessionId!, expiresAt: new Date(now - 1000) }),
      signOperator({ ...config, OPERATOR_PASSWORD: 'an-older-password' }, { sessionId: sessionId!, expiresAt }),
      signOperator({ ...config, SESSION_SECRET: 'another-secret-0123456789abcdef-xyz' }, { sessionId: sessionId!, expiresAt }),
    ];
    for (const value of forged) {
      expect(verifyOperator(config, value, now), value).toBe(false);
      const caller = new TestUser(db, config);
      caller.cookies.set(OPERATOR_COOKIE, value);
      await expectFailure(caller.api.admin.concert.create(concertPlan()), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    }
    // Genuinely signed, but no session of the database: the request layer admits it, the middleware refuses it.
    const unknown = signOperator(config, { sessionId: randomUUID(), expiresAt });
    expect(verifyOperator(config, unknown, now)).toBe(true);
    const stranger = new TestUser(db, config);
    stranger.cookies.set(OPERATOR_COOKIE, unknown);
    await expectFailure(stranger.api.admin.concert.create(concertPlan()), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    expect(verifyOperator(config, genuine, now)).toBe(true);
    expect(verifyOperator(config, genuine, now + OPERATOR_SESSION_SECONDS * 1000 + 1000)).toBe(false);
    expect(verifyOperator(config, genuine, now + 11 * HOUR_MS)).toBe(true);
  });

  it('lets a signed-in operator in without a fan session', async () => {
    const operator = await signedInOperator(db, config);
    expect(operator.cookies.has('sid')).toBe(false);
    expect(await operator.api.admin.concert.create(concertPlan())).toMatchObject({ concertId: expect.any(Number) });
  });

  it('compares passwords by their digests', () => {
    expect(passwordMatches(config, 'the-operator-password')).toBe(true);
    expect(passwordMatches(config, '')).toBe(false);
    expect(passwordMatches(config, 'the-operator-password-and-more')).toBe(false);
  });
});
