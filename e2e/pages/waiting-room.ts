import { expect, type Page } from '@playwright/test';

export class WaitingRoomPage {
  constructor(readonly page: Page) {}

  heading() {
    return this.page.getByRole('heading', { name: 'Waiting room' });
  }

  position() {
    return this.page.getByTestId('queue-position');
  }

  async expectPosition(position: number) {
    await expect(this.heading()).toBeVisible();
    await expect(this.position()).toHaveText(String(position));
  }
}
