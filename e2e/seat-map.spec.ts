import { expect, keepScreenshot, seatMapOf, test, throughQueue } from './fixtures';

test('keyboard only: one Tab stop into the map, arrows between seats, Enter and Space pick, Tab leaves', async ({ fan, concert }) => {
  const { page } = fan;
  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.expectSeatState('VIP A-1', 'Free');
  // Exactly one seat is in the Tab order.
  await expect(fan.seatMap.grid().locator('[tabindex="0"]')).toHaveCount(1);

  await page.getByRole('button', { name: 'Find the best 2 together' }).focus();
  await page.keyboard.press('Tab');
  await expect(fan.seatMap.seat('VIP A-1')).toBeFocused();
  await expect(page.getByText('VIP A-1 · ₩165,000')).toBeVisible(); // the name and price, shown on focus
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(fan.seatMap.seat('VIP A-3')).toBeFocused();
  await page.keyboard.press('Enter');
  await fan.seatMap.expectSeatState('VIP A-3', 'Selected');
  await page.keyboard.press('ArrowDown');
  await expect(fan.seatMap.seat('VIP B-3')).toBeFocused();
  await page.keyboard.press('Space');
  await fan.seatMap.expectSeatState('VIP B-3', 'Selected');
  // Down from the last VIP row crosses into the next section.
  await page.keyboard.press('ArrowDown');
  await expect(fan.seatMap.seat('R C-3')).toBeFocused();
  await page.keyboard.press('End');
  await expect(fan.seatMap.seat('R C-10')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Home');
  await expect(fan.seatMap.seat('VIP A-1')).toBeFocused();

  // Tab leaves the map in one press, and the hold is reachable from the keyboard.
  await page.keyboard.press('Tab');
  await expect(fan.seatMap.grid().locator(':focus')).toHaveCount(0);
  await fan.seatMap.holdButton().focus();
  await expect(fan.seatMap.holdButton()).toHaveText('Hold 2 seats');
  await page.keyboard.press('Enter');
  await fan.checkout.expectHeld('VIP A-3', 'VIP B-3');
  // After the route change, focus is on the new page's main heading.
  await expect(page.getByRole('heading', { name: 'Checkout', level: 1 })).toBeFocused();
});

test('a skip link is the first Tab stop of a page and goes to the content', async ({ fan }) => {
  const { page } = fan;
  await fan.home.open();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});

test('at phone width (390 px) nothing clips, seats are at least 32 px, and the selection sits at the bottom', async ({
  browser,
  baseURL,
  concert,
}) => {
  const context = await browser.newContext({
    baseURL,
    locale: 'en-US',
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto(throughQueue(seatMapOf(concert)));
  await expect(page.getByRole('heading', { name: 'Choose a seat', level: 1 })).toBeVisible();
  const seat = (label: string) => page.getByRole('button', { name: new RegExp(`^${label},`) });
  await expect(seat('S H-10')).toBeAttached();

  // The page itself never scrolls sideways; a wide hall scrolls inside its own box.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  for (const label of ['VIP A-1', 'S H-10']) {
    const box = (await seat(label).boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(32);
    expect(box.height).toBeGreaterThanOrEqual(32);
  }
  // The last column can be reached and tapped.
  await seat('R E-10').tap();
  await expect(seat('R E-10')).toHaveAccessibleName(/Selected$/);
  const last = (await seat('R E-10').boundingBox())!;
  expect(last.x + last.width).toBeLessThanOrEqual(390);

  // The selection panel is on screen at the bottom while the map is at the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  const hold = page.getByRole('button', { name: 'Hold 1 seat' });
  await expect(hold).toBeInViewport();
  const panel = (await page.getByRole('complementary', { name: /^Your selection/ }).boundingBox())!;
  expect(panel.y + panel.height).toBeGreaterThan(844 - 8);
  await keepScreenshot(page, 'seat-map-phone-selection');
  await context.close();
});

test('an unknown address gets a real 404 page in the visitor’s language, with a way on', async ({ page, browser, baseURL }) => {
  const response = await page.goto('/no-such-page');
  expect(response!.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
  await expect(page).toHaveTitle('Page not found · Concert Tickets');
  await expect(page.getByRole('link', { name: 'See the concerts on sale' })).toBeVisible();

  const ko = await browser.newContext({ baseURL, locale: 'ko-KR' });
  const koPage = await ko.newPage();
  await koPage.goto('/no-such-page');
  await expect(koPage.getByRole('heading', { name: '페이지를 찾을 수 없습니다', level: 1 })).toBeVisible();
  await ko.close();
});

test('with cookies blocked, the site says cookies are needed instead of starting sessions in a loop', async ({ page }) => {
  let starts = 0;
  // The browser drops every cookie the API sets, as it does when cookies are blocked for the site.
  await page.route(
    (url) => url.pathname.startsWith('/api/trpc/'),
    async (route) => {
      if (route.request().url().includes('session.start')) starts += 1;
      const response = await route.fetch();
      // route.fetch shares the context's cookie jar: empty it too.
      await page.context().clearCookies();
      const headers = Object.fromEntries(Object.entries(response.headers()).filter(([name]) => name !== 'set-cookie'));
      await route.fulfill({ response, headers });
    },
  );
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Cookies are needed', level: 1 })).toBeVisible();
  await expect(page.getByText('Allow cookies for this site, then reload the page.')).toBeVisible();
  expect(starts).toBe(1);
});

test('an address of a date that does not exist is the 404 page, and nobody is put in a line for it', async ({ page, concert }) => {
  // (The status stays 200: the page is rendered after the session, in the browser.)
  const issued: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('queue.issue')) issued.push(request.url());
  });
  for (const path of [`/concerts/${concert.concertId}/dates/999999`, `/concerts/${concert.concertId}/dates/abc`]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
    await expect(page.getByRole('link', { name: 'See the concerts on sale' })).toBeVisible();
    await expect(page).toHaveURL(path);
  }
  expect(issued).toEqual([]);
  expect((await page.context().cookies()).map((c) => c.name).filter((name) => name.startsWith('queue_'))).toEqual([]);
});

test('after buying 3 of the 4 seats a fan may buy, the map says 1 more seat before a pick, and no second seat can be added', async ({
  fan,
  concert,
}) => {
  const { page } = fan;
  await page.goto(throughQueue(seatMapOf(concert)));
  await expect(fan.seatMap.selection().getByRole('heading')).toHaveText('Your selection (0 of 4)');
  await expect(page.getByTestId('seats-left')).toHaveCount(0);
  await fan.seatMap.hold('R C-1', 'R C-2', 'R C-3');
  await fan.checkout.chargeShortfallButton().click();
  await fan.checkout.payButton().click();
  await expect(fan.ticket.seatTickets().first()).toBeVisible();

  // Joining again is the fan's own choice, from the ticket.
  await page.getByRole('link', { name: 'Buy more tickets' }).click();
  await fan.seatMap.chooseDate(1);
  await expect(page.getByTestId('seats-left')).toHaveText('1 more seat for this show');
  await expect(fan.seatMap.selection().getByRole('heading')).toHaveText('Your selection (0 of 1)');
  await expect(page.getByRole('group', { name: 'Best available' }).getByLabel('Seats').locator('option')).toHaveText(['1']);
  await keepScreenshot(page, 'seat-map-one-more');

  await fan.seatMap.seat('VIP A-1').click();
  await fan.seatMap.expectSeatState('VIP A-1', 'Selected');
  // Every other free seat is disabled now, and says why when tried.
  await expect(fan.seatMap.seat('VIP A-2')).toHaveAttribute('aria-disabled', 'true');
  // A pointer still reaches it (Playwright will not click an aria-disabled button unless forced).
  await fan.seatMap.seat('VIP A-2').click({ force: true });
  await expect(page.getByRole('main').getByRole('alert')).toHaveText('That is as many seats as you can add. Remove one to pick another.');
  await fan.seatMap.expectSeatState('VIP A-2', 'Free');
  await fan.seatMap.holdButton().click();
  await fan.checkout.expectHeld('VIP A-1');

  // All four held or bought: nothing more can be picked, and the page says so before any try.
  await page.goBack();
  await expect(page.getByTestId('seats-left')).toHaveText(
    'You have the 4 seats one person may buy for this show (held and bought together).',
  );
  await expect(fan.seatMap.seat('VIP A-3')).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByRole('group', { name: 'Best available' }).getByLabel('Seats')).toBeDisabled();
  await expect(fan.seatMap.holdButton()).toBeDisabled();
});
