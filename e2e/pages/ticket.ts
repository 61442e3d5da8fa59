import { expect, type Page } from '@playwright/test';

/** A paid order as shown after paying and at /tickets/<code>: its facts and its tickets, one a seat. */
export class TicketPage {
  constructor(readonly page: Page) {}

  card() {
    return this.page.getByRole('article').filter({ has: this.page.getByText('Booking code') });
  }

  bookingCode() {
    return this.page.getByTestId('booking-code');
  }

  /** The order's tickets, one a seat, each a link to its own page (and QR code). */
  seatTickets() {
    return this.page.getByRole('list', { name: 'Tickets, one a seat' }).getByRole('listitem');
  }

  /** The link to one seat's ticket. */
  seatTicketLink(seat: string) {
    return this.page.getByRole('link', { name: `Ticket for seat ${seat}` });
  }

  /** The order with every fact a fan needs, and a ticket for each seat. */
  async expectTicket({ concert, seats, amount, venue }: { concert: string; seats: string[]; amount: string; venue: string }) {
    await expect(this.page.getByRole('heading', { name: concert, level: 1 })).toBeVisible();
    await expect(this.bookingCode()).toHaveText(/^[A-HJ-NP-Z2-9-]{6,12}$/);
    const card = this.card();
    await expect(card).toContainText(seats.join(', '));
    await expect(card).toContainText(amount);
    await expect(card).toContainText(venue);
    await expect(card).toContainText(/\d\d:\d\d KST/);
    await expect(this.seatTickets()).toHaveCount(seats.length);
    for (const seat of seats) await expect(this.seatTicketLink(seat)).toBeVisible();
    return (await this.bookingCode().textContent())!;
  }
}
