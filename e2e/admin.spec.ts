import { randomBytes } from 'node:crypto';
import { OPERATOR_PASSWORD } from '@/playwright.config';
import type { Page, TestInfo } from '@playwright/test';
import { connect } from '@/db/client';
import { joinStats, queueTokens, users } from '@/db/schema';
import { expect, expectNoViolations, keepScreenshot, test } from './fixtures';
import { joinLineByApi } from './join-line';
import { ConsolePage, kstInput } from './pages/admin';

test('an operator signs in, creates a concert with its sale, watches the dashboard, pauses, caps and closes it', async ({
  page,
  newFan,
}) => {
  const operatorConsole = new ConsolePage(page);
  await operatorConsole.open();
  await expect(operatorConsole.signInForm()).toBeVisible();
  await operatorConsole.signIn('not-the-password');
  await expect(page.getByRole('alert').filter({ hasText: 'That is not the operator password' })).toBeVisible();
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
  // As an API client joins: the join challenge solved first (JOIN_CHALLENGE is on on the test servers).
  const joined = await joinLineByApi(fan.page.request, concertId);
  expect((await joined.json()).result.data).toMatchObject({ status: 'prequeue', concertId });
  await expect(operatorConsole.stat('Waiting')).toContainText('1');
  await expect(operatorConsole.stat('Wait of the last in line')).not.toContainText('Nobody waiting');
  await keepScreenshot(page, 'admin-dashboard');

  await operatorConsole.button('Pause admission').click();
  await expect(operatorConsole.button('Resume admission')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Admission is paused' })).toBeVisible();
  // The sale page says who paused it, when, and what changed.
  const paused = operatorConsole.recentChanges().first();
  await expect(paused).toContainText('Operator · Paused admission');
  await expect(paused).toContainText('Admission paused: no → yes');
  await expect(paused.locator('time')).toContainText('KST');
  await expect(operatorConsole.recentChanges().last()).toContainText('Operator · Created the concert');
  await page.reload();
  await expect(operatorConsole.button('Resume admission')).toBeVisible();
  await operatorConsole.button('Resume admission').click();
  await expect(operatorConsole.button('Pause admission')).toBeVisible();

  await operatorConsole.setCap('5');
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(operatorConsole.stat('Buying now')).toContainText('of 5');
  await expect(operatorConsole.recentChanges().first()).toContainText('Fans buying at once: 100 → 5');

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

  // The whole log, from the console's navigation, filtered by action.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await page.getByLabel('Action').selectOption({ label: 'Closed the sale' });
  const closedEntry = page.getByRole('listitem').filter({ hasText: title });
  await expect(closedEntry).toHaveCount(1);
  await expect(closedEntry).toContainText('Operator · Closed the sale');
  await expect(closedEntry).toContainText('Ended: no → closed by an operator');
  await page.getByLabel('Operator', { exact: true }).selectOption({ label: 'Operator' });
  await expect(closedEntry).toHaveCount(1);

  // A fan is no operator: the console asks for the password, and the API refuses.
  await fan.page.goto('/admin');
  await expect(new ConsolePage(fan.page).signInForm()).toBeVisible();
  const refused = await fan.page.request.get('/api/trpc/admin.sale.list');
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.data.reason).toBe('OPERATOR_REQUIRED');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(operatorConsole.signInForm()).toBeVisible();
});

