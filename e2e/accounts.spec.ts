import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { localhostOf } from '@/playwright.config';
import { expect, expectNoViolations, keepScreenshot, seatMapOf, test, throughQueue, type Fan } from './fixtures';
import { mailTo } from './mailbox';
import { AccountPages } from './pages/account';

const PASSWORD = 'a long enough password';
const newEmail = (who: string) => `${who}-${randomBytes(4).toString('hex')}@example.com`;

/** A virtual authenticator in this page's Chromium (Chrome DevTools Protocol), which answers at once. */
async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

test('a guest who bought two seats and has a balance signs up and keeps both; signed in on a phone, the same ticket shows', async ({
  fan,
  newFan,
  concert,
}) => {
  const { page } = fan;
  // As a guest: two seats bought, then ₩50,000 in the wallet (joining the line again for it: a guest's wallet needs a turn).
  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.hold('R C-4', 'R C-5');
  await fan.checkout.expectHeld('R C-4', 'R C-5');
  await fan.checkout.chargeShortfallButton().click();
  await fan.checkout.payButton().click();
  const code = await fan.ticket.expectTicket({
    concert: concert.title,
    seats: ['R C-4', 'R C-5'],
    amount: '₩264,000',
    venue: 'Loopback Hall',
  });
  await page.goto(throughQueue('/wallet', concert));
  await expect(page.getByRole('heading', { name: 'Wallet', level: 1 })).toBeVisible();
  await fan.wallet.chargeButton('₩50,000').click();
  await expect(fan.wallet.balance()).toHaveText('₩50,000');

  const email = newEmail('laptop');
  await fan.account.signUp({ name: 'Minji Kim', email, password: PASSWORD });
  // The account has what the guest had: the ticket, and the balance, readable without queueing.
  await fan.myTickets.open();
  await expect(fan.myTickets.order(concert.title)).toContainText(code);
  await fan.wallet.open();
  await expect(fan.wallet.balance()).toHaveText('₩50,000');
  await expect(page.getByRole('listitem').filter({ hasText: /^Moved from your guest visit/ })).toBeVisible();

  // Another device: a phone, signed in, sees and shows the same ticket.
  const phone: Fan = await newFan();
  await phone.page.setViewportSize({ width: 390, height: 844 });
  await phone.page.goto('/');
  await phone.account.signIn({ email, password: PASSWORD });
  await phone.myTickets.open();
  const card = phone.myTickets.order(concert.title);
  await expect(card).toContainText(code);
  await card.getByRole('link', { name: `Booking ${code}` }).click();
  await phone.ticket.expectTicket({ concert: concert.title, seats: ['R C-4', 'R C-5'], amount: '₩264,000', venue: 'Loopback Hall' });
  await keepScreenshot(phone.page, 'account-ticket-on-phone');

  // Both devices are listed; the laptop signs the phone out.
  await fan.account.open();
  await expect(page.getByRole('region', { name: 'Devices signed in' }).getByRole('listitem')).toHaveCount(2);
  await keepScreenshot(page, 'account');
  await expectNoViolations(page, 'account');
  await page.getByRole('button', { name: 'Sign out all other devices' }).click();
  await expect(page.getByRole('region', { name: 'Devices signed in' }).getByRole('listitem')).toHaveCount(1);
});

test('signing up mails a confirmation link through SMTP, and the link confirms the address', async ({ fan }) => {
  const { page } = fan;
  await page.goto('/');
  const email = newEmail('mail');
  await fan.account.signUp({ name: 'Jiwoo', email, password: PASSWORD });
  await fan.account.open();
  await expect(page.getByText('Not confirmed yet: we sent you a link.')).toBeVisible();

  const mail = await mailTo(email, /Confirm your email address/);
  const link = /http:\/\/localhost:\d+\/account\/verify\?token=\S+/.exec(mail.text)?.[0];
  expect(link, mail.text).toBeDefined();
  // The link names the site's origin (APP_ORIGIN); this test browses it by address: same server, same cookies.
  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await expect(page.getByRole('status').filter({ hasText: 'Your email address is confirmed.' })).toBeVisible();
  await expectNoViolations(page, 'verified');
});

test('signing up with a passkey (a virtual authenticator), signing out, and signing in with it', async ({ browser }) => {
  // WebAuthn needs a domain, not an address: this test browses the server as localhost.
  const context = await browser.newContext({ baseURL: localhostOf('main'), locale: 'en-US' });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  const account = new AccountPages(page);

  await page.goto('/account/sign-up');
  await page.getByLabel('Name').fill('Passkey Fan');
  await page.getByLabel('Email').fill(newEmail('passkey'));
  await page.getByRole('button', { name: 'Create with a passkey instead of a password' }).click();
  await account.expectSignedIn();

  await account.open();
  await expect(account.passkeys()).toHaveCount(1);
  await keepScreenshot(page, 'account-passkey');
  await expectNoViolations(page, 'account with a passkey');
  await account.signOut();

  await page.goto('/account/sign-in');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await account.expectSignedIn();
  await account.open();
  await expect(account.passkeys()).toHaveCount(1);
  await context.close();
});
