import { randomBytes } from 'node:crypto';
import { expect, keepScreenshot, seatMapOf, test, throughQueue, type Fan, type TestConcert } from './fixtures';

const PASSWORD = 'a long enough password';
const newEmail = (who: string) => `${who}-${randomBytes(4).toString('hex')}@example.com`;

/** Holds the seats as one order, charges exactly what is missing and pays; returns the booking code. */
async function buy(fan: Fan, concert: TestConcert, seats: string[]) {
  await fan.page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.hold(...seats);
  await fan.checkout.expectHeld(...seats);
  await fan.checkout.chargeShortfallButton().click();
  await fan.checkout.payButton().click();
  await expect(fan.page.getByText(/^Paid! Your tickets are confirmed\./)).toBeVisible();
  // The paid checkout lists the tickets, one a seat.
  await expect(fan.ticket.seatTickets()).toHaveCount(seats.length);
  return (await fan.ticket.bookingCode().textContent())!;
}

test('an order of three seats gives three tickets under My tickets; a ticket at phone width shows a big QR code, its seat and holder, and saves as an image', async ({
  fan,
  concert,
}) => {
  const { page } = fan;
  const seats = ['R C-4', 'R C-5', 'R C-6'];
  // A guest, named in the header: the name the ticket's holder is shown by.
  await page.goto('/');
  await page.getByRole('button', { name: 'Change name' }).click();
  await page.getByRole('textbox', { name: 'Display name' }).fill('Seo-yeon Han');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Hi, Seo-yeon Han')).toBeVisible();
  const code = await buy(fan, concert, seats);

  await fan.myTickets.open();
  const card = fan.myTickets.order(concert.title);
  await expect(card).toContainText(code);
  const tickets = fan.myTickets.ticketsIn(card);
  await expect(tickets).toHaveCount(3);
  for (const [i, seat] of seats.entries()) {
    await expect(tickets.nth(i).getByRole('link', { name: `Ticket for seat ${seat}` })).toBeVisible();
    await expect(tickets.nth(i)).toContainText('Valid');
  }

  await page.setViewportSize({ width: 375, height: 812 });
  await keepScreenshot(page, 'tickets-three-seats-phone');
  await card.getByRole('link', { name: 'Ticket for seat R C-5' }).click();
  await expect(page).toHaveURL(new RegExp(`/ticket/${code}-2$`));
  await expect(page).toHaveTitle('Ticket · Concert Tickets');
  await expect(page.getByRole('heading', { name: concert.title, level: 1 })).toBeVisible();
  await expect(fan.seatTicket.seat()).toHaveText('R C-5');
  await expect(fan.seatTicket.holder()).toHaveText('Seo-yeon Han');
  await expect(fan.seatTicket.reference()).toHaveText(`${code}-2`);
  const qr = fan.seatTicket.qrCode();
  await expect(qr).toBeVisible();
  const box = (await qr.boundingBox())!;
  expect(box.width).toBeGreaterThanOrEqual(260);
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(375);
  // Nothing wider than the phone.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await keepScreenshot(page, 'tickets-three-seats-ticket-phone');

  const download = page.waitForEvent('download');
  await fan.seatTicket.saveButton().click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe(`ticket-${code}-2.png`);
  const png = await saved.createReadStream();
  const head = await new Promise<Buffer>((resolve) => png.once('data', (chunk: Buffer) => resolve(chunk)));
  expect(head.subarray(1, 4).toString()).toBe('PNG');

  // A guest is shown the way to an account before passing a ticket on.
  await expect(fan.seatTicket.transferSection()).toContainText('Sign up to pass tickets to friends');
  await expect(fan.seatTicket.transferSection().getByRole('link', { name: 'Sign up' })).toHaveAttribute(
    'href',
    `/account/sign-up?next=${encodeURIComponent(`/ticket/${code}-2`)}`,
  );
});

