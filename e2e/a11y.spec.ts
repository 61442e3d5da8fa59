import { expect, expectNoViolations, type Fan, seatMapOf, test, type TestConcert, throughQueue } from './fixtures';

/**
 * Every main page passes axe, each page in a test of its own: an axe run takes seconds on a busy
 * machine, and each page gets the whole test timeout for its own steps and its one run. (Each checks
 * its page itself, so the fixtures' check at the end of every test is not run twice here.)
 */
test.use({ axeAtEnd: false });

/** The seat map with a seat selected. */
async function selectSeat(fan: Fan, concert: TestConcert) {
  await fan.page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.seat('VIP A-4').click();
  await fan.seatMap.expectSeatState('VIP A-4', 'Selected');
}

/** The checkout of a held seat, offering to charge the wallet's shortfall. */
async function holdSeat(fan: Fan, concert: TestConcert) {
  await selectSeat(fan, concert);
  await fan.seatMap.holdButton().click();
  await fan.checkout.expectHeld('VIP A-4');
  await expect(fan.checkout.chargeShortfallButton()).toBeVisible();
}

/** The ticket of a paid seat. */
async function buyTicket(fan: Fan, concert: TestConcert) {
  await holdSeat(fan, concert);
  await fan.checkout.chargeShortfallButton().click();
  await fan.checkout.payButton().click();
  await expect(fan.ticket.seatTickets().first()).toBeVisible();
}

test.describe('axe finds no violations on the main pages', () => {
  test('home', async ({ fan, concert }) => {
    await fan.home.open();
    await expect(fan.home.concertCard(concert.title)).toBeVisible();
    await expectNoViolations(fan.page, 'home');
  });

  test('seat map', async ({ fan, concert }) => {
    await selectSeat(fan, concert);
    await expectNoViolations(fan.page, 'seat map');
  });

  test('checkout', async ({ fan, concert }) => {
    await holdSeat(fan, concert);
    await expectNoViolations(fan.page, 'checkout');
  });

  test('ticket', async ({ fan, concert }) => {
    await buyTicket(fan, concert);
    await expectNoViolations(fan.page, 'ticket');
  });

  test('a seat’s ticket', async ({ fan, concert }) => {
    await buyTicket(fan, concert);
    await fan.ticket.seatTicketLink('VIP A-4').click();
    await expect(fan.seatTicket.qrCode()).toBeVisible();
    await expect(fan.seatTicket.transferSection()).toBeVisible();
    await expectNoViolations(fan.page, 'seat ticket');
  });

  test('my tickets', async ({ fan, concert }) => {
    await buyTicket(fan, concert);
    await fan.myTickets.open();
    await expect(fan.myTickets.order(concert.title)).toBeVisible();
    await expectNoViolations(fan.page, 'my tickets');
  });

  test('wallet', async ({ fan, concert }) => {
    // With a charge and a payment in its history, as a buyer sees it.
    await buyTicket(fan, concert);
    await fan.page.goto(throughQueue('/wallet'));
    await expect(fan.wallet.balance()).toBeVisible();
    await expectNoViolations(fan.page, 'wallet');
  });

  for (const [name, path, heading] of [
    ['sign in', '/account/sign-in', 'Sign in'],
    ['sign up', '/account/sign-up', 'Create an account'],
    ['forgotten password', '/account/forgot', 'Reset your password'],
    ['new password', '/account/reset?token=a-reset-token-from-a-mail', 'Set a new password'],
    ['a confirmation link that is not valid', '/account/verify?token=not-a-valid-token', 'Confirm your email'],
  ] as const) {
    test(name, async ({ page }) => {
      await page.goto(path);
      await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
      // Each page's calls answered (the confirmation link's refusal shown), then axe.
      await page.waitForLoadState('networkidle');
      await expectNoViolations(page, name);
    });
  }

  test.describe('a sale for accounts only', () => {
    test.use({ sale: { audience: 'accounts' } });
    test('the waiting room a guest meets', async ({ fan, concert }) => {
      await fan.page.goto(throughQueue(seatMapOf(concert)));
      await expect(fan.page.getByRole('status').filter({ hasText: /^This sale is for signed-in fans/ })).toBeVisible();
      await expect(fan.page.getByRole('link', { name: 'Sign in' }).last()).toHaveAttribute('href', /^\/account\/sign-in\?next=/);
      await expectNoViolations(fan.page, 'accounts-only waiting room');
    });
  });
});
