import { expect } from '@playwright/test';
import { MAILBOX_URL } from '@/playwright.config';

/** The mail to `to` whose subject matches, from the test server's mailbox (e2e/mail-catcher.ts), once it has arrived. */
export async function mailTo(to: string, subject: RegExp): Promise<{ subject: string; text: string }> {
  let found: { subject: string; text: string } | undefined;
  await expect
    .poll(async () => {
      const messages = (await (await fetch(`${MAILBOX_URL}/messages?to=${encodeURIComponent(to)}`)).json()) as {
        subject: string;
        text: string;
      }[];
      found = messages.find((m) => subject.test(m.subject));
      return found !== undefined;
    })
    .toBe(true);
  return found!;
}
