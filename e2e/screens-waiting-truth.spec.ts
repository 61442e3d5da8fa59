import type { BrowserContext, Locator, Page } from '@playwright/test';
import { OPERATOR_PASSWORD } from '@/playwright.config';
import { expect, keepScreenshot, test, throughQueue } from './fixtures';
import { ConsolePage } from './pages/admin';

/**
 * Screenshots of the waiting room's truths (test-results/screens/truth-*.png): waiting, next, paused
 * and left, on a phone (375 px) and a laptop (1280 px), in English and Korean; nothing wider than the screen.
 */
const WIDTHS = [375, 1280] as const;
const LANGUAGES = ['en', 'ko'] as const;

async function setLanguage(context: BrowserContext, page: Page, lang: string) {
  await context.addCookies([{ name: 'lang', value: lang, domain: new URL(page.url()).hostname, path: '/' }]);
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

async function shootWidths(page: Page, name: string, lang: string, ready: Locator[]) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
    for (const part of ready) await expect(part).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await keepScreenshot(page, `truth-${name}-${lang}-${width}`);
  }
}

test.use({ sale: { maxActive: 1 } });

test('the waiting room: waiting, next, paused and left, in both languages and two widths', async ({ page, concert, newFan }) => {
  test.setTimeout(180_000);
  const [first, second, third] = [await newFan(), await newFan(), await newFan()];
  const datesPage = `/concerts/${concert.concertId}`;
  await first.page.goto(throughQueue(datesPage));
  await expect(first.page.getByText(/^Your turn: \d+:\d\d left$/)).toBeVisible({ timeout: 30_000 });
  await second.page.goto(throughQueue(datesPage));
  await second.waitingRoom.expectPosition(1);
  await third.page.goto(throughQueue(datesPage));
  await third.waitingRoom.expectPosition(2);

  for (const lang of LANGUAGES) {
    await setLanguage(third.page.context(), third.page, lang);
    await shootWidths(third.page, 'waiting', lang, [third.page.getByTestId('queue-wait'), third.page.getByTestId('queue-in-line')]);
    await setLanguage(second.page.context(), second.page, lang);
    await shootWidths(second.page, 'next', lang, [second.page.getByTestId('queue-position')]);
  }

  const operatorConsole = new ConsolePage(page);
  await operatorConsole.open();
  await operatorConsole.signIn(OPERATOR_PASSWORD);
  await expect(operatorConsole.salesHeading()).toBeVisible();
  await page.goto(`/admin/sales/${concert.concertId}`);
  await operatorConsole.button('Pause admission').click();
  await expect(operatorConsole.button('Resume admission')).toBeVisible();
  for (const lang of LANGUAGES) {
    await setLanguage(third.page.context(), third.page, lang);
    await shootWidths(third.page, 'paused', lang, [third.page.getByRole('alert').first(), third.page.getByTestId('queue-wait')]);
  }
  await operatorConsole.button('Resume admission').click();
  await expect(operatorConsole.button('Pause admission')).toBeVisible();

  for (const lang of LANGUAGES) {
    // Reloading joins again (at the back); then the fan leaves on purpose.
    await setLanguage(third.page.context(), third.page, lang);
    await expect(third.page.getByTestId('queue-position')).toBeVisible();
    await third.page.getByRole('button', { name: lang === 'en' ? 'Leave the line' : '대기열 나가기' }).click();
    await shootWidths(third.page, 'leave-confirm', lang, [third.page.getByRole('group')]);
    await third.page.getByRole('button', { name: lang === 'en' ? 'Yes, leave the line' : '네, 나가겠습니다' }).click();
    await shootWidths(third.page, 'left', lang, [third.page.getByRole('heading', { level: 1 })]);
  }
});
