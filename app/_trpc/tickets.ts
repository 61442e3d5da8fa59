'use client';

import type { UseMutationResult, UseQueryResult } from '@tanstack/react-query';
import type { TRPCClientErrorLike } from '@trpc/client';
import type { TicketDetail, TicketGroup, TransferResult } from '@/app/_components/ticket-types';
import type { AppRouter } from '@/server/trpc/root';
import { trpc } from './client';

/*
 * TEMPORARY: the ticket procedures of docs/tickets-and-door.md, typed from the contract until they
 * land on main (then `trpc.ticket.*` is typed by the router and this file goes).
 */
type ApiError = TRPCClientErrorLike<AppRouter>;
interface QueryOptions {
  enabled?: boolean;
  retry?: boolean;
  refetchInterval?: number;
}
interface MutationOptions<Output, Input> {
  onSuccess?: (data: Output, input: Input) => unknown;
  onError?: (error: ApiError) => void;
}
type Query<Input, Output> = { useQuery: (input: Input, options?: QueryOptions) => UseQueryResult<Output, ApiError> };
type Mutation<Input, Output> = {
  useMutation: (options?: MutationOptions<Output, Input>) => UseMutationResult<Output, ApiError, Input>;
};

interface TicketProcedures {
  mine: Query<undefined, { orders: TicketGroup[] }>;
  get: Query<{ reference: string }, TicketDetail>;
  transfer: Mutation<{ reference: string; toEmail: string }, TransferResult>;
  cancelOffer: Mutation<{ reference: string }, TicketDetail>;
}

export const ticketApi = (trpc as unknown as { ticket: TicketProcedures }).ticket;

export function useTicketUtils() {
  return trpc.useUtils() as unknown as { ticket: { invalidate: () => Promise<void> }; order: { invalidate: () => Promise<void> } };
}
