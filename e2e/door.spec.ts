import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { OPERATOR_PASSWORD } from '@/playwright.config';
import {
  expect,
  expectNoViolations,
  invitationLink,
  keepScreenshot,
  seatMapOf,
  test,
  throughQueue,
  type Fan,
  type TestConcert,
} from './fixtures';
import { DoorPage } from './pages/door-page';
import { qrPhoto, writeQrVideo } from './qr-video';

/** Buys the seats as one order (charging exactly their price); returns their tickets' references, in seat order. */
async function buy(fan: Fan, concert: TestConcert, seats: string[], amount: string): Promise<string[]> {
  await fan.page.goto(throughQueue(seatMapOf(concert)));
  await fan.seatMap.hold(...seats);
  await fan.checkout.expectHeld(...seats);
  await fan.checkout.chargeShortfallButton().click();
  await fan.checkout.payButton().click();
  await expect(fan.page.getByText(/^Paid! Your tickets are confirmed\./)).toBeVisible();
  const code = await fan.ticket.expectTicket({ concert: concert.title, seats, amount, venue: 'Loopback Hall' });
  return seats.map((_, i) => `${code}-${i + 1}`);
}
const buyOne = async (fan: Fan, concert: TestConcert, seat: string, amount: string) => (await buy(fan, concert, [seat], amount))[0]!;

/** The QR payload of a ticket the fan holds (`ticket.get`, as their ticket page reads it). */
async function qrOf(fan: Fan, reference: string): Promise<string> {
  const response = await fan.page.request.get(`/api/trpc/ticket.get?input=${encodeURIComponent(JSON.stringify({ reference }))}`);
  expect(response.ok(), await response.text()).toBe(true);
  const qr = ((await response.json()) as { result: { data: { qr: string | null } } }).result.data.qr;
  expect(qr).toMatch(/^T2\./);
  return qr!;
}

/** A door steward's page, signed in as the built-in owner, at `gate` for the concert's first date. */
async function openDoor(page: Page, concert: TestConcert, gate: string): Promise<DoorPage> {
  const door = new DoorPage(page);
  await door.open();
  await door.signIn(OPERATOR_PASSWORD);
  await door.setUp(concert.scheduleIds[0]!, gate);
  return door;
}

const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

/** The page at phone and desktop width, each checked with axe and kept (test-results/screens/door-NAME-phone.png …). */
async function screens(page: Page, name: string) {
  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    await page.setViewportSize(viewport);
    await expectNoViolations(page, `${name} (${size})`);
    await keepScreenshot(page, `door-${name}-${size}`);
  }
}

test('the door’s screens in English, phone and desktop: waiting, let in, already used', async ({ fan, newFan, concert }) => {
  test.slow();
  const reference = await buyOne(fan, concert, 'R E-4', '₩132,000');
  const photo = await qrPhoto(await qrOf(fan, reference));
  const door = await openDoor((await newFan()).page, concert, 'Gate 2');
  await screens(door.page, 'idle');
  await door.scanPhoto(photo);
  await expect(door.admitted()).toContainText('R E-4');
  await screens(door.page, 'admitted');
  await door.page.getByLabel('Gate', { exact: true }).fill('Gate 3');
  await door.scanPhoto(photo);
  await expect(door.alreadyUsed()).toContainText(/Already used at \d\d:\d\d at Gate 2/);
  await screens(door.page, 'already-used');
});

test('the door’s screens in Korean, phone and desktop: waiting, let in, already used', async ({ fan, newFan, concert, baseURL }) => {
  test.slow();
  const reference = await buyOne(fan, concert, 'R E-5', '₩132,000');
  const photo = await qrPhoto(await qrOf(fan, reference));
  const { page } = await newFan();
  await page.context().addCookies([{ name: 'lang', value: 'ko', url: baseURL! }]);
  await page.goto('/operator/tickets');
  await expect(page.getByRole('heading', { name: '입장 관리', level: 1 })).toBeVisible();
  await page.getByLabel('비밀번호', { exact: true }).fill(OPERATOR_PASSWORD);
  await page.getByRole('button', { name: '로그인' }).click();
  await page.getByLabel('날짜').selectOption(String(concert.scheduleIds[0]));
  await page.getByLabel('게이트', { exact: true }).fill('2번 게이트');
  await screens(page, 'idle-ko');
  const scanPhoto = () => page.getByLabel('사진으로 스캔').setInputFiles({ name: 'ticket.png', mimeType: 'image/png', buffer: photo });
  await scanPhoto();
  await expect(page.getByRole('status').filter({ hasText: '유효: 입장하세요' })).toContainText('R E-5');
  await screens(page, 'admitted-ko');
  await scanPhoto();
  await expect(page.getByRole('alert').filter({ hasText: /^이미 사용됨: \d\d:\d\d 2번 게이트에서 입장/ })).toBeVisible();
  await screens(page, 'already-used-ko');
});

