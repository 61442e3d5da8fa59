import { expect, seatMapOf, test, throughQueue } from './fixtures';

test('two people click the same seat at once: one holds it, the other is told it is gone', async ({ concert, newFan }) => {
  const [alice, bob] = await Promise.all([newFan(), newFan()]);
  await Promise.all([alice.page.goto(throughQueue(seatMapOf(concert))), bob.page.goto(throughQueue(seatMapOf(concert)))]);
  await Promise.all([alice.seatMap.expectSeatState('R C-5', 'Free'), bob.seatMap.expectSeatState('R C-5', 'Free')]);

  await Promise.all([alice.seatMap.seat('R C-5').click(), bob.seatMap.seat('R C-5').click()]);
  await Promise.all([alice.seatMap.holdButton().click(), bob.seatMap.holdButton().click()]);

  const won = async (fan: typeof alice) => {
    const checkout = fan.page.getByRole('heading', { name: 'Checkout' });
    const lost = fan.page.getByRole('alert').filter({ hasText: 'Nothing was held: R C-5 had just been taken.' });
    await expect(checkout.or(lost)).toBeVisible();
    return checkout.isVisible();
  };
  const outcomes = await Promise.all([won(alice), won(bob)]);
  expect(outcomes.filter(Boolean)).toHaveLength(1);

  const loser = outcomes[0] ? bob : alice;
  await loser.seatMap.expectSeatState('R C-5', 'Held');
  await expect(loser.seatMap.seat('R C-5')).toBeDisabled();
});
