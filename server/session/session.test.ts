import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { signSession } from './signing';
import { SESSION_COOKIE } from './service';

const { db } = await useTestDatabase();
const config = testConfig();

describe('session', () => {
  it('start creates a guest and sets an HttpOnly, SameSite=Lax cookie that me reads back', async () => {
    const user = new TestUser(db, config);
    const started = await user.api.session.start({ name: 'Jiwoo' });
    expect(started).toEqual({ userId: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Jiwoo', account: null });
    const cookie = user.setCookieHeaders.find((h) => h.startsWith(`${SESSION_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // only in production
    expect(await user.api.session.me()).toEqual(started);
  });

  it('marks the session cookie Secure in production', async () => {
    const user = new TestUser(db, testConfig({ NODE_ENV: 'production' }));
    await user.api.session.start();
    expect(user.setCookieHeaders.find((h) => h.startsWith(`${SESSION_COOKIE}=`))).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
  });

  it('gives a guest a name when none is given', async () => {
    const user = await new TestUser(db, config).start();
    expect((await user.api.session.me()).name).toMatch(/^Guest-\d{4}$/);
  });

  it('start again keeps the same user and renames it', async () => {
    const user = await new TestUser(db, config).start('A');
    const again = await user.api.session.start({ name: 'B' });
    expect(again).toEqual({ userId: user.userId, name: 'B', account: null });
  });

  it('refuses calls without a session, and forged or tampered cookies', async () => {
    const anonymous = new TestUser(db, config);
    await expectFailure(anonymous.api.session.me(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
    await expectFailure(anonymous.api.queue.issue({ concertId: 1 }), 'UNAUTHORIZED', 'SESSION_REQUIRED');

    const victim = await new TestUser(db, config).start();
    const forger = new TestUser(db, config);
    forger.cookies.set(SESSION_COOKIE, signSession('not-the-server-secret-but-long-enough!!', victim.userId));
    await expectFailure(forger.api.session.me(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
    forger.cookies.set(SESSION_COOKIE, `v1.${victim.userId}.`);
    await expectFailure(forger.api.session.me(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
  });

  it('rejects a bad name with INVALID_INPUT', async () => {
    const user = new TestUser(db, config);
    await expectFailure(user.api.session.start({ name: 'x'.repeat(41) }), 'BAD_REQUEST', 'INVALID_INPUT');
    await expectFailure(user.api.session.start({ name: '   ' }), 'BAD_REQUEST', 'INVALID_INPUT');
  });
});