test('typed fallback: the steward checks the holder’s name and lets them in; the same ticket again says when and where it was used', async ({
  fan,
  concert,
  newFan,
}) => {
  const reference = await buyOne(fan, concert, 'S H-5', '₩99,000');
  // The fan's QR, as their ticket shows it until it is used.
  const photo = await qrPhoto(await qrOf(fan, reference));
  const door = await openDoor((await newFan()).page, concert, 'Gate 1');
  await expect(door.count()).toHaveText(/^Let in so far: 0 of \d+$/);

  // The booking code lists its ticket, with the holder's name: typed, it lets nobody in by itself.
  await door.lookUp(reference.slice(0, -2).toLowerCase());
  const ticket = door.found().filter({ hasText: reference });
  await expect(ticket).toContainText('Not used yet');
  await expect(door.admitted()).toHaveCount(0);
  await ticket.getByRole('button', { name: /^Name checked: let in / }).click();
  await expect(door.admitted()).toContainText('S H-5');
  await expect(ticket).toContainText('Already let in');
  await expect(ticket.getByRole('button')).toHaveCount(0);
  await expect(door.count()).toHaveText(/^Let in so far: 1 of \d+$/);

  // At another gate, its QR (a photo of the fan's screen) is refused, naming the first entry.
  await door.page.getByLabel('Gate', { exact: true }).fill('Gate 2');
  await door.scanPhoto(photo);
  await expect(door.alreadyUsed()).toContainText(/Already used at \d\d:\d\d at Gate 1/);
  await expect(door.alreadyUsed()).toContainText('S H-5');

  // The owner may undo the entry, with a reason; then the ticket lets in again.
  await door.alreadyUsed().getByRole('button', { name: 'Undo entry' }).click();
  await door.page.getByLabel('Why (kept on the record)').fill('Scanned the wrong fan');
  await door.page.getByRole('button', { name: 'Undo this entry' }).click();
  await expect(door.page.getByRole('status').filter({ hasText: `Entry of ${reference} undone` })).toBeVisible();
  await expect(door.count()).toHaveText(/^Let in so far: 0 of \d+$/);
  await door.scanPhoto(photo);
  await expect(door.admitted()).toContainText('S H-5');
});

test('a door operator lets a fan in and is not offered the undo; the server refuses it them too', async ({
  fan,
  concert,
  newFan,
}, testInfo) => {
  const reference = await buyOne(fan, concert, 'S H-2', '₩99,000');
  const owner = await openDoor((await newFan()).page, concert, 'Gate 1');
  const email = `door-${randomBytes(3).toString('hex')}@example.com`;
  const invited = await owner.page.request.post('/api/trpc/admin.operator.invite', { data: { email, role: 'door' } });
  expect(invited.ok(), await invited.text()).toBe(true);

  const { page } = await newFan();
  await page.goto(await invitationLink(testInfo, email));
  await page.getByLabel('Your name').fill('Minho');
  await page.getByLabel(/^Choose a password/).fill('a long operator password');
  await page.getByRole('button', { name: 'Accept the invitation' }).click();
  await expect(page.getByRole('banner')).toContainText('Minho · Door');
  const door = new DoorPage(page);
  await door.open();
  await door.setUp(concert.scheduleIds[0]!, 'Gate 4');
  await door.lookUp(reference);
  await door
    .found()
    .filter({ hasText: reference })
    .getByRole('button', { name: /^Name checked: let in / })
    .click();
  await expect(door.admitted()).toContainText('S H-2');
  await expect(door.admitted().getByRole('button', { name: 'Undo entry' })).toHaveCount(0);
  const undo = await page.request.post('/api/trpc/ticket.undoEntry', { data: { reference, reason: 'Wrong fan' } });
  expect(undo.status()).toBe(403);
});

