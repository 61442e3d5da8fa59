import { expect, type Page } from '@playwright/test';

export class WalletPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/wallet');
    await expect(this.page.getByRole('heading', { name: 'Wallet', level: 1 })).toBeVisible();
  }

  balance() {
    return this.page.getByTestId('wallet-balance');
  }

  /** A preset, e.g. "₩50,000". */
  chargeButton(amount: string) {
    return this.page.getByRole('button', { name: `Charge ${amount}` });
  }

  async chargeCustom(amount: string) {
    await this.page.getByLabel('Amount (won)').fill(amount);
    await this.page.getByRole('button', { name: 'Charge', exact: true }).click();
  }

  /** Shown while a charge whose call failed on the way is sent again. */
  retrying() {
    return this.page.getByRole('status').filter({ hasText: 'The connection dropped. Trying again…' });
  }

  /** History entries of one kind. */
  entries(kind: 'Charge' | 'Ticket payment') {
    return this.page.getByRole('listitem').filter({ hasText: new RegExp(`^${kind}`) });
  }
}
