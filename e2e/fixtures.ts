import { createHash, randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect as baseExpect, type Browser, type Page, type TestInfo } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { connect } from '@/db/client';
import { JOIN_DIFFICULTY_MIN } from '@/db/limits';
import { createConcert } from '@/server/seed';
import { AccountPages } from './pages/account';
import { CheckoutPage } from './pages/checkout';
import { HomePage } from './pages/home';
import { MyTicketsPage } from './pages/my-tickets';
import { SeatMapPage } from './pages/seat-map';
import { SeatTicketPage } from './pages/seat-ticket';
import { TicketPage } from './pages/ticket';
import { WaitingRoomPage } from './pages/waiting-room';
import { WalletPage } from './pages/wallet';

/** A person with their own browser (cookies: their own guest session) and the pages they use. */
export class Fan {
  readonly home: HomePage;
  readonly waitingRoom: WaitingRoomPage;
  readonly seatMap: SeatMapPage;
  readonly checkout: CheckoutPage;
  readonly wallet: WalletPage;
  readonly ticket: TicketPage;
  readonly seatTicket: SeatTicketPage;
  readonly myTickets: MyTicketsPage;
  readonly account: AccountPages;
  constructor(readonly page: Page) {
    this.account = new AccountPages(page);
    this.home = new HomePage(page);
    this.waitingRoom = new WaitingRoomPage(page);
    this.seatMap = new SeatMapPage(page);
    this.checkout = new CheckoutPage(page);
    this.wallet = new WalletPage(page);
    this.ticket = new TicketPage(page);
    this.seatTicket = new SeatTicketPage(page);
    this.myTickets = new MyTicketsPage(page);
  }
}

export interface TestConcert {
  concertId: number;
  title: string;
  scheduleIds: number[];
}

/** The sale of a test's concert: times in seconds from now (negative: already past). */
export interface SaleOptions {
  prequeueOpensIn?: number;
  opensIn?: number;
  /** Fans active at once in this sale's line; default: the QUEUE_MAX_ACTIVE of the server the test runs against. */
  maxActive?: number;
  /** Keeps only this many seats (the first ones of the first date); every seat when unset. */
  seats?: number;
  /** A sale that is over already. */
  closed?: 'sold_out' | 'closed';
  /** Who may join its line; default everyone. */
  audience?: 'everyone' | 'accounts';
  /**
   * Its join challenge's difficulty (JOIN_CHALLENGE is on on every test server): by default the least
   * there is, so a test about something else does not wait for two browsers solving on a busy machine
   * (e2e/join-challenge.spec.ts asks for more).
   */
  joinDifficulty?: number;
}

/** On sale since a minute ago: a sale with no pre-queue left to wait for. */
const OPEN_SALE = { prequeueOpensIn: -120, opensIn: -60 };
const TURN_SECONDS = 600;

interface Fixtures {
  /** The sale of `concert`: set it with `test.use({ sale: { … } })`. */
  sale: SaleOptions;
  /** A concert made for this test alone (two future dates) with its sale, so parallel tests never share seats or lines. */
  concert: TestConcert;
  /** A second concert, on sale now. */
  anotherConcert: TestConcert;
  fan: Fan;
  /** Another person, in a browser context of their own. */
  newFan: () => Promise<Fan>;
  /**
   * Set it false (`test.use({ axeAtEnd: false })`) for a test whose last page is broken on purpose.
   * Otherwise every page a test leaves open is checked with axe when the test ends (see `axe`).
   */
  axeAtEnd: boolean;
  axe: void;
}

