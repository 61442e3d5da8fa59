import { expect, type Page } from '@playwright/test';

/** The door page (/operator/tickets): date and gate, scan, the answer, the typed fallback, offline. */
export class DoorPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/operator/tickets');
    await expect(this.page.getByRole('heading', { name: 'At the door', level: 1 })).toBeVisible();
  }

  /** Signs in with the operator password alone (the built-in owner), or an operator's email and password. */
  async signIn(password: string, email?: string) {
    if (email !== undefined) await this.page.getByLabel(/^Email/).fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(this.page.getByLabel('Date')).toBeVisible();
  }

  /** The date (by its schedule id) and the gate this door lets in at. */
  async setUp(scheduleId: number, gate: string) {
    await this.page.getByLabel('Date').selectOption(String(scheduleId));
    await this.page.getByLabel('Gate', { exact: true }).fill(gate);
    await expect(this.scanSection()).toBeVisible();
  }

  scanSection() {
    return this.page.getByRole('region', { name: 'Scan' });
  }

  count() {
    return this.page.getByTestId('door-count');
  }

  /** The big answer of the last check-in: a status when let in, an alert otherwise. */
  admitted() {
    return this.page.getByRole('status').filter({ hasText: 'Valid: let in' });
  }

  alreadyUsed() {
    return this.page.getByRole('alert').filter({ hasText: /^Already used at \d\d:\d\d at / });
  }

  refused() {
    return this.page.getByRole('alert').filter({ hasText: /^Do not let in/ });
  }

  async scanPhoto(png: Buffer) {
    await this.page.getByLabel('Scan from a photo').setInputFiles({ name: 'ticket.png', mimeType: 'image/png', buffer: png });
  }

  cameraButton() {
    return this.scanSection().getByRole('button', { name: /camera$/ });
  }

  lookUpSection() {
    return this.page.getByRole('region', { name: 'Type a code' });
  }

  async lookUp(code: string) {
    await this.lookUpSection().getByLabel('Booking code or ticket reference').fill(code);
    await this.lookUpSection().getByRole('button', { name: 'Look up' }).click();
  }

  found() {
    return this.lookUpSection().getByRole('list', { name: 'Tickets found' }).getByRole('listitem');
  }

  offlineSection() {
    return this.page.getByRole('region', { name: 'Offline' });
  }

  async prepareOffline() {
    await this.offlineSection().getByRole('button', { name: 'Prepare for offline' }).click();
    await expect(this.offlineSection().getByRole('status').first()).toContainText(/^Ready offline: \d+ tickets of /);
  }

  offlineMode() {
    return this.offlineSection().getByRole('checkbox', { name: 'Offline mode: check tickets on this device' });
  }

  uploadButton() {
    return this.offlineSection().getByRole('button', { name: 'Upload entries' });
  }

  uploadResults() {
    return this.offlineSection().locator('.door-upload-results');
  }

  doubleEntries() {
    return this.offlineSection().getByRole('alert').getByRole('listitem');
  }
}
