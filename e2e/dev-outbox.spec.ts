import { expect, test } from './fixtures';

test('the development outbox is no page in production: its addresses are the 404 page', async ({ page }) => {
  for (const path of ['/dev/outbox', '/dev/outbox/001796651001959-e9318da33fef']) {
    const response = await page.goto(path);
    expect(response!.status(), path).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Outbox' })).toHaveCount(0);
  }
});