/** The WCAG 2.1 A/AA rules and axe's best practices: what every page is held to. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** axe's violations on the page as it is now, one line each ("name: rule (impact) help: targets"). */
export async function axeViolations(page: Page, name: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return violations.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** No axe violation on the page as it is now. */
export async function expectNoViolations(page: Page, name: string) {
  baseExpect(await axeViolations(page, name)).toEqual([]);
}

async function openFan(browser: Browser, baseURL: string | undefined, close: (() => Promise<void>)[]): Promise<Fan> {
  const context = await browser.newContext({ baseURL, locale: 'en-US' });
  close.push(() => context.close());
  return new Fan(await context.newPage());
}

/** A concert of its own (two future dates) with its sale, made directly in the server's database. */
async function createTestConcert(testInfo: TestInfo, testTitle: string, sale: SaleOptions): Promise<TestConcert> {
  const database = connect(testInfo.project.metadata.databaseUrl as string, { max: 1 });
  const title = `E2E ${testTitle.slice(0, 40)} ${randomBytes(3).toString('hex')}`;
  // Unless the test says otherwise, the line's cap of the server it runs against (the waiting-room server's 1).
  const serverEnv = testInfo.project.metadata.serverEnv as Record<string, string> | undefined;
  const serverCap = serverEnv?.QUEUE_MAX_ACTIVE ? Number(serverEnv.QUEUE_MAX_ACTIVE) : undefined;
  const { prequeueOpensIn, opensIn, maxActive } = { ...OPEN_SALE, maxActive: serverCap, ...sale };
  try {
    const created = await database.db.transaction(async (tx) => {
      const concert = await createConcert(tx, {
        title,
        artist: 'The Testers',
        venue: 'Loopback Hall',
        dayOffsets: [40, 41],
        sale: {
          prequeueInMinutes: prequeueOpensIn / 60,
          opensInMinutes: opensIn / 60,
          maxActive,
          turnSeconds: TURN_SECONDS,
          audience: sale.audience,
        },
      });
      if (sale.seats !== undefined) {
        await tx.execute(sql`
          DELETE FROM seats WHERE schedule_id IN (SELECT id FROM schedules WHERE concert_id = ${concert.concertId}) AND id NOT IN (
            SELECT id FROM seats WHERE schedule_id = ${concert.scheduleIds[0]} ORDER BY id LIMIT ${sale.seats})`);
      }
      await tx.execute(
        sql`UPDATE sales SET join_difficulty = ${sale.joinDifficulty ?? JOIN_DIFFICULTY_MIN} WHERE concert_id = ${concert.concertId}`,
      );
      if (sale.closed) {
        await tx.execute(sql`UPDATE sales SET closed_reason = ${sale.closed}, closed_at = now() WHERE concert_id = ${concert.concertId}`);
      }
      return concert;
    });
    return { ...created, title };
  } finally {
    await database.close();
  }
}

/**
 * Moves the sale's opening to `opensIn` seconds from now, in the server's database (the sale's trigger
 * tells the server's line cache). A test that waits for an opening starts it when its fans are ready,
 * rather than guessing how long their steps take on a busy machine.
 */
export async function moveOpening(testInfo: TestInfo, concert: TestConcert, { opensIn }: { opensIn: number }): Promise<void> {
  const database = connect(testInfo.project.metadata.databaseUrl as string, { max: 1 });
  try {
    await database.db.execute(
      sql`UPDATE sales SET opens_at = now() + make_interval(secs => ${opensIn}) WHERE concert_id = ${concert.concertId}`,
    );
  } finally {
    await database.close();
  }
}

/**
 * The link of the invitation last made for `email`. The server's mail is not sent yet (its token is
 * stored only hashed), so the test gives the invitation a token of its own, as the mail would carry one.
 */
export async function invitationLink(testInfo: TestInfo, email: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const database = connect(testInfo.project.metadata.databaseUrl as string, { max: 1 });
  try {
    const hash = createHash('sha256').update(token).digest('hex');
    const updated = await database.db.execute(
      sql`UPDATE operator_invitations SET token_hash = ${hash} WHERE email = ${email} AND accepted_at IS NULL RETURNING id`,
    );
    baseExpect(updated, `a pending invitation for ${email}`).toHaveLength(1);
  } finally {
    await database.close();
  }
  return `/admin/invite?token=${token}`;
}

export const test = base.extend<Fixtures>({
  sale: [{}, { option: true }],
  concert: async ({ sale }, use, testInfo) => {
    await use(await createTestConcert(testInfo, testInfo.title, sale));
  },
  // Playwright reads a fixture's dependencies from an object pattern, so "none" has to be `{}`.
  // eslint-disable-next-line no-empty-pattern
  anotherConcert: async ({}, use, testInfo) => {
    await use(await createTestConcert(testInfo, `another, ${testInfo.title}`, {}));
  },
  fan: async ({ page }, use) => {
    await use(new Fan(page));
  },
  newFan: async ({ browser, baseURL }, use) => {
    const close: (() => Promise<void>)[] = [];
    await use(() => openFan(browser, baseURL, close));
    await Promise.all(close.map((c) => c()));
  },
  axeAtEnd: [true, { option: true }],
  /**
   * Every test ends with axe on each page of this site it still has open (its own page, every newFan's,
   * any context it opened and left open), so every page state a test reaches last is held to axe too,
   * not only the states e2e/a11y.spec.ts lists. It tears down before `context` and `newFan` close them.
   */
  axe: [
    async ({ browser, context: _context, newFan: _newFan, axeAtEnd, baseURL }, use, testInfo) => {
      await use();
      if (!axeAtEnd || testInfo.status !== testInfo.expectedStatus || !baseURL) return;
      const pages = browser
        .contexts()
        .flatMap((c) => c.pages())
        .filter((p) => !p.isClosed() && p.url().startsWith(baseURL));
      const found: string[] = [];
      for (const [i, page] of pages.entries()) {
        await page.waitForLoadState();
        found.push(...(await axeViolations(page, `page ${i + 1} (${new URL(page.url()).pathname})`)));
      }
      baseExpect(found, 'axe violations on the pages this test ended on').toEqual([]);
    },
    // Its own time, not the test's: a few seconds a page on a busy machine.
    { auto: true, timeout: 60_000 },
  ],
});

export { expect } from '@playwright/test';

/** Saves a screenshot of a main page as a test artifact (test-results/screens/NAME.png). */
export async function keepScreenshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/**
 * The waiting room on the way to `next`: it admits (when there is room) and forwards. The line is the
 * concert's given, else the one `next` belongs to (`/concerts/<id>/…`).
 */
export const throughQueue = (next: string, concert?: TestConcert) =>
  `/queue?${concert ? `concert=${concert.concertId}&` : ''}next=${encodeURIComponent(next)}`;
export const seatMapOf = (concert: TestConcert, dateIndex = 0) => `/concerts/${concert.concertId}/dates/${concert.scheduleIds[dateIndex]}`;

/** What `loseFirstAnswer` saw of the calls to one procedure. */
export interface LostAnswer {
  /** The idempotency key each call sent, in order. */
  keys: string[];
  /** The HTTP status the server gave the first call, whose answer the browser never saw. */
  firstStatus: Promise<number>;
  /** Lets the calls after the first through (they wait until then, so the page can be seen retrying). */
  release: () => void;
}

/**
 * The first POST to `procedure` reaches the server and is applied, but the browser sees the connection
 * reset instead of the answer: the answer lost on the way back, the case idempotency keys exist for.
 */
export async function loseFirstAnswer(page: Page, procedure: string): Promise<LostAnswer> {
  const keys: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let firstStatus!: (status: number) => void;
  const lost: LostAnswer = { keys, firstStatus: new Promise((resolve) => (firstStatus = resolve)), release };
  await page.route(
    (url) => url.pathname === `/api/trpc/${procedure}`,
    async (route) => {
      // A batch of one: { "0": input }.
      keys.push((route.request().postDataJSON() as Record<string, { idempotencyKey: string }>)['0']!.idempotencyKey);
      if (keys.length === 1) {
        firstStatus((await route.fetch()).status());
        await route.abort('connectionreset');
      } else {
        await released;
        await route.continue();
      }
    },
  );
  return lost;
}
