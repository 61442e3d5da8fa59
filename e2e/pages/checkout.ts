import { expect, type Page } from '@playwright/test';

export class CheckoutPage {
  constructor(readonly page: Page) {}

  /** The checkout of an order holding these seats, its countdown running. */
  async expectHeld(...labels: string[]) {
    await expect(this.page.getByRole('heading', { name: 'Checkout', level: 1 })).toBeVisible();
    const seats = this.page.getByRole('list', { name: 'Seats' }).getByRole('listitem');
    await expect(seats).toHaveCount(labels.length);
    for (const label of labels) await expect(seats.filter({ hasText: label })).toHaveCount(1);
    await expect(this.page.getByRole('timer', { name: 'Time left to pay' })).toBeVisible();
  }

  payButton() {
    return this.page.getByRole('button', { name: /^Pay ₩/ });
  }

  chargeShortfallButton() {
    return this.page.getByRole('button', { name: /^Charge ₩[\d,]+ and keep my seats?$/ });
  }

  /** Shown while a payment or charge whose call failed on the way is sent again. */
  retrying() {
    return this.page.getByRole('status').filter({ hasText: 'The connection dropped. Trying again…' });
  }
}
