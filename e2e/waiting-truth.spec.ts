import type { Page } from '@playwright/test';
import { OPERATOR_PASSWORD } from '@/playwright.config';
import { LONGEST_POLL_INTERVAL_SECONDS } from '@/server/shared/timing';
import { expect, keepScreenshot, test, throughQueue } from './fixtures';
import { ConsolePage } from './pages/admin';

// This concert's line admits one person at a time: the first fan buys, the others wait.
test.use({ sale: { maxActive: 1 } });

/** The server tells a waiting fan's poll of a pause within this (the promise: 2 s). */
const PAUSE_ANSWERED_MS = 2_000;
/** The page shows it at its next poll: up to the longest poll interval later (plus a busy machine's second). */
const NEXT_POLL_MS = LONGEST_POLL_INTERVAL_SECONDS * 1000 + 1_000;

/** The sale's state as the fan's own poll is answered now (their cookies: session, token, queue pass). */
async function saleStateOf(page: Page, concertId: number): Promise<string> {
  const input = encodeURIComponent(JSON.stringify({ concertId }));
  const answer = await page.request.get(`/api/trpc/queue.status?input=${input}`);
  return (await answer.json()).result.data.saleState;
}

test('a waiting fan is told the sale is paused within two seconds of the operator pausing it (the page at its next poll), and resumed', async ({
  page,
  concert,
  newFan,
}) => {
  const [first, second] = [await newFan(), await newFan()];
  await first.page.goto(throughQueue(`/concerts/${concert.concertId}`));
  await expect(first.page.getByText(/^Your turn: \d+:\d\d left$/)).toBeVisible({ timeout: 30_000 }); // admitted
  await second.page.goto(throughQueue(`/concerts/${concert.concertId}`));
  await second.waitingRoom.expectPosition(1);
  await expect(second.page.getByText('You are next')).toBeVisible();
  // Next: the progress bar is full, and the line's length is told.
  await expect(second.page.getByRole('progressbar', { name: 'Progress in line' })).toHaveAttribute('aria-valuenow', '100');
  await expect(second.waitingRoom.inLine()).toHaveText('1 person in line in all');
  await expect(second.waitingRoom.estimate()).toHaveText(/^Estimated wait: /);

  const operatorConsole = new ConsolePage(page);
  await operatorConsole.open();
  await operatorConsole.signIn(OPERATOR_PASSWORD);
  await expect(operatorConsole.salesHeading()).toBeVisible();
  await page.goto(`/admin/sales/${concert.concertId}`);
  await operatorConsole.button('Pause admission').click();
  await expect(operatorConsole.button('Resume admission')).toBeVisible();

  await expect.poll(() => saleStateOf(second.page, concert.concertId), { timeout: PAUSE_ANSWERED_MS, intervals: [100] }).toBe('paused');
  await expect(second.waitingRoom.paused()).toBeVisible({ timeout: NEXT_POLL_MS });
  await expect(second.waitingRoom.estimate()).toHaveText(/^Estimated wait once it resumes: /);
  await keepScreenshot(second.page, 'waiting-room-paused');

  await operatorConsole.button('Resume admission').click();
  await expect(operatorConsole.button('Pause admission')).toBeVisible();
  await expect.poll(() => saleStateOf(second.page, concert.concertId), { timeout: PAUSE_ANSWERED_MS, intervals: [100] }).toBe('open');
  await expect(second.waitingRoom.resumed()).toBeVisible({ timeout: NEXT_POLL_MS });
  await expect(second.waitingRoom.paused()).toBeHidden();
  await expect(second.waitingRoom.estimate()).toHaveText(/^Estimated wait: /);
});

test('a fan leaves the line on purpose, after confirming, and may join again at the back', async ({ concert, newFan }) => {
  const [first, leaving, behind] = [await newFan(), await newFan(), await newFan()];
  await first.page.goto(throughQueue(`/concerts/${concert.concertId}`));
  await expect(first.page.getByText(/^Your turn: \d+:\d\d left$/)).toBeVisible({ timeout: 30_000 }); // admitted
  await leaving.page.goto(throughQueue(`/concerts/${concert.concertId}`));
  await leaving.waitingRoom.expectPosition(1);
  await behind.page.goto(throughQueue(`/concerts/${concert.concertId}`));
  await behind.waitingRoom.expectPosition(2);

  // Leaving asks first; staying keeps the place.
  await leaving.waitingRoom.leaveButton().click();
  await expect(leaving.page.getByText(/^Leave the line\? Your place is given up for good/)).toBeVisible();
  await leaving.waitingRoom.stayInLine().click();
  await expect(leaving.waitingRoom.leaveButton()).toBeVisible();
  await leaving.waitingRoom.expectPosition(1);

  await leaving.waitingRoom.leaveButton().click();
  await leaving.waitingRoom.confirmLeave().click();
  await expect(leaving.waitingRoom.leftHeading()).toBeVisible();
  await keepScreenshot(leaving.page, 'waiting-room-left');
  // The place is given up at once: the server says so to the same browser.
  const status = await leaving.page.request.get(
    `/api/trpc/queue.status?input=${encodeURIComponent(JSON.stringify({ concertId: concert.concertId }))}`,
  );
  expect((await status.json()).result.data).toMatchObject({ status: 'expired' });
  // The page stays as it is (no joining again by itself).
  await expect(leaving.waitingRoom.leftHeading()).toBeVisible();

  // Joining again goes to the back: behind the fan who was behind.
  await leaving.waitingRoom.joinAgain().click();
  await expect(leaving.waitingRoom.heading()).toBeVisible();
  await expect(leaving.waitingRoom.position()).not.toHaveText('1');
  const again = Number(await leaving.waitingRoom.position().textContent());
  const behindNow = Number(await behind.waitingRoom.position().textContent());
  expect(again).toBeGreaterThan(behindNow);
});
