import { expect, type Page } from '@playwright/test';
import { mailTo } from '../mailbox';

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

  /** Opens the confirmation link mailed to `email` (the test server's mailbox), as the fan would. */
  async confirmEmail(email: string) {
    const mail = await mailTo(email, /Confirm your email address/);
    const link = new URL(/https?:\/\/\S+\/account\/verify\?token=\S+/.exec(mail.text)![0]);
    // The link names APP_ORIGIN; the test browses the same server by its address.
    await this.page.goto(link.pathname + link.search);
    await expect(this.page.getByRole('status').filter({ hasText: 'Your email address is confirmed.' })).toBeVisible();
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
