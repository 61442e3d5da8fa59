import { expect, keepScreenshot, loseFirstAnswer, seatMapOf, test, throughQueue } from './fixtures';

test('charging the wallet: presets and custom amounts, invalid amounts refused by the form and the API', async ({ fan, concert }) => {
  const { page } = fan;
  await page.goto(throughQueue('/wallet', concert));
  await expect(page.getByRole('heading', { name: 'Wallet', level: 1 })).toBeVisible();
  await expect(fan.wallet.balance()).toHaveText('₩0');
  await expect(page.getByText('No transactions yet.')).toBeVisible();

  await page.getByRole('button', { name: 'Charge ₩50,000' }).click();
  await expect(fan.wallet.balance()).toHaveText('₩50,000');

  for (const amount of ['0', '1.5', '1000001', 'abc', '-3']) {
    await fan.wallet.chargeCustom(amount);
    await expect(page.getByRole('alert').filter({ hasText: 'Enter a whole number of won from 1 to 1,000,000.' })).toBeVisible();
    await expect(page.getByLabel('Amount (won)')).toHaveAttribute('aria-invalid', 'true');
  }
  await expect(fan.wallet.balance()).toHaveText('₩50,000');

  // The API refuses the same amounts, whatever the form does, and moves no money.
  for (const amount of [0, 1.5, 1_000_001, -3]) {
    const res = await page.request.post('/api/trpc/wallet.charge', { data: { amount } });
    expect(res.status()).toBe(400);
    expect((await res.json()).error.data).toMatchObject({ reason: 'INVALID_INPUT', fieldErrors: { amount: expect.any(Array) } });
  }

  await fan.wallet.chargeCustom('12,345');
  await expect(fan.wallet.balance()).toHaveText('₩62,345');
  const history = page.getByRole('listitem').filter({ hasText: 'Charge' });
  await expect(history).toHaveCount(2);
  await expect(history.first()).toContainText('+₩12,345');
  await keepScreenshot(page, 'wallet');
});

test('a charge whose answer is lost on the way back is sent again with the same key, and charged once', async ({ fan, concert }) => {
  const { page } = fan;
  await page.goto(throughQueue('/wallet', concert));
  await expect(fan.wallet.balance()).toHaveText('₩0');
  const lost = await loseFirstAnswer(page, 'wallet.charge');

  await fan.wallet.chargeButton('₩50,000').click();
  await expect(fan.wallet.retrying()).toBeVisible();
  expect(await lost.firstStatus).toBe(200); // the server charged; the browser saw a network error
  lost.release();
  await expect(page.getByRole('status').filter({ hasText: 'Charged ₩50,000.' })).toBeVisible();
  await expect(fan.wallet.retrying()).toBeHidden();
  await expect(fan.wallet.balance()).toHaveText('₩50,000');
  await expect(fan.wallet.entries('Charge')).toHaveCount(1);
  expect(lost.keys).toHaveLength(2);
  expect(lost.keys[1]).toBe(lost.keys[0]);
  await keepScreenshot(page, 'wallet-retried');

  // A new click is a new charge, with a new key.
  await fan.wallet.chargeButton('₩50,000').click();
  await expect(fan.wallet.balance()).toHaveText('₩100,000');
  expect(lost.keys).toHaveLength(3);
  expect(lost.keys[2]).not.toBe(lost.keys[0]);
  await page.reload();
  await expect(fan.wallet.balance()).toHaveText('₩100,000');
  await expect(fan.wallet.entries('Charge')).toHaveCount(2);
});

