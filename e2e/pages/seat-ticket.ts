import { expect, type Page } from '@playwright/test';

/** One seat's ticket (/ticket/<reference>): the QR code shown at the door, and passing it to a friend. */
export class SeatTicketPage {
  constructor(readonly page: Page) {}

  async open(reference: string) {
    await this.page.goto(`/ticket/${reference}`);
    await expect(this.page.getByRole('heading', { level: 1 })).toBeVisible();
  }

  qrCode() {
    return this.page.getByRole('img', { name: /^QR code of ticket / });
  }

  seat() {
    return this.page.getByTestId('ticket-seat');
  }

  holder() {
    return this.page.getByTestId('ticket-holder');
  }

  reference() {
    return this.page.getByTestId('ticket-reference');
  }

  /** Why there is no QR code (given away, refunded, offered, used). */
  noQrNotice() {
    return this.page.getByRole('article').getByRole('status');
  }

  saveButton() {
    return this.page.getByRole('button', { name: 'Save to phone' });
  }

  transferSection() {
    return this.page.getByRole('region', { name: 'Pass to a friend' });
  }

  /** Passes the ticket on: the email, then the confirmation that says what happens. */
  async passTo(email: string, seat: string) {
    const section = this.transferSection();
    await section.getByRole('button', { name: 'Pass to a friend' }).click();
    await section.getByLabel('Your friend’s email').fill(email);
    await section.getByRole('button', { name: 'Continue' }).click();
    const confirm = section.getByRole('group', { name: `Pass seat ${seat} to ${email}?` });
    await expect(confirm).toContainText('Your QR code for this seat stops working');
    await expect(confirm).toContainText('No money moves');
    await confirm.getByRole('button', { name: `Yes, pass it to ${email}` }).click();
  }
}