test('the console has its own header: no fan session in it, who is signed in, and sign-out; loading it makes no refused call', async ({
  fan,
}) => {
  const { page } = fan;
  // A fan's session exists in this browser.
  await fan.home.open();
  await expect(page.getByText(/^Hi, Guest-/)).toBeVisible();

  const failed: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  const operatorConsole = new ConsolePage(page);
  await operatorConsole.open();
  await expect(operatorConsole.signInForm()).toBeVisible();
  const header = page.getByRole('banner');
  await expect(header.getByRole('link', { name: 'Operator console' })).toBeVisible();
  await expect(header).not.toContainText('Hi, Guest-');
  await expect(header.getByRole('link', { name: 'My tickets' })).toHaveCount(0);
  await expect(header.getByRole('link', { name: 'Wallet' })).toHaveCount(0);
  await keepScreenshot(page, 'admin-sign-in');
  expect(failed).toEqual([]);

  await operatorConsole.signIn(OPERATOR_PASSWORD);
  await expect(operatorConsole.salesHeading()).toBeVisible();
  await expect(header).toContainText('Owner (operator password)');
  await expect(header).not.toContainText('Hi, Guest-');
  await keepScreenshot(page, 'admin-sales');
  await header.getByRole('button', { name: 'Sign out' }).click();
  await expect(operatorConsole.signInForm()).toBeVisible();
  await expect(header).not.toContainText('Owner (operator password)');
});

test('after the sign-in rate limit, the console says when to try again (from Retry-After)', async ({ page }) => {
  await page.route(
    (url) => url.pathname === '/api/trpc/admin.login',
    (route) =>
      route.fulfill({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '37' },
        // A batch of one, as the server answers it (the figure only in the header).
        body: JSON.stringify([
          {
            error: {
              message: 'Too many attempts.',
              code: -32029,
              data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, reason: 'TOO_MANY_REQUESTS' },
            },
          },
        ]),
      }),
  );
  await page.clock.install();
  const operatorConsole = new ConsolePage(page);
  await operatorConsole.open();
  await operatorConsole.signIn('any-password-at-all');
  const alert = page.getByRole('main').getByRole('alert');
  await expect(alert).toHaveText(/^Too many attempts\. Try again in 37 seconds, at \d\d:\d\d:\d\d\.$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeDisabled();
  await keepScreenshot(page, 'admin-rate-limited');
  await page.clock.runFor(38_000);
  await expect(alert).toHaveText('Too many attempts before. You can try again now.');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
});