test('in Korean, the page says it is trying again', async ({ browser, baseURL, concert }) => {
  const context = await browser.newContext({ baseURL, locale: 'ko-KR' });
  const page = await context.newPage();
  await page.goto(throughQueue('/wallet', concert));
  await expect(page.getByRole('heading', { name: '지갑', level: 1 })).toBeVisible();
  const lost = await loseFirstAnswer(page, 'wallet.charge');
  await page.getByRole('button', { name: '₩10,000 충전' }).click();
  await expect(page.getByRole('status').filter({ hasText: '연결이 끊겨 다시 시도하는 중입니다… 한 번만 처리됩니다.' })).toBeVisible();
  await keepScreenshot(page, 'wallet-retrying-ko');
  lost.release();
  await expect(page.getByRole('status').filter({ hasText: '₩10,000 충전했습니다.' })).toBeVisible();
  await expect(page.getByTestId('wallet-balance')).toHaveText('₩10,000');
  await context.close();
});

test('a payment whose answer is lost on the way back is sent again with the same key, and paid once', async ({ fan, concert }) => {
  const { page } = fan;
  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.hold('VIP A-1');
  await fan.checkout.expectHeld('VIP A-1');
  await fan.checkout.chargeShortfallButton().click();
  await expect(page.getByTestId('balance')).toHaveText('₩165,000');
  const lost = await loseFirstAnswer(page, 'order.pay');

  await fan.checkout.payButton().click();
  await expect(fan.checkout.retrying()).toBeVisible();
  expect(await lost.firstStatus).toBe(200);
  await keepScreenshot(page, 'checkout-retrying');
  lost.release();
  await expect(page.getByText('Paid! Your tickets are confirmed. Wallet balance now ₩0.')).toBeVisible();
  expect(lost.keys).toHaveLength(2);
  expect(lost.keys[1]).toBe(lost.keys[0]);
  await keepScreenshot(page, 'checkout-retried');

  // Paying ended the turn: the wallet is behind the waiting room again (which admits at once here).
  await page.goto(throughQueue('/wallet', concert));
  await expect(fan.wallet.balance()).toHaveText('₩0');
  await expect(fan.wallet.entries('Ticket payment')).toHaveCount(1);
  await expect(fan.wallet.entries('Charge')).toHaveCount(1);
});

/** A tRPC batch answer of one error, as the server words it. */
const errorAnswer = (status: number, reason: string, extra: Record<string, unknown> = {}) => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify([{ error: { message: reason, code: -32000, data: { reason, httpStatus: status, ...extra } } }]),
});

test('a charge the server answers "try again" is retried with the same key; a refusal is not retried', async ({ fan, concert }) => {
  const { page } = fan;
  await page.goto(throughQueue('/wallet', concert));
  await expect(fan.wallet.balance()).toHaveText('₩0');
  const keys: string[] = [];
  const answers = [errorAnswer(503, 'UNAVAILABLE'), null, errorAnswer(400, 'BALANCE_LIMIT', { balance: 10_000, maxCharge: 0 }), null];
  await page.route(
    (url) => url.pathname === '/api/trpc/wallet.charge',
    async (route) => {
      keys.push((route.request().postDataJSON() as Record<string, { idempotencyKey: string }>)['0']!.idempotencyKey);
      const answer = answers[keys.length - 1];
      await (answer ? route.fulfill(answer) : route.continue());
    },
  );

  await fan.wallet.chargeButton('₩10,000').click();
  await expect(page.getByRole('status').filter({ hasText: 'Charged ₩10,000.' })).toBeVisible();
  await expect(fan.wallet.balance()).toHaveText('₩10,000');
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);

  // A refusal is shown at once, without retries (they would keep the call pending for seconds).
  await fan.wallet.chargeButton('₩10,000').click();
  await expect(page.getByRole('alert').filter({ hasText: 'A wallet can hold at most ₩100,000,000.' })).toBeVisible();
  expect(keys).toHaveLength(3);
  expect(keys[2]).not.toBe(keys[0]);
  // Nothing moved, so the next click may (and does) use a new key.
  await fan.wallet.chargeButton('₩10,000').click();
  await expect(fan.wallet.balance()).toHaveText('₩20,000');
  expect(keys).toHaveLength(4);
  expect(keys[3]).not.toBe(keys[2]);
  await expect(fan.wallet.entries('Charge')).toHaveCount(2);
});
