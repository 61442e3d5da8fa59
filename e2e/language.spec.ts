import { expect, keepScreenshot, seatMapOf, test, throughQueue } from './fixtures';

test('a Korean browser gets Korean, and the switch changes and keeps the language', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, locale: 'ko-KR' });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '공연', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: /^예매하기/ }).first()).toBeVisible();

  await page.getByRole('button', { name: '언어' }).click();
  await expect(page.getByRole('heading', { name: 'Concerts', exact: true })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Concerts', exact: true })).toBeVisible();
  await context.close();
});

test('the seat map works from the keyboard: every seat is a labelled button in a grid', async ({ fan, concert }) => {
  const { page } = fan;
  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.expectSeatState('VIP A-2', 'Free');
  await expect(fan.seatMap.seat('VIP A-2')).toHaveAccessibleName('VIP A-2, ₩165,000, Free');
  await fan.seatMap.seat('VIP A-1').focus();
  await page.keyboard.press('ArrowRight');
  await expect(fan.seatMap.seat('VIP A-2')).toBeFocused();
  await page.keyboard.press('Enter');
  await fan.seatMap.expectSeatState('VIP A-2', 'Selected');
  await fan.seatMap.holdButton().click();
  await fan.checkout.expectHeld('VIP A-2');
});

test('on a phone-width screen in Korean, the seat map fits and reads well', async ({ browser, baseURL, concert }) => {
  const context = await browser.newContext({
    baseURL,
    locale: 'ko-KR',
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto(throughQueue(seatMapOf(concert)));
  await expect(page.getByRole('heading', { name: '좌석 선택' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'VIP A-1, ₩165,000, 선택 가능' })).toBeVisible();
  // Nothing is wider than the screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await keepScreenshot(page, 'seat-map-phone-ko');
  await page.goto('/');
  await keepScreenshot(page, 'home-phone-ko');
  await context.close();
});

test('an unknown concert is the 404 page in both languages, not the waiting room', async ({ browser, baseURL }) => {
  for (const [locale, heading, link] of [
    ['en-US', 'Page not found', 'See the concerts on sale'],
    ['ko-KR', '페이지를 찾을 수 없습니다', '예매 중인 공연 보기'],
  ] as const) {
    const context = await browser.newContext({ baseURL, locale });
    const page = await context.newPage();
    for (const path of ['/concerts/999999', '/concerts/999999/draw', '/concerts/0', '/concerts/x1']) {
      await page.goto(path);
      await expect(page).toHaveURL(path);
      await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
      await expect(page.getByRole('link', { name: link })).toBeVisible();
    }
    await keepScreenshot(page, `not-found-${locale}`);
    await context.close();
  }
});

test('the tab title is in one language at a time', async ({ browser, baseURL }) => {
  for (const [locale, home] of [
    ['en-US', 'Concert Tickets'],
    ['ko-KR', '콘서트 티켓'],
  ] as const) {
    const context = await browser.newContext({ baseURL, locale });
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page).toHaveTitle(home);
    await page.goto('/queue');
    await expect(page).toHaveTitle(locale === 'en-US' ? 'Waiting room · Concert Tickets' : '대기실 · 콘서트 티켓');
    await context.close();
  }
});
