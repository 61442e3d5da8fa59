import { expect, keepScreenshot, seatMapOf, test, throughQueue, type Fan, type TestConcert } from './fixtures';

/** Holds the seats as one order, charges exactly what is missing and pays; returns the booking code. */
async function buy(fan: Fan, concert: TestConcert, labels: string[], amount: string) {
  await fan.page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.hold(...labels);
  await fan.checkout.expectHeld(...labels);
  await expect(fan.page.getByTestId('order-total')).toHaveText(amount);
  await fan.checkout.chargeShortfallButton().click();
  await fan.checkout.payButton().click();
  await expect(fan.page.getByText(/^Paid! Your tickets are confirmed\./)).toBeVisible();
  return fan.ticket.expectTicket({ concert: concert.title, seats: labels, amount, venue: 'Loopback Hall' });
}

test('two seats picked and paid in one checkout; the booking with a ticket for each seat at once and again under My tickets, without the waiting room', async ({
  fan,
  concert,
}) => {
  const { page } = fan;
  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.seat('R C-4').click();
  await fan.seatMap.seat('R C-5').click();
  const selection = fan.seatMap.selection();
  await expect(selection.getByRole('listitem')).toHaveCount(2);
  await expect(selection).toContainText('R C-4');
  await expect(selection).toContainText('₩132,000');
  await expect(page.getByTestId('selection-total')).toHaveText('₩264,000');
  await expect(page).toHaveTitle('Choose a seat · Concert Tickets');
  await keepScreenshot(page, 'seat-map-selection');
  await fan.seatMap.holdButton().click();

  // One order, one countdown, one payment.
  await fan.checkout.expectHeld('R C-4', 'R C-5');
  await expect(page.getByRole('main').getByRole('timer')).toHaveCount(1);
  await expect(fan.checkout.chargeShortfallButton()).toHaveText('Charge ₩264,000 and keep my seats');
  await fan.checkout.chargeShortfallButton().click();
  await expect(page.getByTestId('balance')).toHaveText('₩264,000');
  await expect(page).toHaveTitle('Checkout · Concert Tickets');
  await keepScreenshot(page, 'checkout-order');
  await fan.checkout.payButton().click();
  await expect(page.getByText('Paid! Your tickets are confirmed. Wallet balance now ₩0.')).toBeVisible();
  const code = await fan.ticket.expectTicket({
    concert: concert.title,
    seats: ['R C-4', 'R C-5'],
    amount: '₩264,000',
    venue: 'Loopback Hall',
  });
  await expect(page).toHaveTitle('Your ticket · Concert Tickets');
  await keepScreenshot(page, 'ticket');

  // The turn ended with the payment; My tickets and the ticket need the session only.
  await fan.myTickets.open();
  await expect(page).toHaveURL(/\/reservations$/);
  await expect(page).toHaveTitle('My tickets · Concert Tickets');
  const card = fan.myTickets.order(concert.title);
  await expect(card).toContainText('Confirmed');
  await expect(card).toContainText(code);
  await keepScreenshot(page, 'my-tickets-orders');
  await card.getByRole('link', { name: `Booking ${code}` }).click();
  await expect(page).toHaveURL(new RegExp(`/tickets/${code}$`));
  await fan.ticket.expectTicket({ concert: concert.title, seats: ['R C-4', 'R C-5'], amount: '₩264,000', venue: 'Loopback Hall' });
});

test('a ticket opens only for its owner', async ({ fan, newFan, concert }) => {
  const code = await buy(fan, concert, ['S F-2'], '₩99,000');
  const stranger = await newFan();
  await stranger.page.goto(`/tickets/${code}`);
  await expect(stranger.page.getByRole('main').getByRole('alert')).toHaveText(
    `None of your tickets has the booking code ${code}. A ticket opens only for the person who bought it.`,
  );
  await expect(stranger.ticket.seatTickets()).toHaveCount(0);
  await expect(stranger.page.getByRole('link', { name: 'Find another concert' })).toBeVisible();
});

