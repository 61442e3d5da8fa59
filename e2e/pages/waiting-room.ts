import { expect, type Page } from '@playwright/test';
import { LONGEST_POLL_INTERVAL_SECONDS } from '@/server/shared/timing';

/**
 * A waiting room learns that its place moved at its next poll, which a fan far from the front (a
 * long estimated wait) makes up to LONGEST_POLL_INTERVAL_SECONDS later; plus time for a busy machine.
 */
const NEXT_POLL_MS = LONGEST_POLL_INTERVAL_SECONDS * 1000 + 10_000;

export class WaitingRoomPage {
  constructor(readonly page: Page) {}

  heading() {
    return this.page.getByRole('heading', { name: 'Waiting room' });
  }

  position() {
    return this.page.getByTestId('queue-position');
  }

  /** The place shown, waiting for the page's next poll when the line has just moved. */
  async expectPosition(position: number) {
    await expect(this.heading()).toBeVisible();
    await expect(this.position()).toHaveText(String(position), { timeout: NEXT_POLL_MS });
  }

  /** Before the opening: the countdown to it. */
  countdown() {
    return this.page.getByRole('timer', { name: 'The sale opens in' });
  }

  noAdvantage() {
    return this.page.getByText(/^Arriving early gives no advantage/);
  }

  /** "Your draw number is 4711." (pre-queue) */
  drawNumber() {
    return this.page.getByText(/^Your draw number is \d+\.$/);
  }

  /** "You are #1; your draw number is 4711." (in line, after the draw) */
  placeLine() {
    return this.page.getByText(/^You are #[\d,]+; your draw number is \d+\./);
  }

  seatsTaken() {
    return this.page.getByRole('status').filter({ hasText: /^All seats are taken right now;/ });
  }

  soldOut() {
    return this.page.getByRole('alert').filter({ hasText: /^Sold out: every seat of this concert has been sold\./ });
  }

  backToConcerts() {
    return this.page.getByRole('link', { name: 'Back to the concerts' });
  }

  /** "The sale is paused (since 21:04). …" */
  paused() {
    return this.page.getByRole('alert').filter({ hasText: /^The sale is paused \(since .+\)\./ });
  }

  resumed() {
    return this.page.getByRole('status').filter({ hasText: /^The sale has resumed/ });
  }

  /** "Estimated wait: about 4–6 min", or "Estimated wait once it resumes: …" while paused. */
  estimate() {
    return this.page.getByTestId('queue-wait');
  }

  inLine() {
    return this.page.getByTestId('queue-in-line');
  }

  leaveButton() {
    return this.page.getByRole('button', { name: 'Leave the line' });
  }

  /** The confirmation step of leaving: its two answers. */
  confirmLeave() {
    return this.page.getByRole('group', { name: 'Leave the line' }).getByRole('button', { name: 'Yes, leave the line' });
  }

  stayInLine() {
    return this.page.getByRole('button', { name: 'Stay in line' });
  }

  leftHeading() {
    return this.page.getByRole('heading', { name: 'You left the line', level: 1 });
  }

  joinAgain() {
    return this.page.getByRole('button', { name: 'Join the line again' });
  }
}
