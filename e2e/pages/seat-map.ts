import { expect, type Page } from '@playwright/test';

export type SeatStateName = 'Free' | 'Held' | 'Sold' | 'Yours' | 'Selected';

export class SeatMapPage {
  constructor(readonly page: Page) {}

  async chooseDate(index = 0) {
    await this.page
      .getByRole('link', { name: /^Choose seats/ })
      .nth(index)
      .click();
    await expect(this.page.getByRole('heading', { name: 'Choose a seat', level: 1 })).toBeVisible();
  }

  /** The map: a grid of seats, one Tab stop. */
  grid() {
    return this.page.getByRole('grid', { name: 'Seat map' });
  }

  /** A seat button by its label, e.g. "VIP A-1". */
  seat(label: string) {
    return this.page.getByRole('button', { name: new RegExp(`^${label},`) });
  }

  async expectSeatState(label: string, state: SeatStateName) {
    await expect(this.seat(label)).toHaveAccessibleName(new RegExp(`^${label}, .*, ${state}$`));
  }

  /** The selection beside (or, on a phone, below) the map. */
  selection() {
    return this.page.getByRole('complementary', { name: /^Your selection/ });
  }

  holdButton() {
    return this.page.getByRole('button', { name: /^Hold \d+ seats?$/ });
  }

  /** Picks the seats on the map (by pointer) and holds them as one order. */
  async hold(...labels: string[]) {
    for (const label of labels) {
      await this.seat(label).click();
      await this.expectSeatState(label, 'Selected');
    }
    await expect(this.holdButton()).toHaveText(labels.length === 1 ? 'Hold 1 seat' : `Hold ${labels.length} seats`);
    await this.holdButton().click();
  }

  /** "Best available": the best `quantity` seats together, optionally in one section, selected on the map. */
  async bestAvailable(quantity: number, section?: string) {
    const form = this.page.getByRole('group', { name: 'Best available' });
    await form.getByLabel('Seats').selectOption(String(quantity));
    if (section) await form.getByLabel('Section').selectOption(section);
    await form.getByRole('button', { name: `Find the best ${quantity} together` }).click();
  }
}
