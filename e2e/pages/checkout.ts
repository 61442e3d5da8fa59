import { expect, type Page } from '@playwright/test';

export class CheckoutPage {
  constructor(readonly page: Page) {}

  async expectHeld(label: string) {
    await expect(this.page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
    await expect(this.page.getByRole('heading', { name: label })).toBeVisible();
    await expect(this.page.getByRole('timer', { name: 'Time left to pay' })).toBeVisible();
  }

  payButton() {
    return this.page.getByRole('button', { name: /^Pay ₩/ });
  }

  chargeShortfallButton() {
    return this.page.getByRole('button', { name: /^Charge ₩[\d,]+ and keep my seat$/ });
  }

  /** Shown while a payment or charge whose call failed on the way is sent again. */
  retrying() {
    return this.page.getByRole('status').filter({ hasText: 'The connection dropped. Trying again…' });
  }
}
