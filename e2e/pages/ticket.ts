import { expect, type Page } from '@playwright/test';

/** A ticket as shown after paying and at /tickets/<code>. */
export class TicketPage {
  constructor(readonly page: Page) {}

  card() {
    return this.page.getByRole('article').filter({ has: this.page.getByText('Booking code') });
  }

  bookingCode() {
    return this.page.getByTestId('booking-code');
  }

  qrCode() {
    return this.page.getByRole('img', { name: /^QR code of booking / });
  }

  /** The ticket with every fact a fan needs at the door. */
  async expectTicket({ concert, seats, amount, venue }: { concert: string; seats: string[]; amount: string; venue: string }) {
    await expect(this.page.getByRole('heading', { name: concert, level: 1 })).toBeVisible();
    await expect(this.bookingCode()).toHaveText(/^[A-HJ-NP-Z2-9-]{6,12}$/);
    const card = this.card();
    await expect(card).toContainText(seats.join(', '));
    await expect(card).toContainText(amount);
    await expect(card).toContainText(venue);
    await expect(card).toContainText(/\d\d:\d\d KST/);
    await expect(this.qrCode()).toBeVisible();
    return (await this.bookingCode().textContent())!;
  }
}
