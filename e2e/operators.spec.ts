import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { OPERATOR_PASSWORD } from '@/playwright.config';
import { expect, expectNoViolations, invitationLink, keepScreenshot, test } from './fixtures';
import { ConsolePage } from './pages/admin';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const PASSWORD = 'a long operator password';

/** Screens of a page at phone and desktop width, each checked with axe. */
async function screens(page: Page, name: string) {
  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    await page.setViewportSize(viewport);
    await expectNoViolations(page, `${name} (${size})`);
    await keepScreenshot(page, `${name}-${size}`);
  }
}

test('an owner invites a manager and a door operator; each sees only what their role may use', async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  // Three browsers, two invitations, and each screen at two widths with axe: more than a page's minute.
  test.slow();
  const tag = randomBytes(3).toString('hex');
  const people = {
    manager: { email: `manager-${tag}@example.com`, name: `Jisoo ${tag}` },
    door: { email: `door-${tag}@example.com`, name: `Minho ${tag}` },
  };
  const owner = new ConsolePage(page);
  await owner.open();
  await owner.signIn(OPERATOR_PASSWORD);
  await expect(owner.salesHeading()).toBeVisible();
  const header = page.getByRole('banner');
  await expect(header).toContainText('Owner (operator password)');
  await header.getByRole('link', { name: 'Operators', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Operators', level: 1 })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'Built in' })).toContainText('Owner (operator password)');

  for (const [role, person] of Object.entries(people)) {
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Role', { exact: true }).selectOption(role);
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Invitation mailed to ${person.email}` })).toBeVisible();
  }
  await expect(page.getByText(`${people.door.email}, Door, until`)).toBeVisible();
  await screens(page, 'admin-operators');

  // Each opens the mailed link in a browser of their own, names themself and chooses a password.
  const consoles: Record<string, Page> = {};
  for (const [role, person] of Object.entries(people)) {
    const context = await browser.newContext({ baseURL, locale: 'en-US' });
    const invitee = await context.newPage();
    await invitee.goto(await invitationLink(testInfo, person.email));
    await expect(invitee.getByRole('heading', { name: 'Join the operator console', level: 1 })).toBeVisible();
    await expect(
      invitee.getByText(`You are invited to the console as ${role === 'door' ? 'Door' : 'Manager'}, with ${person.email}.`),
    ).toBeVisible();
    if (role === 'door') await screens(invitee, 'admin-invitation');
    await invitee.getByLabel('Your name').fill(person.name);
    await invitee.getByLabel(/^Choose a password/).fill(PASSWORD);
    await invitee.getByRole('button', { name: 'Accept the invitation' }).click();
    await expect(invitee.getByRole('banner')).toContainText(`${person.name} · ${role === 'door' ? 'Door' : 'Manager'}`);
    consoles[role] = invitee;
  }

  // The manager runs sales, and has no Operators page.
  const manager = consoles.manager!;
  await expect(new ConsolePage(manager).salesHeading()).toBeVisible();
  await expect(manager.getByRole('link', { name: 'Create a concert' })).toBeVisible();
  await expect(manager.getByRole('banner').getByRole('link', { name: 'Operators' })).toHaveCount(0);

  // The door operator sees the door check, and no sale controls.
  const door = consoles.door!;
  await expect(door.getByRole('heading', { name: 'Check a ticket', level: 1 })).toBeVisible();
  await expect(door.getByLabel('Booking code or scanned ticket reference')).toBeVisible();
  const doorNav = door.getByRole('banner').getByRole('navigation');
  await expect(doorNav.getByRole('link')).toHaveText(['Check a ticket']);
  await expect(door.getByRole('link', { name: 'Create a concert' })).toHaveCount(0);
  await expect(door.getByRole('heading', { name: 'Sales' })).toHaveCount(0);
  await door.getByLabel('Booking code or scanned ticket reference').fill('AAA-BBB-CCC');
  await door.getByRole('button', { name: 'Check' }).click();
  await expect(door.getByRole('status').filter({ hasText: 'Unknown ticket' })).toBeVisible();
  await screens(door, 'admin-door');
  // And the API refuses them a sale's controls, naming the role it needs.
  const concertId = (await (await page.request.get('/api/trpc/admin.sale.list')).json()).result.data[0].concertId;
  const paused = await door.request.post('/api/trpc/admin.sale.pause', { data: { concertId } });
  expect(paused.status()).toBe(403);
  expect((await paused.json()).error.data).toMatchObject({ reason: 'OPERATOR_ROLE_REQUIRED', role: 'manager' });

  // The owner sees both, with their roles and a session each; signing the door operator out ends it at once.
  await page.reload();
  const doorItem = page.getByRole('listitem').filter({ hasText: people.door.email });
  await expect(doorItem).toContainText('Signed in: 1');
  await expect(page.getByRole('listitem').filter({ hasText: people.manager.email })).toContainText('Manager');
  await screens(page, 'admin-operators-team');
  await doorItem.getByRole('button', { name: `Sign ${people.door.name} out everywhere` }).click();
  await expect(doorItem.getByRole('status')).toHaveText('1 sessions ended.');
  await door.reload();
  await expect(door.getByRole('heading', { name: 'Operator sign-in', level: 1 })).toBeVisible();
  await new ConsolePage(door).signIn(PASSWORD, people.door.email);
  await expect(door.getByRole('heading', { name: 'Check a ticket', level: 1 })).toBeVisible();
});

test('the console’s operator pages in Korean', async ({ page, browser, baseURL }, testInfo) => {
  const email = `door-ko-${randomBytes(3).toString('hex')}@example.com`;
  await page.context().addCookies([{ name: 'lang', value: 'ko', url: baseURL! }]);
  const owner = new ConsolePage(page);
  await owner.open();
  await page.getByLabel('비밀번호', { exact: true }).fill(OPERATOR_PASSWORD);
  await page.getByRole('button', { name: '로그인' }).click();
  await page.getByRole('banner').getByRole('link', { name: '운영자', exact: true }).click();
  await expect(page.getByRole('heading', { name: '운영자', level: 1 })).toBeVisible();
  await page.getByLabel('이메일', { exact: true }).fill(email);
  await page.getByRole('button', { name: '초대 보내기' }).click();
  await expect(page.getByRole('status').filter({ hasText: email })).toBeVisible();
  await screens(page, 'admin-operators-ko');

  const context = await browser.newContext({ baseURL, locale: 'ko-KR' });
  await context.addCookies([{ name: 'lang', value: 'ko', url: baseURL! }]);
  const invitee = await context.newPage();
  await invitee.goto(await invitationLink(testInfo, email));
  await expect(invitee.getByRole('heading', { name: '운영 콘솔 참여', level: 1 })).toBeVisible();
  await screens(invitee, 'admin-invitation-ko');
  await invitee.getByLabel('이름').fill('민호');
  await invitee.getByLabel(/^비밀번호 정하기/).fill(PASSWORD);
  await invitee.getByRole('button', { name: '초대 수락' }).click();
  await expect(invitee.getByRole('banner')).toContainText('민호 · 입장 확인');
  await expect(invitee.getByRole('heading', { name: '티켓 확인', level: 1 })).toBeVisible();
  await screens(invitee, 'admin-door-ko');

  // A link no invitation has says so, with nothing to try again.
  await invitee.goto('/admin/invite?token=unknown-token-0123456789');
  await expect(invitee.getByRole('main').getByRole('alert')).toHaveText('알 수 없는 초대 링크입니다. 소유자에게 새 초대를 요청하세요.');
});
