import { expect, keepScreenshot, test, throughQueue } from './fixtures';

test('charging the wallet: presets and custom amounts, invalid amounts refused by the form and the API', async ({ fan }) => {
  const { page } = fan;
  await page.goto(throughQueue('/wallet'));
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
