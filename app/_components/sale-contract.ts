import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/trpc/root';

/** What the fan pages read of the sale-day API, as the AppRouter types it. */
type Outputs = inferRouterOutputs<AppRouter>;

export type ListedConcert = Outputs['concert']['list'][number];
export type QueueView = Outputs['queue']['status'];
export type SaleDraw = Outputs['sale']['draw'];
