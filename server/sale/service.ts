import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { queueState, sales, type SaleClosedReason } from '../../db/schema';
import { env, type Config } from '../env';
import { commitmentOf } from './draw';

/**
 * A concert's sale: its schedule, its line's settings and the fair draw (server/sale/draw.ts).
 * `saleStateOf` is the one rule for what state a sale is in.
 */

export const SALE_STATES = ['scheduled', 'prequeue', 'open', 'paused', 'sold_out', 'closed'] as const;
export type SaleState = (typeof SALE_STATES)[number];

/** 128 bits of randomness, as 32 hex characters. */
const SEED_BYTES = 16;

export interface SaleTimes {
  prequeueOpensAt: Date;
  opensAt: Date;
  paused: boolean;
  closedReason: SaleClosedReason | null;
}

/**
 * The state of a sale at `now` (the database's clock where it matters):
 * `scheduled` (before the pre-queue) → `prequeue` → `open` ↔ `paused` → `sold_out` / `closed`.
 * A sale paused before its opening shows `prequeue` until it opens, then `paused`.
 */
export function saleStateOf(sale: SaleTimes, now: Date): SaleState {
  if (sale.closedReason) return sale.closedReason;
  if (now < sale.prequeueOpensAt) return 'scheduled';
  if (now < sale.opensAt) return 'prequeue';
  return sale.paused ? 'paused' : 'open';
}

export interface NewSale {
  concertId: number;
  prequeueOpensAt: Date;
  opensAt: Date;
  /** Default: QUEUE_MAX_ACTIVE. */
  maxActive?: number;
  /** Default: QUEUE_ACTIVE_TTL_SECONDS. */
  turnSeconds?: number;
}

/**
 * Schedules a concert's sale and opens its line (its queue_state row). Generates the secret seed and
 * publishes its commitment at once. Run it in the transaction that creates the concert.
 */
export async function createSale(
  tx: DbOrTx,
  { concertId, prequeueOpensAt, opensAt, maxActive, turnSeconds }: NewSale,
  defaults: Pick<Config, 'QUEUE_MAX_ACTIVE' | 'QUEUE_ACTIVE_TTL_SECONDS'> = env(),
): Promise<{ concertId: number; commitment: string }> {
  const seed = randomBytes(SEED_BYTES).toString('hex');
  const commitment = commitmentOf(seed);
  await tx.insert(sales).values({
    concertId,
    prequeueOpensAt,
    opensAt,
    maxActive: maxActive ?? defaults.QUEUE_MAX_ACTIVE,
    turnSeconds: turnSeconds ?? defaults.QUEUE_ACTIVE_TTL_SECONDS,
    seed,
    commitment,
  });
  await tx.insert(queueState).values({ concertId });
  return { concertId, commitment };
}

/** A sale's row, or undefined for an unknown concert. */
export async function findSale(db: DbOrTx, concertId: number) {
  const [sale] = await db.select().from(sales).where(eq(sales.concertId, concertId));
  return sale;
}
