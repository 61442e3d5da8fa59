import { expect, type Locator, type Page } from '@playwright/test';

/** My tickets: the fan's orders, newest first, each with its tickets; then the tickets received from friends. */
export class MyTicketsPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/reservations');
    await expect(this.page.getByRole('heading', { name: 'My tickets', level: 1 })).toBeVisible();
  }

  /** The card of an order for this concert (its heading, level 2, is the concert's title; received groups' are level 3). */
  order(concertTitle: string) {
    return this.page.getByRole('listitem').filter({ has: this.page.getByRole('heading', { name: concertTitle, level: 2 }) });
  }

  /** The tickets (one a seat) of a card: an order's, or a group received from a friend. */
  ticketsIn(card: Locator) {
    return card.getByRole('list', { name: 'Tickets, one a seat' }).getByRole('listitem');
  }

  /** The tickets friends passed on, from one concert. */
  received(concertTitle: string) {
    return this.page
      .getByRole('region', { name: 'Received from friends' })
      .getByRole('listitem')
      .filter({ has: this.page.getByRole('heading', { name: concertTitle }) });
  }

  outcome() {
    return this.page.getByRole('status').filter({ hasText: /^(Refunded|Released)/ });
  }
}
