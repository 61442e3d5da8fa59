import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, expectNoViolations, keepScreenshot, moveOpening, seatMapOf, test, throughQueue, type Fan } from './fixtures';

// On the one-slot server (a sale's line admits one fan at a time: maxActive 1).

const run = promisify(execFile);

const admitted = (fan: Fan) => fan.page.getByRole('heading', { name: 'Choose a date' });

/** Picks a seat of the first date, charges what is missing and pays. */
async function buy(fan: Fan, label: string) {
  await fan.seatMap.chooseDate(0);
  await fan.seatMap.hold(label);
  await fan.checkout.expectHeld(label);
  await fan.checkout.chargeShortfallButton().click();
  await fan.checkout.payButton().click();
  await expect(fan.ticket.seatTickets().first()).toBeVisible();
}

test.describe('a sale whose pre-queue is open and which opens once its fans are in it', () => {
  // Opens in ten minutes; the test moves the opening forward once both fans are in the pre-queue.
  test.use({ sale: { prequeueOpensIn: -5, opensIn: 600, maxActive: 1 } });

  test('fans in the pre-queue see a countdown and that arriving early gives no advantage, get places by the draw, and buy', async ({
    concert,
    fan,
    newFan,
  }, testInfo) => {
    // Two fans, an opening, two purchases and a tsx run: more than the default minute on a busy machine.
    test.slow();
    await fan.home.open();
    await expect(fan.home.saleState(concert.title)).toHaveText(/^Pre.queue open\s·\sthe sale opens \w{3} \d{1,2} \w{3}, \d\d:\d\d KST$/);
    await fan.home.joinPrequeue(concert.title);
    await expect(fan.page).toHaveURL(new RegExp(`/queue\\?concert=${concert.concertId}&`));
    await expect(fan.waitingRoom.countdown()).toHaveText(/^(10|9):\d\d$/);
    await expect(fan.waitingRoom.noAdvantage()).toBeVisible();
    await expect(fan.waitingRoom.drawNumber()).toBeVisible();
    await expect(fan.page.getByRole('link', { name: 'How the draw works' })).toBeVisible();
    await keepScreenshot(fan.page, 'prequeue');

    const other = await newFan();
    await other.page.goto(throughQueue(`/concerts/${concert.concertId}`));
    await expect(other.waitingRoom.countdown()).toBeVisible();
    await expect(other.waitingRoom.noAdvantage()).toBeVisible();
    await moveOpening(testInfo, concert, { opensIn: 3 });

    // At the opening the draw places both: the line's one slot admits the first, the second is next.
    // Which fan is first is known once one of them is admitted (both may show a place before that).
    const oneAdmitted = async () => (await admitted(fan).isVisible()) || (await admitted(other).isVisible());
    await expect.poll(oneAdmitted, { timeout: 30_000 }).toBe(true);
    const [first, second] = (await admitted(fan).isVisible()) ? [fan, other] : [other, fan];
    await second.waitingRoom.expectPosition(1);
    await expect(second.waitingRoom.placeLine()).toHaveText(/^You are #1; your draw number is \d+\./);
    await expect(second.page).toHaveTitle(`#1 in line · ${concert.title}`);
    await expect(second.page.getByRole('link', { name: 'Check the draw' })).toBeVisible();
    const drawNumber = Number(/draw number is (\d+)/.exec((await second.waitingRoom.placeLine().textContent()) ?? '')![1]);
    await keepScreenshot(second.page, 'drawn-place');

    await buy(first, 'VIP A-1');
    // The payment ends the first fan's turn: the second is admitted and buys too.
    await expect(admitted(second)).toBeVisible({ timeout: 20_000 });
    await buy(second, 'VIP A-2');

    // The draw is public: the seed, and the second fan's draw number at place 2.
    const page = (await newFan()).page;
    await page.goto(`/concerts/${concert.concertId}/draw?ticket=${drawNumber}`);
    await expect(page.getByRole('heading', { name: 'The draw' })).toBeVisible();
    await expect(page.getByTestId('draw-seed')).toHaveText(/^[0-9a-f]{32}$/);
    await expect(page.getByTestId('draw-commitment')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(page.getByRole('row')).toHaveCount(3); // the header and two draw numbers
    const mine = page.locator('tr[aria-current="true"]').getByRole('cell');
    await expect(mine).toHaveText(['2', String(drawNumber)]);
    const origin = new URL(page.url()).origin;
    await expect(page.getByText(`npm run verify:draw -- ${origin} ${concert.concertId}`)).toBeVisible();
    // The command the page gives checks this draw (exit code 0).
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/verify-draw.ts', origin, String(concert.concertId)]);
    expect(stdout).toMatch(/\bOK\b/);
    await keepScreenshot(page, 'draw');
    await expectNoViolations(page, 'draw');
  });
});

test.describe('a sale whose pre-queue opens in a few seconds', () => {
  // Long enough for two fans' pages to load on a busy machine before it opens.
  test.use({ sale: { prequeueOpensIn: 30, opensIn: 600 } });

  test('before the pre-queue opens, the pages say when and offer nothing to join; when it opens, they do by themselves', async ({
    concert,
    fan,
    newFan,
  }) => {
    // Waits for the pre-queue's opening, half a minute away.
    test.slow();
    await fan.home.open();
    await expect(fan.home.saleState(concert.title)).toHaveText(
      /^Opens \w{3} \d{1,2} \w{3}, \d\d:\d\d KST\s·\spre.queue from (\w{3} \d{1,2} \w{3}, )?\d\d:\d\d( KST)?$/,
    );
    await expect(fan.home.actions(concert.title)).toHaveCount(0);
    const early = await newFan();
    await early.page.goto(throughQueue(`/concerts/${concert.concertId}`));
    await expect(
      early.page.getByText(/^This sale has not opened yet: the pre-queue opens \w{3} \d{1,2} \w{3}, \d\d:\d\d KST\.$/),
    ).toBeVisible();

    // The home page moves on by its own clock; the waiting room joins the pre-queue by itself.
    await expect(fan.home.actions(concert.title)).toHaveText('Join the pre-queue', { timeout: 45_000 });
    await expect(early.waitingRoom.countdown()).toBeVisible({ timeout: 45_000 });
    await expect(early.waitingRoom.noAdvantage()).toBeVisible();
  });
});

test.describe('a sale with one seat left', () => {
  test.use({ sale: { maxActive: 1, seats: 1 } });

  test('a fan in line when the last seat sells is told it is sold out, with the way back to the concerts', async ({ concert, newFan }) => {
    const [buyer, waiter] = [await newFan(), await newFan()];
    await buyer.page.goto(throughQueue(seatMapOf(concert)));
    await buyer.seatMap.expectSeatState('VIP A-1', 'Free');
    await waiter.page.goto(throughQueue(`/concerts/${concert.concertId}`));
    await waiter.waitingRoom.expectPosition(1);

    await buyer.seatMap.hold('VIP A-1');
    await buyer.checkout.expectHeld('VIP A-1');
    await expect(waiter.waitingRoom.seatsTaken()).toHaveText('All seats are taken right now; 1 is held and may be released.', {
      timeout: 20_000,
    });
    // No seat free, nobody admitted: no estimate. Joined after the opening: not in the draw.
    await expect(waiter.page.getByText(/^Estimated wait/)).toHaveCount(0);
    await expect(waiter.waitingRoom.placeLine()).toBeVisible();
    await expect(waiter.page.getByRole('link', { name: 'Check the draw' })).toHaveCount(0);
    await keepScreenshot(waiter.page, 'seats-taken');

    await buyer.checkout.chargeShortfallButton().click();
    await buyer.checkout.payButton().click();
    await expect(buyer.ticket.seatTickets().first()).toBeVisible();

    await expect(waiter.waitingRoom.soldOut()).toBeVisible({ timeout: 20_000 });
    await expect(waiter.page.getByRole('heading', { name: 'Sold out' })).toBeVisible();
    await keepScreenshot(waiter.page, 'sold-out');
    await waiter.waitingRoom.backToConcerts().click();
    await expect(waiter.home.saleState(concert.title)).toHaveText('Sold out');
    await expect(waiter.home.actions(concert.title)).toHaveCount(0);
  });
});

test('a fan whose turn is for another concert is sent to the line of the concert they open, and comes back', async ({
  fan,
  concert,
  anotherConcert,
}) => {
  const { page } = fan;
  await page.goto(throughQueue(seatMapOf(anotherConcert)));
  await fan.seatMap.expectSeatState('VIP A-1', 'Free');

  // The turn is for the other concert: this one's seats refuse it, and the page goes through this concert's line.
  // The first read of this concert's seats (batched with other calls: the reason is in the body).
  const refused = page.waitForResponse(
    (r) => r.url().includes('concert.seats') && decodeURIComponent(r.url()).includes(`"scheduleId":${concert.scheduleIds[0]}`),
  );
  const joined = page.waitForRequest(
    (r) => r.url().includes('/api/trpc/queue.issue') && r.postData()!.includes(`"concertId":${concert.concertId}`),
  );
  await page.goto(seatMapOf(concert));
  expect(JSON.stringify(await (await refused).json())).toContain('"reason":"TOKEN_WRONG_SALE"');
  expect(new URL((await joined).frame().url()).pathname).toBe('/queue');
  await expect(page).toHaveURL(new RegExp(`/concerts/${concert.concertId}/dates/${concert.scheduleIds[0]}$`));
  await fan.seatMap.expectSeatState('VIP A-1', 'Free');
  await expect(page.getByRole('heading', { name: 'Choose a seat' })).toBeVisible();
});