test('a buyer passes one ticket to a friend’s account: the friend sees it with its QR code, the buyer’s page says it was given away', async ({
  fan: buyer,
  newFan,
  concert,
}) => {
  const friendEmail = newEmail('friend');
  const friend = await newFan();
  await friend.page.goto('/');
  await friend.account.signUp({ name: 'Jiwoo Park', email: friendEmail, password: PASSWORD });
  // Only a confirmed address receives a ticket at once (an unconfirmed one would get an offer).
  await friend.account.confirmEmail(friendEmail);

  await buyer.page.goto('/');
  await buyer.account.signUp({ name: 'Minji Kim', email: newEmail('buyer'), password: PASSWORD });
  const code = await buy(buyer, concert, ['S F-2', 'S F-3']);
  await buyer.ticket.seatTicketLink('S F-3').click();
  await expect(buyer.seatTicket.qrCode()).toBeVisible();
  await expect(buyer.seatTicket.holder()).toHaveText('Minji Kim');

  await buyer.seatTicket.passTo(friendEmail, 'S F-3');
  await expect(buyer.seatTicket.transferSection().getByRole('status')).toHaveText(
    `Passed to ${friendEmail}: the ticket is in their tickets now, and your QR code for it no longer works.`,
  );
  await expect(buyer.seatTicket.qrCode()).toHaveCount(0);
  await expect(buyer.seatTicket.noQrNotice()).toContainText('You gave this ticket to Jiwoo Park');

  // The friend, in their own browser, has it among their tickets, and its page has a QR code in their name.
  await friend.myTickets.open();
  const received = friend.myTickets.received(concert.title);
  await expect(received).toContainText('S F-3');
  await expect(friend.myTickets.ticketsIn(received)).toHaveCount(1);
  await received.getByRole('link', { name: 'Ticket for seat S F-3' }).click();
  await expect(friend.page).toHaveURL(new RegExp(`/ticket/${code}-2$`));
  await expect(friend.seatTicket.qrCode()).toBeVisible();
  await expect(friend.seatTicket.holder()).toHaveText('Jiwoo Park');
  await expect(friend.seatTicket.seat()).toHaveText('S F-3');

  // The buyer's page for it, opened again: given away, no QR code; the other seat is still theirs.
  await buyer.seatTicket.open(`${code}-2`);
  await expect(buyer.seatTicket.noQrNotice()).toContainText('You gave this ticket to Jiwoo Park');
  await expect(buyer.seatTicket.qrCode()).toHaveCount(0);
  await expect(buyer.seatTicket.transferSection()).toHaveCount(0);
  await buyer.myTickets.open();
  const tickets = buyer.myTickets.ticketsIn(buyer.myTickets.order(concert.title));
  await expect(tickets.filter({ hasText: 'S F-2' })).toContainText('Valid');
  await expect(tickets.filter({ hasText: 'S F-3' })).toContainText('Given to Jiwoo Park');
  await keepScreenshot(buyer.page, 'tickets-my-tickets-given');
});

test('an email without an account is said so before anything happens; an offer sent instead stops the QR code until it is cancelled', async ({
  fan: buyer,
  concert,
}) => {
  const stranger = newEmail('no-account-yet');
  const buyerEmail = newEmail('buyer');
  await buyer.page.goto('/');
  await buyer.account.signUp({ name: 'Minji Kim', email: buyerEmail, password: PASSWORD });
  // An offer mails a stranger: only a buyer whose own address is confirmed may send one.
  await buyer.account.confirmEmail(buyerEmail);
  await buy(buyer, concert, ['S G-1']);
  await buyer.ticket.seatTicketLink('S G-1').click();
  await expect(buyer.seatTicket.qrCode()).toBeVisible();

  await buyer.seatTicket.passTo(stranger, 'S G-1');
  const section = buyer.seatTicket.transferSection();
  const ask = section.getByRole('group', { name: `No account has the email ${stranger}` });
  await expect(ask).toContainText('Check it for a typo.');
  // Nothing happened yet: the ticket is still the buyer's, with its QR code.
  await expect(buyer.seatTicket.qrCode()).toBeVisible();
  await ask.getByRole('button', { name: 'Send them an offer' }).click();
  await expect(section.getByRole('status')).toContainText(`${stranger} has no account yet: we emailed them an offer, open until`);
  await expect(buyer.seatTicket.qrCode()).toHaveCount(0);
  await expect(buyer.seatTicket.noQrNotice()).toContainText(`Offered to ${stranger} until`);

  await section.getByRole('button', { name: 'Cancel the offer' }).click();
  await expect(section.getByRole('status')).toHaveText('Offer cancelled: the ticket is yours again, with its QR code.');
  await expect(buyer.seatTicket.qrCode()).toBeVisible();
  await expect(section.getByRole('button', { name: 'Pass to a friend' })).toBeVisible();
});

