import { TRPCError } from '@trpc/server';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Db } from '@/db/client';
import { createConcert } from '@/server/seed';
import { reasonOf } from '@/server/trpc/errors';
import { CookieJar } from './cookie-jar';
import { parseEnv, type Config } from '@/server/env';
import { createContext } from '@/server/trpc/context';
import { createCaller } from '@/server/trpc/root';

let addresses = 0;

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...parseEnv({ NODE_ENV: 'test' }), ...overrides };
}

/**
 * A person with a browser's cookie jar, calling the router through createCaller exactly as the
 * HTTP adapters do: cookies in, Set-Cookie out.
 */
export class TestUser {
  readonly cookies = new CookieJar();
  readonly setCookieHeaders: string[] = [];
  /** Extra request headers, e.g. `x-queue-token`. */
  readonly headers = new Map<string, string>();
  userId = '';
  token = '';
  /** The concert whose line `join` joined last. */
  concertId = 0;
  /** Each test user calls from an address of its own unless a test says otherwise. */
  clientIp = `10.0.${Math.floor(++addresses / 256) % 256}.${addresses % 256}`;

  constructor(
    readonly db: Db,
    readonly config: Config,
  ) {}

  get api() {
    return createCaller(() => {
      const headers = new Headers([...this.headers]);
      if (this.cookies.size) headers.set('cookie', this.cookies.header());
      return createContext({
        db: this.db,
        config: this.config,
        headers,
        clientIp: this.clientIp,
        appendHeader: (name, header) => {
          if (name !== 'set-cookie') return;
          this.setCookieHeaders.push(header);
          this.cookies.absorb(header);
        },
      });
    });
  }

  /** A guest session. */
  async start(name?: string) {
    const me = await this.api.session.start(name === undefined ? undefined : { name });
    this.userId = me.userId;
    return this;
  }

  /**
   * A session and a queue token (admitted if there is room) in a concert's line: by default the
   * test database's concert on sale now, whose sale then takes this user's config as its settings
   * (QUEUE_MAX_ACTIVE, QUEUE_ACTIVE_TTL_SECONDS), as the tests written for one site-wide line expect.
   */
  async join(concertId?: number) {
    if (!this.userId) await this.start();
    const line = concertId ?? (await concertOnSale(this.db, { settingsFrom: this.config }));
    const issued = await this.api.queue.issue({ concertId: line });
    this.token = issued.token;
    this.concertId = line;
    return issued;
  }

  /**
   * The same browser (cookies, headers, address, session and token) calling through another database
   * handle: e.g. a pool of a test's own that nothing else uses, to see exactly which statements a call sends.
   */
  through(db: Db): TestUser {
    const twin = new TestUser(db, this.config);
    for (const [name, value] of this.cookies) twin.cookies.set(name, value);
    for (const [name, value] of this.headers) twin.headers.set(name, value);
    twin.userId = this.userId;
    twin.token = this.token;
    twin.concertId = this.concertId;
    twin.clientIp = this.clientIp;
    return twin;
  }
}

const concertsOnSale = new WeakMap<Db, Promise<number>>();

/**
 * The concert on sale now in this database (the first, or one made for the tests); with
 * `settingsFrom`, that config's cap and turn length are written to its sale.
 */
export async function concertOnSale(db: Db, { settingsFrom: config }: { settingsFrom?: Config } = {}): Promise<number> {
  let found = concertsOnSale.get(db);
  if (!found) {
    found = (async () => {
      const [row] = await db.execute<{ id: number }>(sql`
        SELECT concert_id AS id FROM sales
        WHERE opens_at <= now() AND closed_reason IS NULL AND NOT paused ORDER BY concert_id LIMIT 1`);
      if (row) return row.id;
      const made = await createConcert(db, {
        title: `Test concert ${Date.now()}`,
        artist: 'Testers',
        venue: 'Test Hall',
        dayOffsets: [20, 21, 22],
      });
      return made.concertId;
    })();
    concertsOnSale.set(db, found);
  }
  const concertId = await found;
  if (!config) return concertId;
  await db.execute(sql`
    UPDATE sales SET max_active = ${config.QUEUE_MAX_ACTIVE}, turn_seconds = ${config.QUEUE_ACTIVE_TTL_SECONDS}
    WHERE concert_id = ${concertId} AND (max_active <> ${config.QUEUE_MAX_ACTIVE} OR turn_seconds <> ${config.QUEUE_ACTIVE_TTL_SECONDS})`);
  return concertId;
}

export async function admittedUser(db: Db, config: Config): Promise<TestUser> {
  const user = new TestUser(db, config);
  const issued = await user.join();
  expect(issued.status).toBe('active');
  return user;
}

/** Asserts a call fails with this tRPC code and domain reason; returns the error's data. */
export async function expectFailure(promise: Promise<unknown>, code: TRPCError['code'], reason: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}/${reason}, but the call succeeded`).toBeInstanceOf(TRPCError);
  const trpc = error as TRPCError;
  expect({ code: trpc.code, reason: reasonOf(trpc) }).toEqual({ code, reason });
  return trpc;
}
