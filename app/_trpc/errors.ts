import { TRPCClientError } from '@trpc/client';

export interface ErrorData {
  reason?: string;
  httpStatus?: number;
  position?: number;
  shortfall?: number;
  fieldErrors?: Record<string, string[]>;
  [key: string]: unknown;
}

/** The server's error data (its stable `reason` and facts), or undefined for a network failure. */
export function errorData(error: unknown): ErrorData | undefined {
  return error instanceof TRPCClientError ? (error.data as ErrorData | undefined) : undefined;
}

export const reasonOf = (error: unknown): string | undefined => errorData(error)?.reason;

/** Reasons after which the page belongs in the waiting room, not here. */
export const NEEDS_QUEUE = new Set(['TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_NOT_ACTIVE']);
