import type { CreateConcertInput } from '@/server/admin/concert';
import type { Db } from '@/db/client';
import type { Config } from '@/server/env';
import { TestUser } from './test-user';

/** An operator's browser, signed in with the configured password (no fan session). */
export async function signedInOperator(db: Db, config: Config): Promise<TestUser> {
  const operator = new TestUser(db, config);
  await operator.api.admin.login({ password: config.OPERATOR_PASSWORD });
  return operator;
}

const HOUR_MS = 3_600_000;
/** An ISO-8601 time `hours` from now. */
export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * HOUR_MS).toISOString();

/**
 * A valid `admin.concert.create` input: two dates a month ahead, VIP (2 rows of 10) and R (3 rows of 8),
 * a pre-queue opening in an hour and the sale an hour later.
 */
export function concertPlan(overrides: Partial<CreateConcertInput> = {}): CreateConcertInput {
  return {
    title: 'Spring Lights Live',
    artist: 'Haneul',
    venue: 'KSPO Dome, Seoul',
    dates: [hoursFromNow(24 * 31), hoursFromNow(24 * 30)],
    sections: [
      { name: 'VIP', price: 165_000, rows: 2, seatsPerRow: 10 },
      { name: 'R', price: 132_000, rows: 3, seatsPerRow: 8 },
    ],
    sale: { prequeueOpensAt: hoursFromNow(1), opensAt: hoursFromNow(2) },
    ...overrides,
  };
}
