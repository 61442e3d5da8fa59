import { randomBytes } from 'node:crypto';
import { OPERATOR_PASSWORD } from '@/playwright.config';
import { expect, keepScreenshot, test } from './fixtures';
import { ConsolePage, kstInput } from './pages/admin';

test('an operator signs in, creates a concert with its sale, watches the dashboard, pauses, caps and closes it', async ({
  page,
  newFan,
}) => {
  const operatorConsole = new ConsolePage(page);
  await operatorConsole.open();
  await expect(operatorConsole.signInForm()).toBeVisible();
  await operatorConsole.signIn('not-the-password');
  await expect(page.getByRole('alert').filter({ hasText: 'That is not the operator password.' })).toBeVisible();
  await operatorConsole.signIn(OPERATOR_PASSWORD);
  await expect(operatorConsole.salesHeading()).toBeVisible();

  const title = `E2E Console ${randomBytes(3).toString('hex')}`;
  // The pre-queue opened a minute ago; the sale opens in ten minutes.
  await operatorConsole.createConcert({
    title,
    artist: 'The Operators',
    venue: 'Loopback Arena',
    prequeueOpensAt: kstInput(-1),
    opensAt: kstInput(10),
  });

  await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
  await expect(operatorConsole.state()).toHaveText('Pre-queue open');
  await expect(operatorConsole.stat('Free seats')).toContainText('50');
  await expect(operatorConsole.stat('Waiting')).toContainText('0');
  await expect(operatorConsole.stat('Wait of the last in line')).toContainText('Nobody waiting');
  await expect(page.getByRole('img', { name: /^The line/ })).toBeVisible();
  await expect(page.getByText(/^[0-9a-f]{64}$/)).toBeVisible(); // the commitment
  await expect(page.getByText('Revealed at the opening')).toBeVisible();
  // It refreshes by itself: a fan who joins the pre-queue shows up without a reload.
  const firstUpdate = await operatorConsole.lastUpdate().textContent();
  await expect(operatorConsole.lastUpdate()).not.toHaveText(firstUpdate!);
  const concertId = Number(new URL(page.url()).pathname.split('/').pop());
  const fan = await newFan();
  expect((await fan.page.request.post('/api/trpc/session.start', { data: {} })).status()).toBe(200);
  const joined = await fan.page.request.post('/api/trpc/queue.issue', { data: { concertId } });
  expect((await joined.json()).result.data).toMatchObject({ status: 'prequeue', concertId });
  await expect(operatorConsole.stat('Waiting')).toContainText('1');
  await expect(operatorConsole.stat('Wait of the last in line')).not.toContainText('Nobody waiting');
  await keepScreenshot(page, 'admin-dashboard');

  await operatorConsole.button('Pause admission').click();
  await expect(operatorConsole.button('Resume admission')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Admission is paused' })).toBeVisible();
  await page.reload();
  await expect(operatorConsole.button('Resume admission')).toBeVisible();
  await operatorConsole.button('Resume admission').click();
  await expect(operatorConsole.button('Pause admission')).toBeVisible();

  await operatorConsole.setCap('5');
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(operatorConsole.stat('Buying now')).toContainText('of 5');

  // Closing asks first; keeping it open changes nothing.
  await operatorConsole.button('Close the sale').click();
  await expect(operatorConsole.closeDialog()).toBeVisible();
  await operatorConsole.closeDialog().getByRole('button', { name: 'Keep it open' }).click();
  await expect(operatorConsole.closeDialog()).toBeHidden();
  await expect(operatorConsole.state()).toHaveText('Pre-queue open');
  await operatorConsole.button('Close the sale').click();
  await operatorConsole.closeDialog().getByRole('button', { name: 'Yes, close the sale' }).click();
  await expect(operatorConsole.state()).toHaveText('Closed');
  await expect(page.getByText('This sale is over.')).toBeVisible();

  await page.getByRole('link', { name: 'All sales' }).click();
  await expect(operatorConsole.sale(title)).toContainText('Closed');
  await expect(operatorConsole.sale(title)).toContainText('5 buying at once');

  // A fan is no operator: the console asks for the password, and the API refuses.
  await fan.page.goto('/admin');
  await expect(new ConsolePage(fan.page).signInForm()).toBeVisible();
  const refused = await fan.page.request.get('/api/trpc/admin.sale.list');
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.data.reason).toBe('OPERATOR_REQUIRED');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(operatorConsole.signInForm()).toBeVisible();
});
