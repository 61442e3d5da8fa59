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

  async chargeCustom(amount: string) {
    await this.page.getByLabel('Amount (won)').fill(amount);
    await this.page.getByRole('button', { name: 'Charge', exact: true }).click();
  }
}
