import { expect, expectNoViolations, keepScreenshot, test } from './fixtures';

/**
 * Joining a line costs a proof of work (JOIN_CHALLENGE is on on the test servers, as in production):
 * the waiting room asks for a challenge, solves it in a Web Worker while the fan reads why, and only
 * then takes a place with the solution.
 */
test.describe('the join challenge', () => {
  // Enough work to take a few seconds in Chromium here, so the note can be seen and read.
  test.use({ sale: { joinDifficulty: 16_000 } });

  test('the waiting room solves the challenge in a worker before it takes a place', async ({ fan, concert }) => {
    const { page } = fan;
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    const asked = page.waitForResponse((r) => r.url().includes('/api/trpc/queue.challenge'));
    const issued = page.waitForRequest((r) => r.url().includes('/api/trpc/queue.issue'));
    await page.goto(`/queue?concert=${concert.concertId}&next=${encodeURIComponent(`/concerts/${concert.concertId}`)}`);

    const challenge = JSON.stringify(await (await asked).json());
    expect(challenge).toContain('"required":true');
    expect(challenge).toContain('"difficulty":16000');
    await expect(page.getByRole('status').filter({ hasText: 'Your browser is doing a short check' })).toBeVisible();
    await expect(page.getByText(/^Checking: \d+ s so far$/)).toBeVisible();
    await keepScreenshot(page, 'join-check');

    // The place is asked for with the solution, found off the page's thread.
    expect((await issued).postData()).toMatch(/"solution":"[A-Za-z0-9+/=]{100,}"/);
    expect(workers.length).toBeGreaterThan(0);
    await expect(page).toHaveURL(new RegExp(`/concerts/${concert.concertId}$`), { timeout: 60_000 });
    await expect(page.getByText(/^Your turn: \d+:\d\d left$/)).toBeVisible();
  });

  test('says so in Korean on a phone, accessibly', async ({ fan, concert, baseURL }) => {
    const { page } = fan;
    await page.setViewportSize({ width: 375, height: 812 });
    await page.context().addCookies([{ name: 'lang', value: 'ko', url: baseURL! }]);
    // The place is asked for only once the page has been looked at: the join waits for the check below.
    let lookedAt!: () => void;
    const looked = new Promise<void>((resolve) => (lookedAt = resolve));
    await page.route('**/api/trpc/queue.issue**', async (route) => {
      await looked;
      await route.continue();
    });
    await page.goto(`/queue?concert=${concert.concertId}&next=${encodeURIComponent(`/concerts/${concert.concertId}`)}`);
    await expect(page.getByRole('heading', { name: '대기열에 들어가는 중', level: 1 })).toBeVisible();
    await expect(page.getByText(/^확인 중: \d+초 경과$/)).toBeVisible();
    await keepScreenshot(page, 'join-check-ko-375');
    await expectNoViolations(page, 'the join check');
    await expect(page.getByRole('status').filter({ hasText: '대기열에 자리를 잡는 중' })).toBeVisible({ timeout: 60_000 });
    await expectNoViolations(page, 'the join check, solved');
    lookedAt();
    await expect(page).toHaveURL(new RegExp(`/concerts/${concert.concertId}$`), { timeout: 60_000 });
  });
});
