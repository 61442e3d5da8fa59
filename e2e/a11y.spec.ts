import { expect, expectNoViolations, seatMapOf, test, throughQueue } from './fixtures';

test('axe finds no violations on the main pages: home, seat map, checkout, ticket, wallet, my tickets', async ({ fan, concert }) => {
  // Six axe runs of a few seconds each: more than the default minute on a busy machine.
  test.slow();
  const { page } = fan;
  await fan.home.open();
  await expect(fan.home.concertCard(concert.title)).toBeVisible();
  await expectNoViolations(page, 'home');

  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.seat('VIP A-4').click();
  await fan.seatMap.expectSeatState('VIP A-4', 'Selected');
  await expectNoViolations(page, 'seat map');

  await fan.seatMap.holdButton().click();
  await fan.checkout.expectHeld('VIP A-4');
  await expect(fan.checkout.chargeShortfallButton()).toBeVisible();
  await expectNoViolations(page, 'checkout');

  await fan.checkout.chargeShortfallButton().click();
  await fan.checkout.payButton().click();
  await expect(fan.ticket.qrCode()).toBeVisible();
  await expectNoViolations(page, 'ticket');

  await fan.myTickets.open();
  await expect(fan.myTickets.order(concert.title)).toBeVisible();
  await expectNoViolations(page, 'my tickets');

  await page.goto(throughQueue('/wallet'));
  await expect(fan.wallet.balance()).toBeVisible();
  await expectNoViolations(page, 'wallet');
});