test('each field the create form refuses says what it accepts', async ({ page }) => {
  const operatorConsole = new ConsolePage(page);
  await operatorConsole.open();
  await operatorConsole.signIn(OPERATOR_PASSWORD);
  await page.getByRole('link', { name: 'Create a concert' }).click();
  await expect(page.getByRole('heading', { name: 'Create a concert', level: 1 })).toBeVisible();
  const section = page.getByRole('group', { name: 'Section 1' });
  await section.getByLabel('Rows').fill('0');
  await section.getByLabel('Seats per row').fill('61');
  await section.getByLabel('Price (won)').fill('12.5');
  await page.getByLabel('Fans buying at once (optional)').fill('0');
  await page.getByLabel('Turn length in seconds (optional)').fill('5');
  await page.getByRole('button', { name: 'Create and schedule the sale' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText('Some fields need fixing.');
  await expect(page.getByLabel('Title')).toHaveAccessibleDescription('Required, 1–100 characters.');
  await expect(section.getByLabel('Rows')).toHaveAccessibleDescription('1–40 rows (all sections together at most 40).');
  await expect(section.getByLabel('Seats per row')).toHaveAccessibleDescription('1–60 seats a row.');
  await expect(section.getByLabel('Price (won)')).toHaveAccessibleDescription('Whole won, from ₩1 to ₩1,000,000.');
  await expect(page.getByLabel('Fans buying at once (optional)')).toHaveAccessibleDescription(
    '1–10,000 fans, or empty for the server’s default.',
  );
  await expect(page.getByLabel('Turn length in seconds (optional)')).toHaveAccessibleDescription(
    '60–3,600 seconds, or empty for the server’s default.',
  );
  await expect(page.getByText('Not valid.')).toHaveCount(0);
  await keepScreenshot(page, 'admin-create-errors');
});

/** Signs in and makes a sale with a few changes through the API, as a script would; its title and id. */
async function auditedSale(page: Page) {
  const operatorConsole = new ConsolePage(page);
  await operatorConsole.open();
  await operatorConsole.signIn(OPERATOR_PASSWORD);
  await expect(operatorConsole.salesHeading()).toBeVisible();
  const plan = {
    title: `E2E Audit ${randomBytes(3).toString('hex')}`,
    artist: 'The Auditors',
    venue: 'Ledger Hall',
    dates: [new Date(Date.now() + 30 * 86_400_000).toISOString()],
    sections: [{ name: 'R', price: 99_000, rows: 2, seatsPerRow: 5 }],
    sale: { prequeueOpensAt: new Date(Date.now() + 3_600_000).toISOString(), opensAt: new Date(Date.now() + 7_200_000).toISOString() },
  };
  const created = await page.request.post('/api/trpc/admin.concert.create', { data: plan });
  const { concertId } = (await created.json()).result.data as { concertId: number };
  for (const [procedure, input] of [
    ['admin.sale.update', { concertId, maxActive: 40, turnSeconds: 300 }],
    ['admin.sale.pause', { concertId }],
    ['admin.sale.resume', { concertId }],
  ] as const) {
    expect((await page.request.post(`/api/trpc/${procedure}`, { data: input })).status()).toBe(200);
  }
  return { title: plan.title, concertId };
}

/**
 * The audit log's two screens on a phone (390 px) and a laptop (1280 px), in English and Korean: who did
 * what, nothing wider than the screen, axe-clean (test-results/screens/admin-audit-*.png). One test a
 * screen and language: an axe run takes seconds on a busy machine.
 */
for (const screen of ['sale', 'log'] as const) {
  for (const lang of ['en', 'ko'] as const) {
    test(`the audit log: ${screen === 'sale' ? 'a sale’s recent changes' : 'the full log'} in ${lang}, phone and laptop, axe-clean`, async ({
      page,
    }) => {
      const { title, concertId } = await auditedSale(page);
      await page.context().addCookies([{ name: 'lang', value: lang, domain: new URL(page.url()).hostname, path: '/' }]);
      await page.goto(screen === 'sale' ? `/admin/sales/${concertId}` : '/admin/audit');
      const latest =
        screen === 'sale'
          ? page.locator('[aria-labelledby="recent-changes-title"] ol > li').first()
          : page.getByRole('listitem').filter({ hasText: title }).first();
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
        await expect(page.locator('html')).toHaveAttribute('lang', lang);
        await expect(latest).toContainText(lang === 'en' ? 'Operator · Resumed admission' : '운영자 · 입장 재개');
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        await keepScreenshot(page, `admin-audit-${screen}-${lang}-${width}`);
        await expectNoViolations(page, `audit ${screen} ${lang} ${width}`);
      }
    });
  }
}

/**
 * A script farm in a sale's pre-queue, written straight into the server's database: 30 places, 18 of
 * them from one /24, and for the next five minutes 12 joins, 20 challenges, 12 accepted and 8 refused
 * solutions a second (rows for seconds still to come keep the 10-second average steady).
 */
async function farmIn(testInfo: TestInfo, concertId: number) {
  const database = connect(testInfo.project.metadata.databaseUrl as string, { max: 1 });
  try {
    const prefixes = [
      ...Array<string>(18).fill('203.0.113.0/24'),
      ...Array<string>(6).fill('2001:db8:1::/48'),
      ...['198.51.100.0/24', '198.51.100.0/24', '192.0.2.0/24', '100.64.7.0/24', '100.64.8.0/24'],
      null,
    ];
    const fans = await database.db
      .insert(users)
      .values(prefixes.map((_, i) => ({ name: `Farm ${i}` })))
      .returning({ id: users.id });
    await database.db.insert(queueTokens).values(
      prefixes.map((addressPrefix, i) => ({
        token: `farm-${concertId}-${i}-${randomBytes(4).toString('hex')}`,
        userId: fans[i]!.id,
        concertId,
        status: 'waiting' as const,
        addressPrefix,
      })),
    );
    const now = Math.floor(Date.now() / 1000);
    await database.db.insert(joinStats).values(
      Array.from({ length: 310 }, (_, i) => ({
        concertId,
        second: new Date((now - 10 + i) * 1000),
        challenges: 20,
        solved: 12,
        refused: 8,
        joins: 12,
      })),
    );
  } finally {
    await database.close();
  }
}

/**
 * Who is joining: the sale page shows a farm's rates and prefixes, and the operator raises the join
 * challenge's difficulty and sets its automatic rise live; in both languages, on a phone (375 px) and a
 * laptop (1280 px), axe-clean (test-results/screens/admin-joins-*.png).
 */
for (const lang of ['en', 'ko'] as const) {
  test(`who is joining: a script farm's places and rates, and the difficulty raised live (${lang}), phone and laptop, axe-clean`, async ({
    page,
  }, testInfo) => {
    // Two axe runs of the whole sale page: each takes seconds, many on a busy machine.
    test.slow();
    const { concertId } = await auditedSale(page);
    await farmIn(testInfo, concertId);
    await page.context().addCookies([{ name: 'lang', value: lang, domain: new URL(page.url()).hostname, path: '/' }]);
    await page.goto(`/admin/sales/${concertId}`);
    const words = {
      en: { panel: 'Who is joining', joins: 'Joins a second', refused: 'Solutions refused a second', table: 'Busiest address prefixes' },
      ko: { panel: '누가 줄을 서는가', joins: '초당 참여', refused: '초당 거절한 풀이', table: '자리가 많은 주소 대역' },
    }[lang];
    const panel = page.getByRole('region', { name: words.panel });
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('group', { name: words.joins, exact: true })).toContainText('12');
    await expect(panel.getByRole('group', { name: words.refused, exact: true })).toContainText('40%');
    const table = panel.getByRole('table', { name: words.table });
    await expect(table.getByRole('row').nth(1)).toContainText('203.0.113.0/24');
    await expect(table.getByRole('row').nth(1)).toContainText('18');
    await expect(table.getByRole('row').nth(1)).toContainText('60%');
    await expect(table.getByRole('row')).toHaveCount(1 + 6); // the header, and six known prefixes

    if (lang === 'en') {
      const difficulty = panel.getByLabel('Difficulty (most work a solution may need)');
      const surge = panel.getByLabel('Rise ×4 above (joins a second; empty: never)');
      await expect(difficulty).toHaveValue('4000');
      await expect(panel.getByText('Off', { exact: true })).toBeVisible();
      // A value out of range says what the field takes, and changes nothing.
      await difficulty.fill('50');
      await panel.getByRole('button', { name: 'Apply to new challenges' }).click();
      await expect(difficulty).toHaveAccessibleDescription('A whole number, 100–1,000,000.');
      await difficulty.fill('20,000');
      await surge.fill('10');
      await panel.getByRole('button', { name: 'Apply to new challenges' }).click();
      await expect(panel.getByRole('status').filter({ hasText: 'Saved: the next challenge costs this.' })).toBeVisible();
      // 12 joins a second exceed 10: the next challenge costs four times the new difficulty.
      await expect(panel.getByText('×4 of 20,000: joins exceed 10 a second')).toBeVisible();
      await expect(panel.getByText('80,000', { exact: true })).toBeVisible();
      await expect(panel.getByText('×4 while joins exceed 10 a second')).toBeVisible();
      const change = new ConsolePage(page).recentChanges().first();
      await expect(change).toContainText('Join challenge difficulty: 4,000 → 20,000');
      await expect(change).toContainText('Automatic rise above (joins a second): no automatic rise → 10');
    }

    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await keepScreenshot(page, `admin-joins-${lang}-${width}`);
      await expectNoViolations(page, `who is joining ${lang} ${width}`);
    }
  });
}