test('best available suggests seats together, selected on the map, and holds them as one order', async ({ fan, concert }) => {
  const { page } = fan;
  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.bestAvailable(3, 'R');
  await expect(page.getByRole('status').filter({ hasText: /^Best available: R C-\d+, R C-\d+, R C-\d+\./ })).toBeVisible();
  const chosen = fan.seatMap.selection().getByRole('listitem');
  await expect(chosen).toHaveCount(3);
  const labels = (await chosen.locator('.selection-seat').allTextContents()).map((s) => s.trim());
  const numbers = labels.map((l) => Number(l.split('-')[1])).sort((a, b) => a - b);
  expect(numbers[2]! - numbers[0]!).toBe(2); // next to each other in one row
  for (const label of labels) await fan.seatMap.expectSeatState(label, 'Selected');
  await expect(page.getByTestId('selection-total')).toHaveText('₩396,000');
  await fan.seatMap.holdButton().click();
  await fan.checkout.expectHeld(...labels);
});

test('a confirmed order is refunded from My tickets after a confirmation, and its seat is on sale again', async ({ fan, concert }) => {
  const { page } = fan;
  const code = await buy(fan, concert, ['VIP B-7'], '₩165,000');

  await fan.myTickets.open();
  const card = fan.myTickets.order(concert.title);
  await expect(card).toContainText(/Refundable until .* KST/);
  await card.getByRole('button', { name: 'Cancel and refund' }).click();
  await expect(card).toContainText(`Cancel booking ${code} and refund ₩165,000 to your wallet? The seats go back on sale.`);
  await keepScreenshot(page, 'refund-confirm');
  await card.getByRole('button', { name: 'Yes, cancel and refund' }).click();
  await expect(fan.myTickets.outcome()).toHaveText('Refunded ₩165,000. Your wallet balance is now ₩165,000.');
  await expect(card).toContainText('Refunded');
  await expect(card.getByRole('button', { name: 'Cancel and refund' })).toHaveCount(0);

  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.expectSeatState('VIP B-7', 'Free');
});

test('when one of the picked seats was just taken, nothing is held: the page names it, drops it and shows it held', async ({
  fan,
  newFan,
  concert,
}) => {
  const { page } = fan;
  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.seat('R D-1').click();
  await fan.seatMap.seat('R D-2').click();
  // Hold this page's map refreshes back while someone else takes R D-2, so the hold is what finds out.
  let release!: () => void;
  const refreshes = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname.includes('concert.seats'),
    async (route) => {
      await refreshes;
      await route.continue();
    },
  );
  const other = await newFan();
  await other.page.goto(throughQueue(seatMapOf(concert)));
  await other.seatMap.hold('R D-2');
  await other.checkout.expectHeld('R D-2');

  await fan.seatMap.holdButton().click();
  await expect(page.getByRole('alert').filter({ hasText: 'Nothing was held: R D-2 had just been taken.' })).toBeVisible();
  release();
  await fan.seatMap.expectSeatState('R D-2', 'Held');
  await fan.seatMap.expectSeatState('R D-1', 'Selected');
  await expect(fan.seatMap.selection().getByRole('listitem')).toHaveCount(1);
  await expect(fan.seatMap.holdButton()).toHaveText('Hold 1 seat');
});

test('going back after paying does not join the line again: the page says the turn ended, and joining is the fan’s choice', async ({
  fan,
  concert,
}) => {
  const { page } = fan;
  await buy(fan, concert, ['S G-4'], '₩99,000');
  const issued: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('queue.issue')) issued.push(request.url());
  });
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`${seatMapOf(concert)}$`));
  await expect(page.getByRole('heading', { name: 'Your turn has ended', level: 1 })).toBeVisible();
  await keepScreenshot(page, 'turn-ended');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Your turn has ended', level: 1 })).toBeVisible();
  expect(issued).toEqual([]);

  await page.getByRole('link', { name: 'Buy more tickets' }).click();
  await fan.seatMap.expectSeatState('S G-4', 'Yours');
  expect(issued).toHaveLength(1);
});
