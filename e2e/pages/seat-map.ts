import { expect, type Page } from '@playwright/test';

export class SeatMapPage {
  constructor(readonly page: Page) {}

  async chooseDate(index = 0) {
    await this.page
      .getByRole('link', { name: /^Choose seats/ })
      .nth(index)
      .click();
    await expect(this.page.getByRole('heading', { name: 'Choose a seat' })).toBeVisible();
  }

  /** A seat button by its label, e.g. "VIP A-1". */
  seat(label: string) {
    return this.page.getByRole('button', { name: new RegExp(`^${label},`) });
  }

  async expectSeatState(label: string, state: 'Free' | 'Held' | 'Sold' | 'Yours') {
    await expect(this.seat(label)).toHaveAccessibleName(new RegExp(`^${label}, .*, ${state}$`));
  }
}
