import { expect, keepScreenshot, test } from './fixtures';

test('a fan buys a ticket through the pages alone, and the seat shows sold to others', async ({ fan, newFan, concert }) => {
  const { page } = fan;
  await fan.home.open();
  await expect(fan.home.concertCard(concert.title)).toBeVisible();
  await keepScreenshot(page, 'home');

  await fan.home.getTickets(concert.title);
  // Slots are free, so the waiting room admits at once and forwards to the concert's dates.
  await expect(page).toHaveURL(new RegExp(`/concerts/${concert.concertId}$`));
  await expect(page.getByText(/^Your turn: \d+:\d\d left$/)).toBeVisible();
  await expect(page.getByText('80 of 80 seats free').first()).toBeVisible();
  await keepScreenshot(page, 'dates');

  await fan.seatMap.chooseDate(0);
  await fan.seatMap.expectSeatState('VIP A-1', 'Free');
  await keepScreenshot(page, 'seat-map');
  await fan.seatMap.hold('VIP A-1');

  await fan.checkout.expectHeld('VIP A-1');
  await expect(page.getByText('You need ₩165,000 more to pay for this seat.')).toBeVisible();
  await expect(fan.checkout.payButton()).toBeDisabled();
  await fan.checkout.chargeShortfallButton().click();
  await expect(page.getByTestId('balance')).toHaveText('₩165,000');
  await keepScreenshot(page, 'checkout');
  await fan.checkout.payButton().click();
  await expect(page.getByText(/^Paid! Your tickets are confirmed\./)).toBeVisible();
  await fan.ticket.expectTicket({ concert: concert.title, seats: ['VIP A-1'], amount: '₩165,000', venue: 'Loopback Hall' });

  // Paying ended the turn; My tickets needs the session alone, so no waiting room on the way.
  await page.getByRole('link', { name: 'All my tickets' }).click();
  await expect(page).toHaveURL(/\/reservations$/);
  await expect(fan.myTickets.order(concert.title)).toContainText('VIP A-1');
  await expect(fan.myTickets.order(concert.title)).toContainText('Confirmed');
  await keepScreenshot(page, 'my-tickets');

  const other = await newFan();
  await other.page.goto(`/queue?next=${encodeURIComponent(`/concerts/${concert.concertId}/dates/${concert.scheduleIds[0]}`)}`);
  await other.seatMap.expectSeatState('VIP A-1', 'Sold');
  await expect(other.seatMap.seat('VIP A-1')).toBeDisabled();
});

test('a first visit makes no request that fails and logs no error: home, the waiting room, the seat map, the wallet', async ({
  fan,
  concert,
}) => {
  const { page } = fan;
  const problems: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await fan.home.open();
  await expect(page.getByText(/^Hi, Guest-/)).toBeVisible();
  await expect(fan.home.concertCard(concert.title)).toBeVisible();
  await page.reload();
  await expect(fan.home.concertCard(concert.title)).toBeVisible();
  await fan.home.getTickets(concert.title);
  await fan.seatMap.chooseDate(0);
  await fan.seatMap.expectSeatState('VIP A-1', 'Free');
  await page.reload();
  await fan.seatMap.expectSeatState('VIP A-1', 'Free');
  await fan.wallet.open();
  await expect(fan.wallet.balance()).toBeVisible();
  expect(problems).toEqual([]);
});