test('screens: My tickets with a ticket given away and one received, and a ticket, at 375 and 1280 px in English and Korean', async ({
  fan: buyer,
  newFan,
  concert,
  baseURL,
}) => {
  // Two sign-ups with mail, two purchases (each through the line), two passes and eight screens: a
  // long walk, past the default minute on a busy machine.
  test.slow();
  const friendEmail = newEmail('friend');
  const buyerEmail = newEmail('buyer');
  const friend = await newFan();
  await friend.page.goto('/');
  await friend.account.signUp({ name: 'Jiwoo Park', email: friendEmail, password: PASSWORD });
  await friend.account.confirmEmail(friendEmail);
  await buyer.page.goto('/');
  await buyer.account.signUp({ name: 'Minji Kim', email: buyerEmail, password: PASSWORD });
  await buyer.account.confirmEmail(buyerEmail);

  // The buyer passes one of three seats on; the friend passes one of theirs to the buyer.
  const code = await buy(buyer, concert, ['R C-4', 'R C-5', 'R C-6']);
  await buyer.ticket.seatTicketLink('R C-6').click();
  await buyer.seatTicket.passTo(friendEmail, 'R C-6');
  await expect(buyer.seatTicket.qrCode()).toHaveCount(0);
  await buy(friend, concert, ['VIP A-2']);
  await friend.ticket.seatTicketLink('VIP A-2').click();
  await friend.seatTicket.passTo(buyerEmail, 'VIP A-2');
  await expect(friend.seatTicket.qrCode()).toHaveCount(0);

  const { page } = buyer;
  const shoot = async (name: string, width: number, ready: () => Promise<void>) => {
    await page.setViewportSize({ width, height: width < 600 ? 812 : 900 });
    await ready();
    await keepScreenshot(page, name);
  };
  const myTickets = async () => {
    await buyer.myTickets.open();
    await expect(buyer.myTickets.received(concert.title)).toContainText('VIP A-2');
    await expect(buyer.myTickets.ticketsIn(buyer.myTickets.order(concert.title))).toHaveCount(3);
  };
  await shoot('tickets-my-tickets', 1280, myTickets);
  await shoot('tickets-my-tickets-phone', 375, myTickets);
  await shoot('tickets-ticket-phone', 375, async () => {
    await buyer.seatTicket.open(`${code}-1`);
    await expect(buyer.seatTicket.qrCode()).toBeVisible();
  });
  await shoot('tickets-given-away-phone', 375, async () => {
    await buyer.seatTicket.open(`${code}-3`);
    await expect(buyer.seatTicket.noQrNotice()).toContainText('You gave this ticket to Jiwoo Park');
  });

  await page.context().addCookies([{ name: 'lang', value: 'ko', url: baseURL! }]);
  await shoot('tickets-my-tickets-ko', 1280, async () => {
    await page.goto('/reservations');
    await expect(page.getByRole('heading', { name: '친구에게 받은 티켓' })).toBeVisible();
  });
  await shoot('tickets-my-tickets-phone-ko', 375, async () => {
    await page.reload();
    await expect(page.getByRole('heading', { name: '친구에게 받은 티켓' })).toBeVisible();
  });
  await shoot('tickets-ticket-phone-ko', 375, async () => {
    await page.goto(`/ticket/${code}-1`);
    await expect(page.getByRole('img', { name: /^티켓 .* QR 코드/ })).toBeVisible();
    await expect(page.getByRole('region', { name: '친구에게 양도' })).toBeVisible();
  });
  await shoot('tickets-ticket-ko', 1280, async () => {
    await page.reload();
    await expect(page.getByRole('img', { name: /^티켓 .* QR 코드/ })).toBeVisible();
  });
});
