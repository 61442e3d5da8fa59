import { TRPCError } from '@trpc/server';
import { expect } from 'vitest';
import type { Db } from '../../db/client';
import { reasonOf } from '../trpc/errors';
import { CookieJar } from './cookie-jar';
import { parseEnv, type Config } from '../env';
import { createContext } from '../trpc/context';
import { createCaller } from '../trpc/root';

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

  /** A session and a queue token (admitted if there is room). */
  async join() {
    if (!this.userId) await this.start();
    const issued = await this.api.queue.issue();
    this.token = issued.token;
    return issued;
  }
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
