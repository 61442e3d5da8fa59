import { expect, type Page } from '@playwright/test';

/** My tickets: the fan's orders, newest first. */
export class MyTicketsPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/reservations');
    await expect(this.page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  }

  /** The card of an order for this concert (its heading is the concert's title). */
  order(concertTitle: string) {
    return this.page.getByRole('listitem').filter({ has: this.page.getByRole('heading', { name: concertTitle }) });
  }

  outcome() {
    return this.page.getByRole('status').filter({ hasText: /^(Refunded|Released)/ });
  }
}
