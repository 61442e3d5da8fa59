import { afterAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer } from '@/server/testing/smtp-server';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { accountCookieNames } from './session-cookies';

const { db } = await useTestDatabase();
const smtp = await startTestSmtpServer();
afterAll(() => smtp.close());
const config = testConfig({ SMTP_URL: smtp.url, APP_ORIGIN: 'http://tickets.test' });
const names = accountCookieNames(false);

let people = 0;
const newEmail = () => `mail${++people}-${Date.now()}@example.com`;

/** The token of the first link to this site's `path` in a mail. */
function linkToken(text: string, path: string): string {
  const match = new RegExp(`http://tickets\\.test${path}\\?token=([^\\s]+)`).exec(text);
  expect(match, `a link to ${path} in:\n${text}`).not.toBeNull();
  return decodeURIComponent(match![1]!);
}

describe('account mail over SMTP', () => {
  it('signing up mails a confirmation link that confirms the address once', async () => {
    const email = newEmail();
    const fan = await new TestUser(db, config).start();
    await fan.api.account.signUp({ name: 'Mail', email, password: 'a long password' });
    const mail = await smtp.waitForMail({ to: email, subject: /Confirm your email/ });
    const token = linkToken(mail.text, '/account/verify');
    fan.cookies.delete(names.copy); // read the session again rather than the minute-old copy
    expect((await fan.api.session.me()).account).toMatchObject({ emailVerified: false });

    await fan.api.account.verifyEmail({ token });
    fan.cookies.delete(names.copy);
    expect((await fan.api.session.me()).account).toMatchObject({ email, emailVerified: true });
    await expectFailure(fan.api.account.verifyEmail({ token: `${token}x` }), 'BAD_REQUEST', 'LINK_INVALID');
  });

  it('a password reset link sets a new password once and signs every device out; an unknown email gets the same answer and no mail', async () => {
    const email = newEmail();
    const laptop = await new TestUser(db, config).start();
    await laptop.api.account.signUp({ name: 'Reset', email, password: 'the old password' });
    await smtp.waitForMail({ to: email, subject: /Confirm/ });

    const stranger = new TestUser(db, config);
    expect(await stranger.api.account.requestPasswordReset({ email })).toBeNull();
    expect(await stranger.api.account.requestPasswordReset({ email: newEmail() })).toBeNull();
    const mail = await smtp.waitForMail({ to: email, subject: /Reset your password/ });
    const token = linkToken(mail.text, '/account/reset');

    await stranger.api.account.resetPassword({ token, password: 'the new password' });
    await expectFailure(stranger.api.account.resetPassword({ token, password: 'another new one' }), 'BAD_REQUEST', 'LINK_INVALID');
    laptop.cookies.delete(names.copy);
    await expectFailure(laptop.api.session.me(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
    await expectFailure(
      new TestUser(db, config).api.account.signIn({ email, password: 'the old password' }),
      'UNAUTHORIZED',
      'SIGN_IN_FAILED',
    );
    expect(await new TestUser(db, config).api.account.signIn({ email, password: 'the new password' })).toMatchObject({ email });
    expect(smtp.received.filter((m) => m.subject.includes('Reset'))).toHaveLength(1);
  });
});
