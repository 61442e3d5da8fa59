import { expect, seatMapOf, test, throughQueue } from './fixtures';

test('pages carry security headers, and the content security policy blocks nothing the app needs', async ({ fan, concert }) => {
  const { page } = fan;
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });

  const response = await page.goto('/');
  const headers = response!.headers();
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['x-frame-options']).toBe('DENY');

  await page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.hold('VIP A-3');
  await fan.checkout.expectHeld('VIP A-3');
  expect(violations).toEqual([]);
});