test('a code that is no ticket is refused in words, and a photo without a QR code says so', async ({ page, concert }) => {
  const door = await openDoor(page, concert, 'Gate 1');
  await door.lookUp('AAA-BBB-CCC');
  await expect(door.lookUpSection().getByRole('status')).toHaveText('No ticket of this date has that code.');
  await door.scanPhoto(await qrPhoto('T2.AAA-BBB-CCC-1.1.1.1.bm90IGEgc2lnbmF0dXJl'));
  await expect(door.refused()).toContainText(/Forged or damaged QR code|Unknown code/);
});

test('the camera: a QR code held in front of it lets in once, whatever the frames repeat', async ({ fan, concert, baseURL }, testInfo) => {
  const reference = await buyOne(fan, concert, 'R C-7', '₩132,000');
  const video = path.join(os.tmpdir(), `door-qr-${testInfo.testId}.y4m`);
  writeQrVideo(video, await qrOf(fan, reference));
  const launch = testInfo.project.use.launchOptions ?? {};
  const camera = await chromium.launch({
    ...launch,
    args: [
      ...(launch.args ?? []),
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const door = await openDoor(await (await camera.newContext({ baseURL, locale: 'en-US' })).newPage(), concert, 'East gate');
    const checkIns: string[] = [];
    door.page.on('request', (request) => {
      if (request.url().includes('ticket.checkIn')) checkIns.push(request.url());
    });
    let counts = 0;
    door.page.on('request', (request) => {
      if (request.url().includes('ticket.doorCount')) counts++;
    });
    await door.cameraButton().click();
    await expect(door.cameraButton()).toHaveText('Stop camera');
    // A slow machine decodes a few frames a second.
    await expect(door.admitted()).toContainText('R C-7', { timeout: 20_000 });
    await expect(door.count()).toHaveText(/^Let in so far: 1 of \d+$/);
    // The camera keeps seeing the code for longer than the repeat window: until the count's own
    // refresh (every 10 s) has come round, no second check-in goes out and the answer stays.
    const seen = counts;
    await expect.poll(() => counts, { timeout: 20_000 }).toBeGreaterThan(seen);
    expect(checkIns).toHaveLength(1);
    await expect(door.admitted()).toContainText('R C-7');
    await door.cameraButton().click();
    await expect(door.cameraButton()).toHaveText('Start camera');
  } finally {
    await camera.close();
  }
});

test('offline: two devices prepare, lose the network and let the same ticket in; uploading reports the double entry with both', async ({
  fan,
  concert,
  newFan,
}) => {
  test.slow();
  const reference = await buyOne(fan, concert, 'VIP B-3', '₩165,000');
  const photo = await qrPhoto(await qrOf(fan, reference));
  const north = await openDoor((await newFan()).page, concert, 'North gate');
  const south = await openDoor((await newFan()).page, concert, 'South gate');
  for (const door of [north, south]) await door.prepareOffline();

  const offline = async (door: DoorPage, value: boolean) => door.page.context().setOffline(value);
  for (const door of [north, south]) {
    await offline(door, true);
    await door.scanPhoto(photo);
    await expect(door.admitted()).toContainText('Checked on this device (offline)');
    await expect(door.page.getByRole('alert').filter({ hasText: 'The network failed: switched to offline mode.' })).toBeVisible();
    await expect(door.offlineMode()).toBeChecked();
    // This device remembers it let the ticket in.
    await door.lookUp(reference);
    await expect(door.found().filter({ hasText: reference })).toContainText('Already let in');
  }

  // Back online, each uploads by itself: the first is recorded, the second is the double entry.
  await offline(north, false);
  await expect(north.uploadResults()).toContainText(`${reference}: recorded`);
  await expect(north.offlineMode()).not.toBeChecked();
  await offline(south, false);
  const double = south.doubleEntries();
  await expect(double).toContainText(`Double entry: ${reference} was let in twice`);
  await expect(double).toContainText(/First: \d\d:\d\d at North gate/);
  await expect(double).toContainText(/This device: \d\d:\d\d at South gate/);
  await expect(south.count()).toHaveText(/^Let in so far: 1 of \d+$/);
});
