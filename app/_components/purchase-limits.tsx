'use client';

import { createContext, useContext, type ReactNode } from 'react';

/** HOLD_MAX_PER_USER and PURCHASE_MAX_PER_USER of the server (its defaults until the server says). */
export interface PurchaseLimits {
  /** Seats one fan may hold at once, across all their orders. */
  holdMax: number;
  /** Seats one fan may hold and buy for one concert, all its dates together. */
  purchaseMax: number;
}

const DEFAULT_LIMITS: PurchaseLimits = { holdMax: 4, purchaseMax: 4 };
const LimitsContext = createContext<PurchaseLimits>(DEFAULT_LIMITS);

export function PurchaseLimitsProvider({ limits, children }: { limits: PurchaseLimits; children: ReactNode }) {
  return <LimitsContext.Provider value={limits}>{children}</LimitsContext.Provider>;
}

export const usePurchaseLimits = () => useContext(LimitsContext);

/** What the allowance needs of an order (order.list's answer). */
export interface CountedOrder {
  status: string;
  concertId: number;
  seats: unknown[];
}

/**
 * How many more seats the fan may pick for this concert now: the purchase limit less the seats they
 * hold and bought for it (any date), and the hold limit less the seats they hold anywhere. The rule
 * `hold_seats` applies (server/order/hold.ts), read from the fan's own orders so the page can say it
 * before a hold is refused.
 */
export function seatsLeftToPick(orders: readonly CountedOrder[], concertId: number, limits: PurchaseLimits): number {
  const count = (keep: (o: CountedOrder) => boolean) => orders.filter(keep).reduce((n, o) => n + o.seats.length, 0);
  const forConcert = count((o) => o.concertId === concertId && (o.status === 'held' || o.status === 'confirmed'));
  const held = count((o) => o.status === 'held');
  return Math.max(0, Math.min(limits.purchaseMax - forConcert, limits.holdMax - held));
}
