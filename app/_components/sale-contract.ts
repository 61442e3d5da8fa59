import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../server/trpc/root';
import type { SaleSummary } from './sale';

/**
 * Issue 10's API contract as the fan pages read it, while the server side (branch i10-lines) lands.
 * TEMPORARY: once merged, these become the AppRouter's own types and this file goes.
 */
type Outputs = inferRouterOutputs<AppRouter>;

export type ListedConcert = Outputs['concert']['list'][number] & {
  sale?: SaleSummary;
  priceRange?: { min: number; max: number } | null;
};

export type QueueStatusName = 'prequeue' | 'waiting' | 'active' | 'expired' | 'closed';

export interface QueueView {
  status: QueueStatusName;
  concertId?: number;
  ticket?: number;
  opensAt?: string | null;
  closedReason?: 'sold_out' | 'closed' | null;
  position: number | null;
  aheadOfYou?: number | null;
  estimatedWaitSeconds: number | null;
  seatsLeft?: number | null;
  seatsHeld?: number | null;
  activeUntil?: string | null;
}

export interface SaleDraw {
  commitment: string | null;
  seed: string | null;
  openedAt: string | null;
  entries: { ticket: number; place: number }[] | null;
}

/** `queue.issue`'s input. TEMPORARY: typed as the current router's (none) until the merge. */
export const issueInput = (concertId: number) => ({ concertId }) as unknown as void;
