import { expect, keepScreenshot, seatMapOf, test, throughQueue } from './fixtures';

// This concert's line admits one person at a time.
test.use({ sale: { maxActive: 1 } });

test('with one slot, the next person waits at position 1 and is admitted when the first pays', async ({ concert, newFan }) => {
  const datesPage = `/concerts/${concert.concertId}`;
  const [first, second, third] = [await newFan(), await newFan(), await newFan()];

  await first.page.goto(throughQueue(seatMapOf(concert)));
  await first.seatMap.expectSeatState('S F-1', 'Free'); // admitted, on the seat map

  await second.page.goto(throughQueue(datesPage));
  await second.waitingRoom.expectPosition(1);
  await expect(second.page.getByText('You are next')).toBeVisible();
  await third.page.goto(throughQueue(datesPage));
  await third.waitingRoom.expectPosition(2);
  await expect(third.page.getByText('1 person ahead of you')).toBeVisible();
  // A fan with many tabs sees the place and the show in this one's title.
  await expect(third.page).toHaveTitle(`#2 in line · ${concert.title}`);
  await keepScreenshot(third.page, 'waiting-room');

  // Closing and reopening the tab keeps the place.
  await third.page.reload();
  await third.waitingRoom.expectPosition(2);

  await first.seatMap.hold('S F-1');
  await first.checkout.expectHeld('S F-1');
  await first.checkout.chargeShortfallButton().click();
  await first.checkout.payButton().click();
  await expect(first.page.getByText(/^Paid! Your tickets are confirmed\./)).toBeVisible();

  // The payment frees the slot: the second is admitted and forwarded; the third moves up.
  await expect(second.page.getByRole('heading', { name: 'Choose a date' })).toBeVisible({ timeout: 20_000 });
  await expect(second.page.getByText(/^Your turn: \d+:\d\d left$/)).toBeVisible();
  await third.waitingRoom.expectPosition(1);
  await expect(third.page.getByRole('progressbar', { name: 'Progress in line' })).toHaveAttribute('aria-valuenow', '100');
});
