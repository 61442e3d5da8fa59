import { expect, type Page } from '@playwright/test';

export class HomePage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/');
    await expect(this.page.getByRole('heading', { level: 1 })).toBeVisible();
  }

  concertCard(title: string) {
    return this.page.getByRole('listitem').filter({ has: this.page.getByRole('heading', { name: title }) });
  }

  /** The card's sale line: "On sale now", "Pre-queue open · the sale opens …", "Sold out", … */
  saleState(title: string) {
    return this.concertCard(title).getByTestId('sale-state');
  }

  /** The card's action, whichever the sale allows ("Get tickets", "Join the pre-queue"). */
  actions(title: string) {
    return this.concertCard(title).getByRole('button');
  }

  async getTickets(title: string) {
    await this.page.getByRole('button', { name: `Get tickets: ${title}` }).click();
  }

  async joinPrequeue(title: string) {
    await this.page.getByRole('button', { name: `Join the pre-queue: ${title}` }).click();
  }
}
