import { expect, type Page } from '@playwright/test';

/** A `datetime-local` value in Korea time (what the console's time fields take), `minutes` from now. */
export function kstInput(minutes: number): string {
  const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
  return new Date(Date.now() + minutes * 60_000 + KST_OFFSET_MS).toISOString().slice(0, 16);
}

export interface NewConcert {
  title: string;
  artist: string;
  venue: string;
  /** KST `datetime-local` values. */
  prequeueOpensAt: string;
  opensAt: string;
  maxActive?: string;
}

/** The operator's console: sign-in, the sales, the create form and a sale's dashboard. */
export class ConsolePage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/admin');
  }

  signInForm() {
    return this.page.getByRole('heading', { name: 'Operator sign-in', level: 1 });
  }

  /** Signs in with the operator password alone (the built-in owner), or an operator's email and password. */
  async signIn(password: string, email?: string) {
    if (email !== undefined) await this.page.getByLabel('Email (optional)').fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  salesHeading() {
    return this.page.getByRole('heading', { name: 'Sales', level: 1 });
  }

  sale(title: string) {
    return this.page.getByRole('listitem').filter({ has: this.page.getByRole('heading', { name: title }) });
  }

  async createConcert(concert: NewConcert) {
    await this.page.getByRole('link', { name: 'Create a concert' }).click();
    await expect(this.page.getByRole('heading', { name: 'Create a concert', level: 1 })).toBeVisible();
    await this.page.getByLabel('Title').fill(concert.title);
    await this.page.getByLabel('Artist').fill(concert.artist);
    await this.page.getByLabel('Venue').fill(concert.venue);
    await this.page.getByLabel('Pre-queue opens (Korea time)').fill(concert.prequeueOpensAt);
    await this.page.getByLabel('Sale opens (Korea time)').fill(concert.opensAt);
    if (concert.maxActive) await this.page.getByLabel('Fans buying at once (optional)').fill(concert.maxActive);
    await this.page.getByRole('button', { name: 'Create and schedule the sale' }).click();
  }

  /** A figure of the dashboard, e.g. "Free seats". */
  stat(label: string) {
    return this.page.getByRole('group', { name: label, exact: true });
  }

  state() {
    return this.page.getByRole('heading', { level: 1 }).locator('.sale-state');
  }

  lastUpdate() {
    return this.page.getByText(/Updated \d\d:\d\d:\d\d/);
  }

  button(name: string) {
    return this.page.getByRole('button', { name, exact: true });
  }

  async setCap(cap: string) {
    await this.page.getByLabel('Fans buying at once').fill(cap);
    await this.button('Apply').click();
  }

  /** The sale page's latest audit entries, newest first (not the lists of changes inside them). */
  recentChanges() {
    return this.page.getByRole('region', { name: 'Recent changes' }).locator('ol > li');
  }

  closeDialog() {
    return this.page.getByRole('dialog', { name: 'Close this sale?' });
  }
}
