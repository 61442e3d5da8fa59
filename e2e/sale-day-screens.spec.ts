import type { BrowserContext, Locator, Page } from '@playwright/test';
import { expect, keepScreenshot, test, throughQueue } from './fixtures';

/**
 * Screenshots of what a fan sees on sale day, on a phone (390 px) and a laptop (1280 px), in English
 * and Korean (test-results/screens/sale-*.png), and nothing wider than the screen.
 */
const WIDTHS = [390, 1280] as const;
const LANGUAGES = ['en', 'ko'] as const;

async function shoot(context: BrowserContext, page: Page, name: string, ready: (page: Page) => Locator[]) {
  for (const lang of LANGUAGES) {
    await context.addCookies([{ name: 'lang', value: lang, domain: new URL(page.url()).hostname, path: '/' }]);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
      await page.reload();
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      for (const part of ready(page)) await expect(part).toBeVisible();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await keepScreenshot(page, `sale-${name}-${lang}-${width}`);
    }
  }
}

test('the home page: every sale state', async ({ fan }) => {
  await fan.home.open();
  await shoot(fan.page.context(), fan.page, 'home', (page) => [page.getByTestId('sale-state').first()]);
});

test.describe('before the opening', () => {
  test.use({ sale: { prequeueOpensIn: -60, opensIn: 600 } });
  test('the waiting room: countdown, no advantage, draw number', async ({ fan, concert }) => {
    await fan.page.goto(throughQueue(`/concerts/${concert.concertId}`));
    await expect(fan.waitingRoom.countdown()).toBeVisible();
    await shoot(fan.page.context(), fan.page, 'prequeue', (page) => [page.locator('.no-advantage'), page.locator('.commitment')]);
    // The draw's page before the opening: the commitment, and when the seed comes.
    await fan.page.goto(`/concerts/${concert.concertId}/draw`);
    await shoot(fan.page.context(), fan.page, 'draw-before', (page) => [
      page.getByTestId('draw-commitment'),
      page.locator('.draw .eyebrow'),
    ]);
  });
});

test.describe('in line', () => {
  test.use({ sale: { maxActive: 1 } });
  test('the waiting room: place, draw number, wait', async ({ concert, newFan }) => {
    const [first, second, third] = [await newFan(), await newFan(), await newFan()];
    await first.page.goto(throughQueue(`/concerts/${concert.concertId}`));
    await expect(first.page.getByRole('heading', { name: 'Choose a date' })).toBeVisible();
    await second.page.goto(throughQueue(`/concerts/${concert.concertId}`));
    await second.waitingRoom.expectPosition(1);
    await third.page.goto(throughQueue(`/concerts/${concert.concertId}`));
    await third.waitingRoom.expectPosition(2);
    await shoot(third.page.context(), third.page, 'in-line', (page) => [
      page.getByTestId('queue-position'),
      page.locator('.waiting-room .eyebrow'),
    ]);
  });
});

test.describe('sold out', () => {
  test.use({ sale: { closed: 'sold_out' } });
  test('the waiting room of a sold-out sale', async ({ fan, concert }) => {
    await fan.page.goto(throughQueue(`/concerts/${concert.concertId}`));
    await expect(fan.waitingRoom.soldOut()).toBeVisible();
    await shoot(fan.page.context(), fan.page, 'sold-out', (page) => [
      page.locator('.waiting-room [role="alert"]'),
      page.locator('.waiting-room .eyebrow'),
    ]);
  });
});
