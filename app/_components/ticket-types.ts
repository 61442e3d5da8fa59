import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/trpc/root';

/** Per-seat tickets as the API gives them (docs/tickets-and-door.md). */
type Outputs = inferRouterOutputs<AppRouter>['ticket'];
export type TicketDetail = Outputs['get'];
export type TicketGroup = Outputs['mine'][number];
export type TicketSummary = TicketGroup['tickets'][number];
export type TicketState = TicketSummary['state'];
export type TransferResult = Outputs['transfer'];
export type TransferInput = inferRouterInputs<AppRouter>['ticket']['transfer'];

/** A ticket's own page: what a fan shows at the door. */
export const ticketPath = (reference: string) => `/ticket/${encodeURIComponent(reference)}`;

/** Tickets the fan still holds and has not used: what a refund of their order covers (the server counts). */
export const stillHeld = (tickets: TicketSummary[]) => tickets.filter((t) => t.state === 'valid' || t.state === 'offered');
