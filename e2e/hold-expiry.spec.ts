import { expect, seatMapOf, test, throughQueue } from './fixtures';

// This server holds seats for 8 seconds (HOLD_TTL_SECONDS=8).

test('a hold that ran out is refused at payment with a clear message, and its seat is free again', async ({ fan, concert }) => {
  const { page } = fan;
  // The browser's clock stands still, so the page believes time is left: the server has the last word.
  await page.clock.setFixedTime(new Date());
  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.hold('VIP B-3');
  await fan.checkout.expectHeld('VIP B-3');
  await fan.checkout.chargeShortfallButton().click();
  await expect(fan.checkout.payButton()).toBeEnabled();

  // Wait (without sleeping) until the server has let the hold run out.
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/trpc/reservation.list');
        return ((await res.json()) as { result: { data: { label: string; status: string }[] } }).result.data.find(
          (r) => r.label === 'VIP B-3',
        )?.status;
      },
      { timeout: 20_000 },
    )
    .toBe('expired');

  await fan.checkout.payButton().click();
  await expect(
    page.getByRole('alert').filter({ hasText: /^Your hold ran out before payment, and the seats? (was|were) released\./ }),
  ).toBeVisible();
  await page.getByRole('link', { name: 'Back to the seat map' }).click();
  await fan.seatMap.expectSeatState('VIP B-3', 'Free');
});

test('the checkout says so when the countdown reaches zero, and offers the seat map again', async ({ fan, concert }) => {
  const { page } = fan;
  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.hold('S H-10');
  await fan.checkout.expectHeld('S H-10');
  await expect(page.getByRole('heading', { name: 'Seats held for you', level: 2 })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Your hold ran out before payment' })).toBeVisible({ timeout: 20_000 });
  // The heading above the seats says what is true now.
  await expect(page.getByRole('heading', { name: 'Seats no longer held', level: 2 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Seats held for you' })).toHaveCount(0);
  await expect(fan.checkout.payButton()).toHaveCount(0);
  await page.getByRole('link', { name: 'Back to the seat map' }).click();
  await fan.seatMap.expectSeatState('S H-10', 'Free');
});
