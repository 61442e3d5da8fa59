import { expect, type Page } from '@playwright/test';

/** Sign-up, sign-in and the account page. */
export class AccountPages {
  constructor(readonly page: Page) {}

  async signUp({ name, email, password }: { name: string; email: string; password: string }) {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).click();
    await this.page.getByRole('link', { name: 'Create one' }).click();
    await expect(this.page.getByRole('heading', { name: 'Create an account', level: 1 })).toBeVisible();
    await this.page.getByLabel('Name').fill(name);
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
    await this.expectSignedIn();
  }

  async signIn({ email, password }: { email: string; password: string }) {
    await this.page.goto('/account/sign-in');
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await this.expectSignedIn();
  }

  /** The header offers the account, not "Sign in". */
  async expectSignedIn() {
    await expect(this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' })).toBeVisible();
  }

  async open() {
    await this.page.goto('/account');
    await expect(this.page.getByRole('heading', { name: 'Your account', level: 1 })).toBeVisible();
  }

  passkeys() {
    return this.page.getByRole('region', { name: 'Passkeys' }).getByRole('listitem');
  }

  async signOut() {
    await this.open();
    await this.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
  }
}
